import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FileTranslation, translateFiles } from '../../../../src/providers/file/translate.js';

const y = (lines: string[]): string => lines.join('\n') + '\n';

function routers(n: number): string[] {
  const out = ['http:', '  routers:'];
  for (let i = 0; i < n; i++) out.push(`    r${i}:`, `      rule: "Host(\`h${i}.test\`)"`, `      service: s${i}`);
  return out;
}

const TLS = ['tls:', '  certificates:', '    - {certFile: a.crt, keyFile: a.key}', '  options:', '    strict:', '      sniStrict: true'];

function plain(t: FileTranslation): unknown {
  return JSON.parse(JSON.stringify({ config: t.config, origins: [...t.origins], diagnostics: t.diagnostics })) as unknown;
}

void describe('file provider: the tls section', () => {
  void it('flows through a single file, with origins', () => {
    const t = translateFiles([{ path: 'd.yml', text: y([...routers(2), ...TLS]) }]);
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(t.config.tls?.certificates, [{ certFile: 'a.crt', keyFile: 'a.key' }]);
    assert.equal(t.config.tls?.options['strict']?.sniStrict, true);
    assert.equal(t.origins.get('tls.options.strict')?.line, 13);
    assert.equal(t.origins.get('tls.certificates[0]')?.source, 'd.yml');
    assert.ok(Object.isFrozen(t.config.tls));
  });

  void it('a file without tls gives a config without tls', () => {
    assert.equal(translateFiles([{ path: 'd.yml', text: y(routers(1)) }]).config.tls, undefined);
  });

  void it('two files: certificates concatenated in file order, options merged, origins renumbered', () => {
    const t = translateFiles([
      { path: 'b.yml', text: y(['tls:', '  certificates:', '    - {certFile: b1.crt, keyFile: b1.key}', '  options:', '    two: {}']) },
      { path: 'a.yml', text: y(['tls:', '  certificates:', '    - {certFile: a1.crt, keyFile: a1.key}', '    - {certFile: a2.crt, keyFile: a2.key}', '  options:', '    one: {}']) },
      { path: 'c.yml', text: y(routers(1)) },
    ]);
    assert.deepEqual(t.diagnostics, []);
    assert.deepEqual(t.config.tls?.certificates.map((c) => c.certFile), ['a1.crt', 'a2.crt', 'b1.crt']);
    assert.deepEqual(Object.keys(t.config.tls?.options ?? {}).sort(), ['one', 'two']);
    assert.deepEqual(
      [...t.origins].filter(([k]) => k.startsWith('tls.certificates')),
      [
        ['tls.certificates[0]', { source: 'a.yml', line: 3 }],
        ['tls.certificates[1]', { source: 'a.yml', line: 4 }],
        ['tls.certificates[2]', { source: 'b.yml', line: 3 }],
      ],
    );
    assert.deepEqual(Object.keys(t.config.http.routers), ['r0']);
  });

  void it('the same options name in two files is an error naming both; identical ones a warning', () => {
    const t = translateFiles([
      { path: 'a.yml', text: y(['tls:', '  options:', '    o: {sniStrict: true}', '    same: {}', '  stores:', '    default: {}']) },
      { path: 'b.yml', text: y(['tls:', '  options:', '    o: {sniStrict: false}', '    same: {}', '  stores:', '    default: {}']) },
    ]);
    assert.deepEqual(
      t.diagnostics.map((d) => [d.severity, d.code, d.path, d.source, d.line]),
      [
        ['error', 'TPK_CFG_DUPLICATE_NAME', 'tls.options.o', 'b.yml', 3],
        ['warning', 'TPK_CFG_DUPLICATE_NAME', 'tls.options.same', 'b.yml', 4],
        ['warning', 'TPK_CFG_DUPLICATE_NAME', 'tls.stores.default', 'b.yml', 6],
      ],
    );
    assert.match(t.diagnostics[0]?.message ?? '', /TLS option "o" is defined in a\.yml:3 and b\.yml:3/);
    assert.deepEqual(Object.keys(t.config.tls?.options ?? {}), ['same']);
    assert.deepEqual(Object.keys(t.config.tls?.stores ?? {}), ['default']);
  });

  void it('a bad option is left out with its error; the file keeps serving the rest', () => {
    const t = translateFiles([{ path: 'd.yml', text: y([...routers(1), 'tls:', '  options:', '    bad: {minVersion: nope}', '    good: {}']) }]);
    assert.deepEqual(t.diagnostics.map((d) => [d.code, d.path, d.line]), [['TPK_CFG_INVALID_VALUE', 'tls.options.bad.minVersion', 8]]);
    assert.deepEqual(Object.keys(t.config.tls?.options ?? {}), ['good']);
    assert.deepEqual(Object.keys(t.config.http.routers), ['r0']);
  });

  void it('a file with only tls that becomes empty keeps its last good version (as for http objects)', () => {
    const first = translateFiles([{ path: 'd.yml', text: y(TLS) }]);
    const empty = translateFiles([{ path: 'd.yml', text: '' }], first.cache);
    assert.equal(empty.diagnostics[0]?.code, 'TPK_CFG_EMPTY_FILE');
    assert.deepEqual(empty.config.tls, first.config.tls);
  });

  void it('an unchanged file keeps its tls section (same object) across reloads', () => {
    const files = [
      { path: 'a.yml', text: y(TLS) },
      { path: 'b.yml', text: y(routers(1)) },
    ];
    const first = translateFiles([{ path: 'a.yml', text: y(TLS) }]);
    const again = translateFiles([{ path: 'a.yml', text: y(TLS) }], first.cache);
    assert.equal(again.config.tls, first.config.tls);
    const two = translateFiles(files, first.cache);
    assert.equal(two.config.tls?.options['strict'], first.config.tls?.options['strict']);
  });
});

void describe('file provider: splicing with a tls section', () => {
  const N = 6;
  const base = (): string[] => [...routers(N), '  services:', ...Array.from({ length: N }, (_, i) => [`    s${i}:`, '      loadBalancer:', `        servers: [{url: "http://127.0.0.1:${1000 + i}"}]`]).flat(), ...TLS];

  const edits: { desc: string; edit: (l: string[]) => void; spliced: number }[] = [
    { desc: 'an edit inside a router splices and moves the tls origins below it', edit: (l) => l.splice(l.indexOf('      service: s2'), 0, '      priority: 3'), spliced: 1 },
    { desc: 'an edit that only changes a rule splices', edit: (l) => (l[l.indexOf('      rule: "Host(`h1.test`)"')] = '      rule: "Host(`x.test`)"'), spliced: 1 },
    { desc: 'an edit inside the tls section reads the file whole', edit: (l) => (l[l.indexOf('      sniStrict: true')] = '      sniStrict: false'), spliced: 0 },
    { desc: 'adding a certificate reads the file whole', edit: (l) => l.splice(l.indexOf('  options:'), 0, '    - {certFile: b.crt, keyFile: b.key}'), spliced: 0 },
    { desc: 'an invalid tls edit reads whole and reports it', edit: (l) => (l[l.indexOf('      sniStrict: true')] = '      sniStrict: maybe'), spliced: 0 },
  ];
  for (const c of edits) {
    void it(c.desc, () => {
      const lines = base();
      const first = translateFiles([{ path: 'd.yml', text: y(lines) }]);
      assert.deepEqual(first.diagnostics, []);
      const next = [...lines];
      c.edit(next);
      const step = translateFiles([{ path: 'd.yml', text: y(next) }], first.cache);
      const whole = translateFiles([{ path: 'd.yml', text: y(next) }], first.cache, { splice: false });
      assert.equal(step.incremental ?? 0, c.spliced);
      assert.deepEqual(plain(step), plain(whole));
      // And a second edit after the splice still matches a whole read.
      const again = [...next];
      again.splice(again.indexOf('      service: s0'), 0, '      priority: 9');
      const step2 = translateFiles([{ path: 'd.yml', text: y(again) }], step.cache);
      const whole2 = translateFiles([{ path: 'd.yml', text: y(again) }], step.cache, { splice: false });
      assert.deepEqual(plain(step2), plain(whole2));
    });
  }
});

void describe('file provider: splicing with a tls section, random edits', () => {
  const N = 12;
  /** Routers, then the tls section, then services: tls origins sit between two collections' blocks. */
  const base = (): string[] => [...routers(N), ...TLS];
  const layout = (): string[] => {
    const out = [...routers(N)];
    out.push('  services:');
    for (let i = 0; i < N; i++) out.push(`    s${i}:`, '      loadBalancer:', `        servers: [{url: "http://127.0.0.1:${1000 + i}"}]`);
    return [...TLS, ...out];
  };
  type Edit = (l: string[], r: number) => void;
  const EDITS: readonly Edit[] = [
    (l, r) => { const at = l.indexOf(`      service: s${r % N}`); if (at >= 0) l.splice(at, 0, '      priority: 4'); },
    (l, r) => { const at = l.indexOf(`      service: s${r % N}`); if (at >= 0) l.splice(at, 0, '      # comment', ''); },
    (l, r) => { const at = l.indexOf(`      rule: "Host(\`h${r % N}.test\`)"`); if (at >= 0) l.splice(at, 1, '      rule: "Host(`z.test`)"', '      priority: 2'); },
    (l) => { const at = l.indexOf('      sniStrict: true'); if (at >= 0) l.splice(at, 0, '      minVersion: VersionTLS13'); },
    (l, r) => { const at = l.indexOf(`        servers: [{url: "http://127.0.0.1:${1000 + (r % N)}"}]`); if (at >= 0) l.splice(at, 0, '        passHostHeader: false'); },
  ];
  for (const [desc, make] of [
    ['tls after the http section', base],
    ['tls before the http section', layout],
  ] as const) {
    void it(`gives what a whole read gives (${desc})`, () => {
      let spliced = 0;
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(EDITS.length - 1), fc.nat(1000)), { minLength: 1, maxLength: 5 }), (steps) => {
          let text = make();
          let cache = translateFiles([{ path: 'd.yml', text: y(text) }]).cache;
          for (const [which, rnd] of steps) {
            const next = [...text];
            (EDITS[which] as Edit)(next, rnd);
            text = next;
            const step = translateFiles([{ path: 'd.yml', text: y(text) }], cache);
            spliced += step.incremental ?? 0;
            assert.deepEqual(plain(step), plain(translateFiles([{ path: 'd.yml', text: y(text) }], cache, { splice: false })));
            cache = step.cache;
          }
        }),
        { numRuns: 60 },
      );
      assert.ok(spliced > 0, 'some edits were spliced');
    });
  }
});
