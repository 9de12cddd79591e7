/**
 * The file provider validates its routers with references qualified (`service: api` as
 * `api@file`), so that the provider state keeps the router object itself instead of a qualified
 * copy, and keys its records by qualified names (`api@file`), so that the provider state takes
 * them as they are instead of copying them. A splice validates an edited router the same way as a
 * whole read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translateFiles, type FileTranslation, type SourceFile } from '../../../../src/providers/file/translate.js';
import { createAggregator, type Snapshot } from '../../../../src/providers/aggregator.js';
import type { RouterConfig } from '../../../../src/config/dynamic/types.js';

function routers(n: number): string {
  const out = ['http:', '  routers:'];
  for (let i = 0; i < n; i++) out.push(`    r${i}:`, `      rule: "Host(\`h${i}.test\`)"`, `      service: s${i}`);
  out.push(
    '    mixed:',
    '      rule: "Path(`/m`)"',
    '      service: other@docker',
    '      middlewares: [strip, auth@docker]',
    '      tls:',
    '        options: modern',
    '    shared:',
    '      rule: "Path(`/s`)"',
    '      service: noop@internal',
    '      tls:',
    '        options: default',
  );
  out.push('  services:');
  for (let i = 0; i < n; i++) out.push(`    s${i}:`, '      loadBalancer:', '        servers:', `          - url: "http://127.0.0.1:${1000 + i}"`);
  out.push('  middlewares:', '    strip:', '      stripPrefix:', '        prefixes: [/a]');
  return out.join('\n') + '\n';
}

const file = (text: string): SourceFile[] => [{ path: 'dyn.yml', text }];
/** With a provider name, the file's records are keyed by qualified names too. */
const router = (t: FileTranslation, name: string, provider?: string): RouterConfig => t.config.http.routers[provider === undefined ? name : `${name}@${provider}`] as RouterConfig;

void describe('translateFiles with the provider name: references written qualified', () => {
  void it('qualifies services, middlewares and TLS options; keeps provider-named ones and the shared default', () => {
    const t = translateFiles(file(routers(3)), undefined, { provider: 'file' });
    assert.equal(router(t, 'r0', 'file').service, 's0@file');
    const mixed = router(t, 'mixed', 'file');
    assert.equal(mixed.service, 'other@docker');
    assert.deepEqual(mixed.middlewares, ['strip@file', 'auth@docker']);
    assert.equal(mixed.tls?.options, 'modern@file');
    assert.equal(router(t, 'shared', 'file').service, 'noop@internal');
    assert.equal(router(t, 'shared', 'file').tls?.options, 'default');
  });

  void it("qualifies services' references: serversTransport, weighted, mirroring and failover children", () => {
    const yaml = `http:
  services:
    lb:
      loadBalancer:
        serversTransport: quick
        servers: [{url: "http://127.0.0.1:9"}]
    other:
      loadBalancer:
        serversTransport: t@docker
        servers: [{url: "http://127.0.0.1:9"}]
    canary:
      weighted:
        services: [{name: lb, weight: 3}, {name: x@docker, weight: 1}]
    mirrored:
      mirroring:
        service: lb
        mirrors: [{name: other, percent: 10}]
    safe:
      failover:
        service: lb
        fallback: other
  serversTransports:
    quick:
      forwardingTimeouts:
        responseHeaderTimeout: 300ms
`;
    const t = translateFiles(file(yaml), undefined, { provider: 'file' });
    const services = t.config.http.services;
    assert.deepEqual(Object.keys(services).sort(), ['canary@file', 'lb@file', 'mirrored@file', 'other@file', 'safe@file']);
    assert.deepEqual(Object.keys(t.config.http.serversTransports), ['quick@file']);
    const at = <K extends string>(name: string, kind: K): Record<string, unknown> => (services[name] as unknown as Record<K, Record<string, unknown>>)[kind];
    assert.equal(at('lb@file', 'loadBalancer')['serversTransport'], 'quick@file');
    assert.equal(at('other@file', 'loadBalancer')['serversTransport'], 't@docker');
    assert.deepEqual((at('canary@file', 'weighted')['services'] as { name: string }[]).map((r) => r.name), ['lb@file', 'x@docker']);
    assert.equal(at('mirrored@file', 'mirroring')['service'], 'lb@file');
    assert.deepEqual((at('mirrored@file', 'mirroring')['mirrors'] as { name: string }[]).map((r) => r.name), ['other@file']);
    assert.deepEqual([at('safe@file', 'failover')['service'], at('safe@file', 'failover')['fallback']], ['lb@file', 'other@file']);
    const plain = translateFiles(file(yaml)).config.http.services;
    assert.equal((plain['lb'] as unknown as { loadBalancer: { serversTransport: string } }).loadBalancer.serversTransport, 'quick', 'without the provider name: as written');
  });

  void it('without the provider name, references stay as written', () => {
    const t = translateFiles(file(routers(3)));
    assert.equal(router(t, 'r0').service, 's0');
    assert.deepEqual(router(t, 'mixed').middlewares, ['strip', 'auth@docker']);
  });

  void it('the provider state keeps the router objects themselves, and a splice qualifies as a whole read does', () => {
    const first = translateFiles(file(routers(40)), undefined, { provider: 'file' });
    const edited = routers(40).replace('Host(`h7.test`)', 'Host(`h7-new.test`)');
    const second = translateFiles(file(edited), first.cache, { provider: 'file' });
    assert.equal(second.incremental, 1, 'the edit is spliced');
    const whole = translateFiles(file(edited), undefined, { provider: 'file' });
    assert.deepEqual(router(second, 'r7', 'file'), router(whole, 'r7', 'file'));
    assert.equal(router(second, 'r7', 'file').service, 's7@file');

    let snapshot: Snapshot | undefined;
    const aggregator = createAggregator({ throttleMs: 0, onSnapshot: (s) => (snapshot = s) });
    try {
      aggregator.push({ provider: 'file', config: second.config, origins: second.origins, diagnostics: second.diagnostics });
      const http = (snapshot as Snapshot).config.http;
      for (const name of ['r0', 'r7', 'mixed', 'shared']) assert.equal(http.routers[`${name}@file`], router(second, name, 'file'), name);
      // Keyed by qualified names already: the file's records are the snapshot's, not copies.
      assert.equal(http.routers, second.config.http.routers);
      assert.equal(http.services, second.config.http.services);
      assert.equal(http.middlewares, second.config.http.middlewares);
      // And after one more splice (the record copied by the splice is the snapshot's again).
      const third = translateFiles(file(edited.replace('Host(`h9.test`)', 'Host(`h9-new.test`)')), second.cache, { provider: 'file' });
      assert.equal(third.incremental, 1);
      aggregator.push({ provider: 'file', config: third.config, origins: third.origins, diagnostics: third.diagnostics });
      const next = (snapshot as Snapshot).config.http;
      assert.equal(next.routers, third.config.http.routers);
      assert.equal(next.routers['r9@file']?.rule, 'Host(`h9-new.test`)');
      assert.equal(next.routers['r7@file'], http.routers['r7@file'], 'the other routers are the same objects');
    } finally {
      aggregator.close();
    }
  });
});

void describe('translateFiles with the provider name: a name with @', () => {
  void it('is refused, and never stands for the object of the same name without it', () => {
    const v1 = 'http:\n  routers:\n    a:\n      rule: "Path(`/v1`)"\n      service: s\n';
    const first = translateFiles(file(v1), undefined, { provider: 'file' });
    const withAt = v1 + '    a@file:\n      rule: "Path(`/at`)"\n      service: s\n';
    const second = translateFiles(file(withAt), first.cache, { provider: 'file' });
    assert.ok(second.diagnostics.some((d) => d.code === 'TPK_CFG_INVALID_NAME'));
    const edited = withAt.replace('/v1', '/v2');
    const third = translateFiles(file(edited), second.cache, { provider: 'file' });
    assert.equal(router(third, 'a', 'file').rule, 'Path(`/v2`)');
    assert.deepEqual(Object.keys(third.config.http.routers), ['a@file']);
    const dir = translateFiles([{ path: 'x.yml', text: edited }, { path: 'y.yml', text: 'http:\n  routers:\n    b:\n      rule: "Path(`/b`)"\n      service: s\n' }], undefined, { provider: 'file' });
    assert.equal(router(dir, 'a', 'file').rule, 'Path(`/v2`)');
    assert.deepEqual(Object.keys(dir.config.http.routers).sort(), ['a@file', 'b@file']);
  });
});

void describe('translateFiles: a cache made with another provider name', () => {
  void it('is not reused: the file is read whole and every router is qualified with the new name', () => {
    const first = translateFiles(file(routers(5)));
    const second = translateFiles(file(routers(5)), first.cache, { provider: 'file' });
    assert.equal(router(second, 'r1', 'file').service, 's1@file');
    assert.notEqual(router(second, 'r1', 'file'), router(first, 'r1'));
    const third = translateFiles(file(routers(5).replace('h1.test', 'h1b.test')), second.cache, { provider: 'other' });
    assert.equal(third.incremental ?? 0, 0, 'not spliced into a cache of another name');
    assert.equal(router(third, 'r2', 'other').service, 's2@other');
  });
});
