/** The dynamic flat-key schema: generated from its sources, and it decodes Traefik's label reference. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DYNAMIC_FLAT_SCHEMA, LABEL_FLAT_SCHEMA, labelRefusal } from '../../../../src/config/dynamic/flat-schema.js';
import { decodeFlat } from '../../../../src/config/paths/index.js';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const shared = ['/work/shared', join(repoRoot(), '../shared')].find((d) => existsSync(join(d, 'compat/traefik-v3/schema/traefik-v3-file-provider.json')));

const decodeLabels = (labels: Record<string, string>) =>
  decodeFlat(
    LABEL_FLAT_SCHEMA,
    Object.entries(labels).map(([k, value]) => ({ segments: k.split('.').slice(1), value, origin: k })),
    { unknownKeys: { unsupported: (p) => labelRefusal(p) } },
  );

void describe('dynamic flat schema', () => {
  void it('is what scripts/gen-dynamic-flat-schema.mjs generates', { skip: shared === undefined ? 'no ../shared' : false }, () => {
    const out = execFileSync(process.execPath, [join(repoRoot(), 'scripts/gen-dynamic-flat-schema.mjs'), '--check', '--shared', shared ?? ''], { encoding: 'utf8' });
    assert.match(out, /up to date/);
  });

  void it("decodes every label of Traefik's generated label reference", { skip: shared === undefined ? 'no ../shared' : false }, () => {
    const list = parse(readFileSync(join(shared ?? '', 'compat/traefik-v3/labels/reference-dynamic-configuration-docker-labels--file.yml'), 'utf8')) as string[];
    const labels: Record<string, string> = {};
    for (const line of list) {
      const i = line.indexOf('=');
      labels[line.slice(0, i)] = line.slice(i + 1);
    }
    const r = decodeLabels(labels);
    assert.deepEqual(r.diagnostics, []);
  });

  void it('gives canonical spelling, keeps names, splits lists, reads indexes', () => {
    const r = decodeLabels({
      'traefik.http.middlewares.M.headers.customrequestheaders.X-Foo': 'bar',
      'traefik.http.routers.R.entrypoints': 'a, b',
      'traefik.http.routers.R.tls.domains[1].sans': 'x,y',
      'traefik.http.routers.R.priority': '7',
      'traefik.http.services.s.loadbalancer.healthcheck.interval': '10',
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(JSON.parse(JSON.stringify(r.value)), {
      http: {
        middlewares: { M: { headers: { customRequestHeaders: { 'X-Foo': 'bar' } } } },
        routers: { R: { entryPoints: ['a', 'b'], tls: { domains: [{ sans: ['x', 'y'] }] }, priority: 7 } },
        services: { s: { loadBalancer: { healthCheck: { interval: '10' } } } },
      },
    });
  });

  void it('refuses what labels cannot set, with the reason', () => {
    const r = decodeLabels({ 'traefik.http.services.s.mirroring.service': 'x' });
    assert.equal(r.diagnostics[0]?.code, 'TPK_CFG_UNSUPPORTED');
    assert.match(r.diagnostics[0]?.message ?? '', /mirroring services cannot be declared with labels/);
  });

  void it('the file tree has servers lists and serversTransports (for KV providers)', () => {
    const r = decodeFlat(DYNAMIC_FLAT_SCHEMA, [
      { segments: ['http', 'services', 's', 'loadbalancer', 'servers', '[0]', 'url'], value: 'http://a', origin: 'kv' },
      { segments: ['http', 'serverstransports', 't', 'insecureskipverify'], value: 'true', origin: 'kv' },
    ]);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(JSON.parse(JSON.stringify(r.value)), { http: { services: { s: { loadBalancer: { servers: [{ url: 'http://a' }] } } }, serversTransports: { t: { insecureSkipVerify: true } } } });
  });
});
