/** The generated option catalogue must match its sources (when ../shared is beside the repository). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TRAEFIK_STATIC_KEYS } from '../../../../src/config/static/known-keys.js';
import { repoRoot, sharedDir } from './fixtures.js';

const shared = sharedDir();

void describe('known-keys.ts', () => {
  void it('is what scripts/gen-known-keys.mjs generates from ../shared', { skip: shared === undefined ? 'no ../shared beside the repository' : false }, () => {
    const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts/gen-known-keys.mjs'), '--check', '--shared', shared ?? ''], { encoding: 'utf8' });
    assert.match(out, /up to date/);
  });

  void it('holds the main Traefik sections in Traefik spelling', () => {
    const keys = new Set(TRAEFIK_STATIC_KEYS.map(([k]) => k));
    for (const key of ['entryPoints._name_.address', 'certificatesResolvers._name_.acme.email', 'providers.kubernetesCRD', 'accessLog.filePath', 'api.insecure']) {
      assert.ok(keys.has(key), key);
    }
  });
});
