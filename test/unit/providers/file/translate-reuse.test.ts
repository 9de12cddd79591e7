/**
 * Incremental reloads, the pure half: after a one-object edit, every other object keeps its
 * validated (frozen) identity, so the stages after translation (hashing, namespacing, compiling)
 * redo only the edited one; what the edit touched is validated again, with its own diagnostics,
 * and every origin line follows the text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translateFiles, type FileTranslation, type SourceFile } from '../../../../src/providers/file/translate.js';

function routers(n: number, edit: (i: number) => string = () => ''): string {
  const out = ['http:', '  routers:'];
  for (let i = 0; i < n; i++) out.push(`    r${i}:`, `      rule: "Host(\`h${i}.test\`)"`, `      service: s${i}${edit(i)}`);
  out.push('  services:');
  for (let i = 0; i < n; i++) out.push(`    s${i}:`, '      loadBalancer:', '        servers:', `          - url: "http://127.0.0.1:${1000 + i}"`);
  return out.join('\n') + '\n';
}

const file = (text: string, ext = 'yml'): SourceFile[] => [{ path: `dyn.${ext}`, text }];
const router = (t: FileTranslation, name: string): unknown => t.config.http.routers[name];

void describe('translateFiles: reuse across reloads', () => {
  void it('a one-router edit keeps every other object identical and validates the edited one', () => {
    const first = translateFiles(file(routers(50)));
    const second = translateFiles(file(routers(50).replace('Host(`h7.test`)', 'Host(`h7-new.test`)')), first.cache);
    for (let i = 0; i < 50; i++) {
      if (i === 7) continue;
      assert.equal(router(second, `r${i}`), router(first, `r${i}`), `r${i}`);
      assert.equal(second.config.http.services[`s${i}`], first.config.http.services[`s${i}`], `s${i}`);
    }
    assert.notEqual(router(second, 'r7'), router(first, 'r7'));
    assert.equal((router(second, 'r7') as { rule: string }).rule, 'Host(`h7-new.test`)');
  });

  void it('origin lines follow the text when an edit adds lines above', () => {
    const first = translateFiles(file(routers(5)));
    const longer = routers(5).replace('      service: s1\n', '      service: s1\n      priority: 10\n');
    const second = translateFiles(file(longer), first.cache);
    assert.equal(second.origins.get('http.routers.r2')?.line, (first.origins.get('http.routers.r2')?.line ?? 0) + 1);
    assert.equal(router(second, 'r2'), router(first, 'r2'));
    assert.equal((router(second, 'r1') as { priority: number }).priority, 10);
  });

  void it('an object with a diagnostic is validated again each time, so it keeps its diagnostic', () => {
    const withWarning = routers(3) + '  middlewares:\n    strip:\n      stripPrefix:\n        prefixes: [/a]\n        forceSlash: true\n';
    const first = translateFiles(file(withWarning));
    const warned = first.diagnostics.filter((d) => d.object === 'strip');
    assert.ok(warned.length > 0, 'the fixture must give r1 a diagnostic');
    const second = translateFiles(file(withWarning.replace('h2.test', 'h2b.test')), first.cache);
    assert.deepEqual(second.diagnostics.filter((d) => d.object === 'strip'), warned);
  });

  void it('an unchanged file gives the same outcome without being read again, diagnostics included', () => {
    const bad = routers(3).replace('service: s2', 'service: s2\n      priority: high');
    const first = translateFiles(file(bad));
    const second = translateFiles(file(bad), first.cache);
    assert.equal(second.cache.get('dyn.yml'), first.cache.get('dyn.yml'));
    assert.deepEqual(second.diagnostics, first.diagnostics);
    assert.ok(second.diagnostics.some((d) => d.object === 'r2' && d.severity === 'error'));
  });

  void it('TOML files (decoded data compared, no text spans) reuse unchanged objects too', () => {
    const toml = (host: string): string => `[http.routers.a]\nrule = "Host(\`a.test\`)"\nservice = "s"\n[http.routers.b]\nrule = "Host(\`${host}\`)"\nservice = "s"\n`;
    const first = translateFiles(file(toml('b.test'), 'toml'));
    const second = translateFiles(file(toml('c.test'), 'toml'), first.cache);
    assert.equal(router(second, 'a'), router(first, 'a'));
    assert.notEqual(router(second, 'b'), router(first, 'b'));
  });

  void it('after spliced edits, a whole read still reuses every object whose text is unchanged, the spliced ones included', () => {
    // Spliced one at a time (one block each), with lines added: the columns move.
    const a = translateFiles(file(routers(20)));
    const t1 = routers(20).replace('Host(`h3.test`)"\n', 'Host(`h3.test`)"\n      priority: 9\n');
    const b = translateFiles(file(t1), a.cache);
    assert.equal(b.incremental, 1);
    const t2 = t1.replace('Host(`h12.test`)', 'Host(`h12-b.test`)');
    const c = translateFiles(file(t2), b.cache);
    assert.equal(c.incremental, 1);
    // Two objects at once: read whole, compared object by object with the text kept.
    const t3 = t2.replace('Host(`h0.test`)', 'Host(`h0-c.test`)').replace('Host(`h19.test`)', 'Host(`h19-c.test`)');
    const d = translateFiles(file(t3), c.cache);
    assert.equal(d.incremental, 0);
    for (let i = 1; i < 19; i++) {
      assert.equal(router(d, `r${i}`), router(c, `r${i}`), `r${i}`);
      assert.equal(d.config.http.services[`s${i}`], c.config.http.services[`s${i}`], `s${i}`);
    }
    assert.equal((router(d, 'r3') as { priority: number }).priority, 9);
    assert.equal((router(d, 'r12') as { rule: string }).rule, 'Host(`h12-b.test`)');
    assert.notEqual(router(d, 'r0'), router(c, 'r0'));
    assert.equal((router(d, 'r19') as { rule: string }).rule, 'Host(`h19-c.test`)');
  });

  void it('origins read from the columns are the map a read without them gives, in its order', () => {
    const text = routers(6).replace('Host(`h2.test`)"\n', 'Host(`h2.test`)"\n      priority: 3\n') + 'tls:\n  options:\n    strict:\n      minVersion: VersionTLS12\n';
    const first = translateFiles(file(text));
    const edited = text.replace('Host(`h1.test`)', 'Host(`h1-x.test`)\n      priority: 4');
    const spliced = translateFiles(file(edited), first.cache);
    assert.equal(spliced.incremental, 1);
    // The same text read with the careful parser (no columns): a plain Map from validation.
    const reference = translateFiles(file(edited), undefined, { splice: false });
    for (const t of [first, spliced]) assert.ok(!(t.origins instanceof Map), 'the fixture must be read into columns');
    assert.deepEqual([...spliced.origins], [...reference.origins]);
    assert.equal(spliced.origins.size, reference.origins.size);
    for (const [key, origin] of reference.origins) {
      assert.deepEqual(spliced.origins.get(key), origin, key);
      assert.ok(spliced.origins.has(key), key);
    }
    for (const missing of ['http.routers.nope', 'http.routers.', 'tls.options.nope', 'http.services.r1', 'other']) {
      assert.equal(spliced.origins.get(missing), undefined, missing);
      assert.equal(spliced.origins.has(missing), false, missing);
    }
    assert.equal(spliced.origins.get('http.routers.r3')?.line, (first.origins.get('http.routers.r3')?.line ?? 0) + 1);
    assert.equal(spliced.origins.get('tls.options.strict')?.line, (first.origins.get('tls.options.strict')?.line ?? 0) + 1);
  });
});
