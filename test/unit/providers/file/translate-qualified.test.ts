/**
 * The file provider validates its routers with references qualified (`service: api` as
 * `api@file`), so that the provider state keeps the router object itself instead of a qualified
 * copy. A splice validates an edited router the same way as a whole read.
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
const router = (t: FileTranslation, name: string): RouterConfig => t.config.http.routers[name] as RouterConfig;

void describe('translateFiles with the provider name: references written qualified', () => {
  void it('qualifies services, middlewares and TLS options; keeps provider-named ones and the shared default', () => {
    const t = translateFiles(file(routers(3)), undefined, { provider: 'file' });
    assert.equal(router(t, 'r0').service, 's0@file');
    const mixed = router(t, 'mixed');
    assert.equal(mixed.service, 'other@docker');
    assert.deepEqual(mixed.middlewares, ['strip@file', 'auth@docker']);
    assert.equal(mixed.tls?.options, 'modern@file');
    assert.equal(router(t, 'shared').service, 'noop@internal');
    assert.equal(router(t, 'shared').tls?.options, 'default');
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
    assert.deepEqual(router(second, 'r7'), router(whole, 'r7'));
    assert.equal(router(second, 'r7').service, 's7@file');

    let snapshot: Snapshot | undefined;
    const aggregator = createAggregator({ throttleMs: 0, onSnapshot: (s) => (snapshot = s) });
    try {
      aggregator.push({ provider: 'file', config: second.config, origins: second.origins, diagnostics: second.diagnostics });
      const http = (snapshot as Snapshot).config.http;
      for (const name of ['r0', 'r7', 'mixed', 'shared']) assert.equal(http.routers[`${name}@file`], router(second, name), name);
    } finally {
      aggregator.close();
    }
  });
});

void describe('translateFiles: a cache made with another provider name', () => {
  void it('is not reused: the file is read whole and every router is qualified with the new name', () => {
    const first = translateFiles(file(routers(5)));
    const second = translateFiles(file(routers(5)), first.cache, { provider: 'file' });
    assert.equal(router(second, 'r1').service, 's1@file');
    assert.notEqual(router(second, 'r1'), router(first, 'r1'));
    const third = translateFiles(file(routers(5).replace('h1.test', 'h1b.test')), second.cache, { provider: 'other' });
    assert.equal(third.incremental ?? 0, 0, 'not spliced into a cache of another name');
    assert.equal(router(third, 'r2').service, 's2@other');
  });
});
