/**
 * Splicing one edited object into a large file (incremental.ts) must give exactly what reading the
 * whole new text gives: a differential test over random edits of a generated file (rules, added and
 * removed lines, comments, server URLs, several routers at once, keys, whole blocks), comparing
 * config, origins and diagnostics with a whole read from the same cache, and counting how often
 * splicing was used.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FileCache, type FileTranslation, translateFiles, translateFilesSteps } from '../../../../src/providers/file/translate.js';

const N = 40;

function lines(n: number): string[] {
  const out = ['http:', '  routers:'];
  for (let i = 0; i < n; i++) {
    out.push(`    r${i}:`, '      entryPoints: [web]', `      rule: "Host(\`h${i}.test\`)"`, `      service: s${i}`);
    // Characters of two, three and four bytes: the new read is compared as bytes (file-text.ts).
    if (i % 7 === 3) out.push('      # café ☕ 𝄞');
  }
  out.push('  services:');
  for (let i = 0; i < n; i++) out.push(`    s${i}:`, '      loadBalancer:', '        servers:', `          - url: "http://127.0.0.1:${1000 + i}"`);
  return out;
}

type Edit = (l: string[], rnd: number) => void;
const EDITS: readonly Edit[] = [
  (l, r) => { const i = r % N; const at = l.indexOf(`      rule: "Host(\`h${i}.test\`)"`); if (at >= 0) l[at] = `      rule: "Host(\`h${i}-x.test\`)"`; },
  (l, r) => { const i = r % N; const at = l.indexOf(`      service: s${i}`); if (at >= 0) l.splice(at + 1, 0, '      priority: 7'); },
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.startsWith('      ')) l.splice(at, 0, '      # a comment'); },
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.startsWith('      entryPoints')) l.splice(at, 1); },
  (l, r) => { const i = r % N; const at = l.indexOf(`          - url: "http://127.0.0.1:${1000 + i}"`); if (at >= 0) l.splice(at + 1, 0, `          - url: "http://127.0.0.1:${2000 + i}"`); },
  (l, r) => { const i = r % N; const at = l.indexOf(`    r${i}:`); if (at >= 0) l[at] = `    q${i}:`; },
  (l, r) => { const at = 2 + (r % (4 * N)); l.splice(at, 0, ''); },
  (l, r) => { const i = r % N; const at = l.indexOf(`      service: s${i}`); if (at >= 0) l[at] = `      service: s${(i + 1) % N}`; },
  (l, r) => { const i = r % N; const at = l.indexOf(`      service: s${i}`); if (at >= 0) l[at] = '      service: [not, a, string]'; },
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.startsWith('      ')) l[at] = '  ' + (l[at] ?? ''); },
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.startsWith('      ')) l[at] = (l[at] ?? '').slice(2); },
  (l, r) => { const i = r % N; const at = l.indexOf(`      rule: "Host(\`h${i}.test\`)"`); if (at >= 0) l[at] = `      rule: "Host(\`h${i}.test\`) || Header(\`X-Ünï\`, \`☕𝄞\`)"`; },
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.includes('☕')) l[at] = (l[at] ?? '').replace('☕', '€'); },
  // Go template braces (the whole read warns about a template; a lone `{{` is plain text).
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.startsWith('      ')) l.splice(at, 0, r % 2 === 0 ? '      # {{ .Name }}' : '      # {{'); },
  (l, r) => { const at = 2 + (r % (4 * N)); if (l[at]?.startsWith('      ')) l[at] = (l[at] ?? '') + ' # {'; },
];

function plain(t: FileTranslation): unknown {
  return JSON.parse(JSON.stringify({ config: t.config, origins: [...t.origins], diagnostics: t.diagnostics.map((d) => ({ ...d, message: d.message })) })) as unknown;
}

void describe('translateFiles: splicing a one-object edit', () => {
  // The file as bytes: plain, with a byte-order mark, with no final newline, with CRLF line ends,
  // and with a byte that is not UTF-8 inside the first router's block.
  // Also as the file provider reads: records keyed by qualified names, references qualified.
  const VARIANTS: readonly { name: string; bytes: (l: readonly string[]) => Buffer; spliced: number; provider?: string }[] = [
    { name: 'plain', bytes: (l) => Buffer.from(l.join('\n') + '\n'), spliced: 50 },
    { name: 'plain, with the provider name', bytes: (l) => Buffer.from(l.join('\n') + '\n'), spliced: 50, provider: 'file' },
    { name: 'with a byte-order mark', bytes: (l) => Buffer.from('\uFEFF' + l.join('\n') + '\n'), spliced: 0 },
    { name: 'with no final newline', bytes: (l) => Buffer.from(l.join('\n')), spliced: 0 },
    { name: 'with CRLF line ends', bytes: (l) => Buffer.from(l.join('\r\n') + '\r\n'), spliced: 20 },
    {
      name: 'with a byte that is not UTF-8',
      bytes: (l) => {
        const at = l.indexOf('    r1:');
        return Buffer.concat([Buffer.from(l.slice(0, at + 1).join('\n') + '\n      # \u00ff'), Buffer.from([0xff]), Buffer.from('\n' + l.slice(at + 1).join('\n') + '\n')]);
      },
      // Kept as bytes (the text has U+FFFD for that byte): compared as bytes, and read whole.
      spliced: 0,
    },
  ];
  for (const variant of VARIANTS) {
    void it(`gives what a whole read gives, on random edits (${variant.name})`, () => {
      let spliced = 0;
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(EDITS.length - 1), fc.nat(100_000)), { minLength: 1, maxLength: 6 }), (steps) => {
          let text = lines(N);
          const options = variant.provider === undefined ? {} : { provider: variant.provider };
          let cache: FileCache = translateFiles([{ path: 'd.yml', bytes: variant.bytes(text) }], undefined, options).cache;
          for (const [which, rnd] of steps) {
            const next = [...text];
            (EDITS[which] as Edit)(next, rnd);
            text = next;
            const bytes = variant.bytes(text);
            const step = translateFiles([{ path: 'd.yml', bytes }], cache, options);
            spliced += step.incremental ?? 0;
            const whole = translateFiles([{ path: 'd.yml', bytes }], cache, { ...options, splice: false });
            assert.deepEqual(plain(step), plain(whole));
            cache = step.cache;
          }
        }),
        { numRuns: variant.name.startsWith('plain') ? 150 : 60, seed: 42 },
      );
      if (variant.spliced === 0) assert.equal(spliced, 0, 'read whole');
      else assert.ok(spliced > variant.spliced, `splicing was used ${spliced} times`);
    });
  }

  void it('splices objects whose text is over 64 KB (their offsets no longer fit 16 bits)', () => {
    const long = (n: number): string => `Host(\`h1.test\`) || Path(\`/${'x'.repeat(n)}\`)`;
    const body = lines(N).join('\n') + '\n';
    // Every block small, then one edit makes r1's block 70 KB, then another edit in it.
    const first = translateFiles([{ path: 'd.yml', text: body }], undefined, { provider: 'file' });
    let cache = first.cache;
    for (const text of [body.replace('Host(`h1.test`)', long(70_000)), body.replace('Host(`h1.test`)', long(70_001)), body.replace('Host(`h2.test`)', 'Host(`h2-x.test`)').replace('Host(`h1.test`)', long(70_001))]) {
      const step = translateFiles([{ path: 'd.yml', text }], cache, { provider: 'file' });
      assert.equal(step.incremental, 1, 'spliced');
      assert.deepEqual(plain(step), plain(translateFiles([{ path: 'd.yml', text }], cache, { provider: 'file', splice: false })));
      assert.ok(step.cache.get('d.yml')?.incremental?.blocks.valueEnds instanceof Int32Array, 'widened to 32 bits');
      cache = step.cache;
    }
    // Read whole with a 70 KB block from the start, then edited.
    const big = body.replace('Host(`h1.test`)', long(70_000));
    assert.ok(first.cache.get('d.yml')?.incremental?.blocks.valueEnds instanceof Uint16Array, '16 bits while every block is small');
    const whole = translateFiles([{ path: 'd.yml', text: big }]);
    assert.ok(whole.cache.get('d.yml')?.incremental?.blocks.valueEnds instanceof Int32Array);
    const edited = big.replace('Host(`h3.test`)', 'Host(`h3-x.test`)');
    const step = translateFiles([{ path: 'd.yml', text: edited }], whole.cache);
    assert.equal(step.incremental, 1);
    assert.deepEqual(plain(step), plain(translateFiles([{ path: 'd.yml', text: edited }], whole.cache, { splice: false })));
  });

  void it('does not splice an edit that reaches into the next key line', () => {
    const body = lines(N).join('\n') + '\n';
    const first = translateFiles([{ path: 'd.yml', text: body }]);
    // One save: r1's rule edited and r2's key indented under it (no longer a router of its own).
    const edited = body.replace('Host(`h1.test`)', 'Host(`h1-x.test`)').replace('\n    r2:', '\n      r2:');
    const step = translateFiles([{ path: 'd.yml', text: edited }], first.cache);
    assert.equal(step.incremental, 0);
    assert.deepEqual(plain(step), plain(translateFiles([{ path: 'd.yml', text: edited }], first.cache, { splice: false })));
  });

  void it('takes a file with bytes that are not UTF-8 as unchanged when its bytes are', () => {
    const a = Buffer.concat([Buffer.from(lines(3).join('\n') + '\n# '), Buffer.from([0xff]), Buffer.from('\n')]);
    const b = (host: string): Buffer => Buffer.from(lines(3).join('\n').replaceAll('r', 'q').replaceAll('s', 't').replace('h0.test', host) + '\n');
    const first = translateFiles([{ path: 'a.yml', bytes: a }, { path: 'b.yml', bytes: b('h0.test') }]);
    const second = translateFiles([{ path: 'a.yml', bytes: Buffer.from(a) }, { path: 'b.yml', bytes: b('changed.test') }], first.cache);
    assert.equal(second.cache.get('a.yml'), first.cache.get('a.yml'), 'a.yml is as it was');
    assert.deepEqual(second.current, new Set(['a.yml', 'b.yml']));
  });

  void it('reads bytes as it reads the same text', () => {
    const body = lines(N).join('\n') + '\n';
    const first = translateFiles([{ path: 'd.yml', bytes: Buffer.from(body) }]);
    assert.deepEqual(plain(first), plain(translateFiles([{ path: 'd.yml', text: body }])));
    const edited = body.replace('Host(`h3.test`)', 'Host(`h3-ü.test`)');
    const second = translateFiles([{ path: 'd.yml', bytes: Buffer.from(edited) }], first.cache);
    assert.equal(second.incremental, 1);
    assert.deepEqual(plain(second), plain(translateFiles([{ path: 'd.yml', text: edited }], first.cache, { splice: false })));
    // The same bytes again: nothing to read.
    const third = translateFiles([{ path: 'd.yml', bytes: Buffer.from(edited) }], second.cache);
    assert.equal(third.cache.get('d.yml'), second.cache.get('d.yml'));
  });

  void it('splices a one-router edit of a 10,000-router file, keeping every other object', () => {
    const big = (host: string): string => lines(10_000).join('\n').replace('Host(`h5000.test`)', `Host(\`${host}\`)`) + '\n';
    const first = translateFiles([{ path: 'd.yml', text: big('h5000.test') }]);
    const second = translateFiles([{ path: 'd.yml', text: big('changed.test') }], first.cache);
    assert.equal(second.incremental, 1);
    assert.equal((second.config.http.routers['r5000'] as { rule: string }).rule, 'Host(`changed.test`)');
    assert.equal(second.config.http.routers['r4999'], first.config.http.routers['r4999']);
    assert.equal(second.config.http.services['s5000'], first.config.http.services['s5000']);
  });
});

void describe('translateFilesSteps: a one-object edit in slices', () => {
  void it('yields during the copy of a large collection and ends with what translateFiles gives', () => {
    const n = 5000;
    const text = lines(n);
    const cache = translateFiles([{ path: 'd.yml', text: text.join('\n') + '\n' }]).cache;
    const at = text.indexOf('      rule: "Host(`h2500.test`)"');
    text[at] = '      rule: "Host(`h2500-x.test`)"';
    const body = text.join('\n') + '\n';
    const steps = translateFilesSteps([{ path: 'd.yml', text: body }], cache);
    let yields = 0;
    let r = steps.next();
    while (r.done !== true) {
      yields++;
      r = steps.next();
    }
    assert.equal(r.value.incremental, 1, 'spliced');
    // The edit, then one checkpoint per 1,024 of the 5,000 router names copied.
    assert.ok(yields >= 5, `${yields} yields`);
    assert.deepEqual(plain(r.value), plain(translateFiles([{ path: 'd.yml', text: body }], cache, { splice: false })));
  });
});
