/**
 * Every dynamic configuration example of Traefik's documentation (../shared/compat/traefik-v3,
 * INDEX.tsv parses=yes, migration docs skipped) goes through the file provider's translation:
 * nothing may crash, every diagnostic is coded, and no key Traefik has may be called unknown.
 * Prints how many examples are fully accepted (the rest use features not implemented yet).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { translateFiles } from '../../../../src/providers/file/translate.js';
import { repoRoot } from '../../config/static/fixtures.js';

const COMPAT = join(repoRoot(), '..', 'shared', 'compat', 'traefik-v3');

/**
 * Examples whose unknown keys are the documentation's own mistake, not a gap of ours: in this TOML
 * block `passHostHeader` and `serversTransport` follow the `[...passiveHealthCheck]` table header,
 * so TOML puts them inside passiveHealthCheck (Traefik would not read them where meant either).
 */
const DOC_MISTAKES: readonly { file: string; path: string }[] = [
  { file: 'dynamic/reference-routing-configuration-http-load-balancing-service--2.toml', path: 'http.services.my-service.loadBalancer.passiveHealthCheck.' },
];

void describe('Traefik documentation examples (dynamic)', () => {
  void it('translate without crashing, with coded diagnostics and no unknown keys', (t) => {
    const index = join(COMPAT, 'INDEX.tsv');
    if (!existsSync(index)) {
      t.skip(`no compat examples at ${COMPAT}`);
      return;
    }
    const [header, ...rows] = readFileSync(index, 'utf8').trimEnd().split('\n');
    const columns = (header ?? '').split('\t');
    const col = (name: string): number => columns.indexOf(name);
    let total = 0;
    let accepted = 0;
    const codes = new Map<string, number>();
    for (const row of rows) {
      const cells = row.split('\t');
      const file = cells[col('file')] ?? '';
      if (!file.startsWith('dynamic/') || cells[col('parses')] !== 'yes' || (cells[col('note')] ?? '').includes('migration-doc')) continue;
      total++;
      const text = readFileSync(join(COMPAT, file), 'utf8');
      const result = translateFiles([{ path: file, text }]);
      for (const d of result.diagnostics) {
        assert.match(d.code, /^TPK_[A-Z_]+$/, `${file}: uncoded diagnostic ${d.message}`);
        assert.ok(d.severity === 'error' || d.severity === 'warning');
        assert.notEqual(d.code, 'TPK_CFG_PARSE', `${file}: ${d.message}`);
        if (!DOC_MISTAKES.some((m) => m.file === file && d.path?.startsWith(m.path) === true)) {
          assert.notEqual(d.code, 'TPK_CFG_UNKNOWN_KEY', `${file}:${d.line ?? '?'}: ${d.path ?? ''}: ${d.message}`);
        }
        codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
      }
      if (result.diagnostics.length === 0) accepted++;
    }
    assert.ok(total > 100, `expected the documentation examples, found ${total}`);
    const summary = `${accepted}/${total} dynamic examples fully accepted; diagnostics by code: ${JSON.stringify(Object.fromEntries(codes))}`;
    t.diagnostic(summary);
    console.log(summary);
  });
});
