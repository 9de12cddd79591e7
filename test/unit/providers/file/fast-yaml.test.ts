/**
 * The fast YAML path (js-yaml) must read every file exactly as the careful path (the `yaml`
 * package's Document) does, or step aside. Differential: every YAML example of Traefik's
 * documentation and generated router files decode to the same data both ways; object lines equal
 * the careful locator's; aliases, directives and bad files fall back to the careful path.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { loadFastYaml } from '../../../../src/config/paths/fast-yaml.js';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';
import { repoRoot } from '../../config/static/fixtures.js';

const COMPAT = join(repoRoot(), '..', 'shared', 'compat', 'traefik-v3');

/** The careful path's data, with bigints that fit a double as numbers (the fast path's choice). */
function careful(text: string): unknown {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, intAsBigInt: true });
  if (doc.errors.length > 0) return undefined;
  return normalise(doc.toJS({ maxAliasCount: 1000 }));
}

function normalise(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

void describe('fast YAML path', () => {
  void it('decodes every YAML example of the compat corpus as the careful path does', (t) => {
    const index = join(COMPAT, 'INDEX.tsv');
    if (!existsSync(index)) {
      t.skip(`no compat examples at ${COMPAT}`);
      return;
    }
    const [header, ...rows] = readFileSync(index, 'utf8').trimEnd().split('\n');
    const fileCol = (header ?? '').split('\t').indexOf('file');
    let compared = 0;
    for (const row of rows) {
      const file = row.split('\t')[fileCol] ?? '';
      if (!/\.ya?ml$/.test(file)) continue;
      const text = readFileSync(join(COMPAT, file), 'utf8');
      const fast = loadFastYaml(text);
      const slow = careful(text);
      if (fast === undefined) continue; // stepped aside: the careful path decides
      assert.notEqual(slow, undefined, `${file}: the fast path accepted a file the careful path rejects`);
      assert.deepEqual(normalise(fast.raw), slow, file);
      compared++;
    }
    assert.ok(compared > 300, `only ${compared} examples compared`);
  });

  const table: { desc: string; text: string; expect: unknown }[] = [
    { desc: 'core schema scalars', text: 'a: yes\nb: true\nc: ~\nd: 0x1F\ne: 1.5\nf: "007"\ng: 2001-12-14\n', expect: { a: 'yes', b: true, c: null, d: 31, e: 1.5, f: '007', g: '2001-12-14' } },
    { desc: 'integers beyond 2^53 stay exact', text: 'n: 9223372036854775807\nm: -9007199254740993\n', expect: { n: 9223372036854775807n, m: -9007199254740993n } },
    { desc: 'merge keys', text: 'base: {x: 1}\nr:\n  <<: {x: 2, y: 3}\n  y: 4\n', expect: { base: { x: 1 }, r: { x: 2, y: 4 } } },
  ];
  for (const c of table) {
    void it(c.desc, () => {
      assert.deepEqual(loadFastYaml(c.text)?.raw, c.expect);
    });
  }

  void it('steps aside for aliases of collections, %TAG directives, duplicate keys and syntax errors', () => {
    assert.equal(loadFastYaml('a: &x {p: 1}\nb: *x\n'), undefined);
    assert.equal(loadFastYaml('%TAG ! tag:example.com,2000:\n---\na: 1\n'), undefined);
    assert.equal(loadFastYaml('a: 1\na: 2\n'), undefined);
    assert.equal(loadFastYaml('a: [1\n'), undefined);
    // A scalar alias is harmless and stays on the fast path.
    assert.deepEqual(loadFastYaml('a: &s text\nb: *s\n')?.raw, { a: 'text', b: 'text' });
  });

  void it("gives each object's line, as the careful locator does", () => {
    const text = ['http:', '  routers:', '    # a comment', '    a:', '      rule: Host(`a`)', '    b: {rule: "Host(`b`)"}', '    c:', '', '      rule: x', ''].join('\n');
    const parsed = parseDynamicFile('d.yml', text);
    assert.ok(parsed.ok && parsed.locateLine);
    const raw = parsed.raw as { http: { routers: Record<string, object> } };
    for (const name of ['a', 'b', 'c']) {
      const path = ['http', 'routers', name];
      assert.equal(parsed.locateLine(path, raw.http.routers[name]), parsed.locate(path)?.line, name);
    }
    assert.deepEqual([4, 6, 7].map((l, i) => l === parsed.locate(['http', 'routers', ['a', 'b', 'c'][i] ?? ''])?.line), [true, true, true]);
  });

  void it('gives the text of each object, which changes exactly when its data does', () => {
    const one = loadFastYaml('r:\n  a:\n    x: 1\n  b:\n    x: 2\n');
    const two = loadFastYaml('r:\n  a:\n    x: 1\n  b:\n    x: 3\n');
    assert.ok(one && two);
    const text = (f: typeof one, t: string, name: string): string => {
      const node = (f.raw as { r: Record<string, object> }).r[name] ?? {};
      const span = f.spanOf(node);
      assert.ok(span);
      return t.slice(span[0], span[1]);
    };
    assert.equal(text(one, 'r:\n  a:\n    x: 1\n  b:\n    x: 2\n', 'a'), text(two, 'r:\n  a:\n    x: 1\n  b:\n    x: 3\n', 'a'));
    assert.notEqual(text(one, 'r:\n  a:\n    x: 1\n  b:\n    x: 2\n', 'b'), text(two, 'r:\n  a:\n    x: 1\n  b:\n    x: 3\n', 'b'));
  });

  void it("gives strings of their own, which do not keep the file's text in memory", () => {
    // V8 would make them slices of the parser's copy of the text (kept whole by any one of them).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 8 MB of comment (two-byte: 16 MB in V8), then strings plain, quoted and with escapes.
    let yaml = `# ${'\u20ac'.repeat(8 * 1024 * 1024)}\nhttp:\n  routers:\n`;
    for (let i = 0; i < 200; i++) yaml += `    r${i}:\n      rule: Host(\`host-${i}.example.com\`)\n      service: "a-long-service-name-${i}\\t\\u00e9"\n`;
    gc();
    const before = getHeapStatistics().used_heap_size;
    const kept = (() => {
      const parsed = loadFastYaml(yaml);
      assert.ok(parsed);
      const routers = (parsed.raw as { http: { routers: Record<string, { rule: string; service: string }> } }).http.routers;
      return Object.values(routers).flatMap((r) => [r.rule, r.service]);
    })();
    yaml = '';
    gc();
    gc();
    const grown = getHeapStatistics().used_heap_size - before;
    assert.equal(kept[1], 'a-long-service-name-0\t\u00e9');
    assert.ok(grown < 2 * 1024 * 1024, `400 strings keep ${grown} bytes`);
  });
});
