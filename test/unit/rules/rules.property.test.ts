/**
 * Property tests (fast-check):
 * (a) compiling any string either succeeds or throws RuleError, never anything else;
 * (b) on random rule sets and requests the indexed table picks the same router as the scan;
 * (c) so does a table updated from a previous one (entries removed and added, as at a reload).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compileRule,
  createIndexedTable,
  createScanTable,
  defaultPriority,
  indexedTableSteps,
  matchesRule,
  RuleError,
  updatedTableSteps,
  type RouteEntry,
  type RouteTable,
} from '../../../src/rules/index.js';
import { makeRequest, type RequestSpec } from '../../suites/match-request.js';

function onlyRuleErrors(rule: string): void {
  try {
    const compiled = compileRule(rule);
    // Evaluating a compiled rule must not throw either.
    matchesRule(compiled, makeRequest({ query: 'a=1&q', headers: ['X-A', '1'] }));
  } catch (e) {
    if (!(e instanceof RuleError)) throw new Error(`non-RuleError for ${JSON.stringify(rule)}: ${String(e)}`);
  }
}

const TOKENS = [
  'Host', 'PathPrefix', 'HostRegexp', 'Header', 'HeaderRegexp', 'Query', 'QueryRegexp', 'ClientIP', 'Method',
  'Path', 'PathRegexp', 'Pathprefix', 'HOST', 'hots', '(', ')', ',', '&&', '||', '!', '&', '|', '`', '"', "'",
  '`a`', '`/x`', '"\\x41"', '"\\', '"\\u00e9"', '`(`', '`[`', '`\\1`', '`(?i)a`', '`10.0.0.0/8`', '`::1`', '`*`',
  ' ', '\n', '`é`', '`*.a`', '``', '""', '"\\377"', '1', '#', '\\',
];

const RE_TOKENS = [
  'a', 'Z', '0', '1', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', ',', '^', '$', '|', '\\', 'd', 's', 'w',
  'p', 'P', 'Q', 'E', 'x', 'z', 'A', 'b', 'i', 'm', 'U', '-', ':', '<', '>', '=', '!', 'L', '{L}', '(?', '(?P<',
  '[:', ':]', '[[:alpha:]]', '\\p{Greek}', '\\x{41}', '(?i)', '(?-i)', '(?s:', 'é', '😀',
];

void describe('property: the compiler throws only RuleError', () => {
  void it('random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), onlyRuleErrors), { numRuns: 2000 });
  });

  void it('token soup', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }).map((t) => t.join(''));
    fc.assert(fc.property(soup, onlyRuleErrors), { numRuns: 3000 });
  });

  void it('random regexps in every regexp matcher', () => {
    const pattern = fc.array(fc.constantFrom(...RE_TOKENS), { maxLength: 14 }).map((t) => t.join(''));
    fc.assert(
      fc.property(pattern, fc.constantFrom('PathRegexp', 'HostRegexp', 'QueryRegexp(`q`, ', 'HeaderRegexp(`X-A`, '), (p, m) => {
        const rule = m.endsWith(' ') ? `${m}"${p.replaceAll('\\', '\\\\')}")` : `${m}("${p.replaceAll('\\', '\\\\')}")`;
        onlyRuleErrors(rule);
      }),
      { numRuns: 3000 },
    );
  });
});

// ---- (b) indexed == scan ------------------------------------------------------------------------

const HOSTS = ['a.test', 'b.test', 'x.a.test', 'A.TEST', 'a.test.', '*.a.test', '*', '::1', '[::1]', '*.test', 'test'];
const HOST_RES = ['^[a-z]+\\.a\\.test$', '\\.test$', 'a', '^b', '(?i)^X\\.A\\.TEST$', '.', 'a\\.test$', '^(?:x\\.)?a\\.test$'];
const PATHS = ['/', '/a', '/a/b', '/b', '/ab'];
const PREFIXES = ['/', '/a', '/a/', '/ab', '/b', '/a/b/c'];
const HEADERS: [string, string][] = [['X-A', '1'], ['x-a', '2'], ['X-B', '1'], ['Host', 'a.test']];
const QUERIES = ['Query(`q`)', 'Query(`q`, `1`)', 'Query(`r`, `2`)', 'QueryRegexp(`q`, `^1$`)'];

const atom = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTS).map((h) => `Host(\`${h}\`)`) },
  { weight: 2, arbitrary: fc.constantFrom(...HOST_RES).map((r) => `HostRegexp(\`${r}\`)`) },
  { weight: 2, arbitrary: fc.constantFrom(...PATHS).map((p) => `Path(\`${p}\`)`) },
  { weight: 3, arbitrary: fc.constantFrom(...PREFIXES).map((p) => `PathPrefix(\`${p}\`)`) },
  { weight: 1, arbitrary: fc.constantFrom('GET', 'post', 'PUT').map((m) => `Method(\`${m}\`)`) },
  { weight: 2, arbitrary: fc.constantFrom(...HEADERS).map(([k, v]) => `Header(\`${k}\`, \`${v}\`)`) },
  { weight: 1, arbitrary: fc.constantFrom(...QUERIES) },
  { weight: 1, arbitrary: fc.constantFrom('10.0.0.0/8', '::1', '192.0.2.1').map((ip) => `ClientIP(\`${ip}\`)`) },
  { weight: 1, arbitrary: fc.constantFrom('^/a', 'b$').map((r) => `PathRegexp(\`${r}\`)`) },
);

const { rule: ruleArb } = fc.letrec<{ rule: string }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 4 },
    { weight: 5, arbitrary: atom },
    { weight: 2, arbitrary: fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `${a} && ${b}`) },
    { weight: 2, arbitrary: fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `${a} || ${b}`) },
    { weight: 1, arbitrary: tie('rule').map((a) => `!(${a})`) },
    { weight: 1, arbitrary: tie('rule').map((a) => `(${a})`) },
  ),
}));

const entriesArb = fc
  .array(
    fc.record({
      rule: ruleArb,
      priority: fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 3 })),
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
    }),
    { maxLength: 30 },
  )
  .map((list) =>
    list.map(
      (e, i): RouteEntry<number> => ({
        name: `${e.name}${i % 3}`,
        rule: compileRule(e.rule),
        priority: e.priority === 0 ? defaultPriority(e.rule) : e.priority,
        value: i,
      }),
    ),
  );

const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  host: fc.constantFrom('a.test', 'A.TEST:80', 'a.test.', 'x.a.test', 'X.A.test', 'y.x.a.test', 'b.test', '', '[::1]:8080', 'test', 'a.test..', 'ab.test'),
  path: fc.constantFrom('/', '/a', '/a/b', '/ab', '/b', '/x', '/a/b/c/d'),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'post'),
  headers: fc.subarray(['X-A', '1', 'x-a', '2', 'X-B', '1', 'Host', 'a.test', 'X-B', '3']).map((h) => (h.length % 2 === 0 ? h : h.slice(0, -1))),
  query: fc.constantFrom(null, 'q', 'q=1', 'r=2&q=', 'q=1;r=2', 'q=2&q=1'),
  peer: fc.constantFrom('10.1.2.3', '::1', '192.0.2.1', '::ffff:10.0.0.1', ''),
});

void describe('property: indexed table == scan table', () => {
  void it('same router for random rule sets and requests', () => {
    fc.assert(
      fc.property(entriesArb, fc.array(requestArb, { minLength: 1, maxLength: 12 }), (entries, requests) => {
        const scan = createScanTable(entries);
        const indexed = createIndexedTable(entries);
        for (const spec of requests) {
          const want = scan.match(makeRequest(spec));
          const got = indexed.match(makeRequest(spec));
          assert.equal(got, want, `request ${JSON.stringify(spec)}: indexed=${got?.rule.source} scan=${want?.rule.source}`);
        }
      }),
      { numRuns: 600 },
    );
  });
});

/** Runs a table generator to its end. */
function run<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

void describe('property: a table updated from the previous one == scan table', () => {
  void it('same router after removing and adding entries (reloads), and with a previous order', () => {
    fc.assert(
      fc.property(entriesArb, entriesArb, fc.array(fc.boolean(), { maxLength: 30 }), fc.array(requestArb, { minLength: 1, maxLength: 10 }), (first, more, drop, requests) => {
        // Router names are unique in a compiler's table.
        const unique = (list: RouteEntry<number>[], tag: string): RouteEntry<number>[] => list.map((e, i) => ({ ...e, name: `${e.name}-${tag}${i}` }));
        const before = unique(first, 'a');
        const added = unique(more, 'b');
        const removed = before.filter((_, i) => drop[i] === true);
        const after = [...before.filter((_, i) => drop[i] !== true), ...added];
        const previous = createIndexedTable(before);
        const updated = run(updatedTableSteps(previous, removed, added));
        const merged = run(indexedTableSteps(after, previous));
        const scan = createScanTable(after);
        assert.deepEqual(updated.entries, scan.entries);
        assert.deepEqual(merged.entries, scan.entries);
        for (const spec of requests) {
          const want = scan.match(makeRequest(spec));
          assert.equal(updated.match(makeRequest(spec)), want, `updated, request ${JSON.stringify(spec)}`);
          assert.equal(merged.match(makeRequest(spec)), want, `merged, request ${JSON.stringify(spec)}`);
        }
        if (removed.length === 0 && added.length === 0) assert.equal(updated, previous, 'no change: the same table');
      }),
      { numRuns: 400 },
    );
  });
});

void describe('property: chains of small updates (entries numbered between their neighbours)', () => {
  const step = fc.record({ drop: fc.array(fc.nat(), { maxLength: 2 }), add: entriesArb.map((l) => l.slice(0, 2)) });
  void it('each table of the chain routes as the scan, and deriving one leaves the previous one as it was', () => {
    fc.assert(
      fc.property(entriesArb, entriesArb, fc.array(step, { minLength: 1, maxLength: 8 }), fc.array(requestArb, { minLength: 1, maxLength: 6 }), (a, b, steps, requests) => {
        let n = 0;
        const named = (list: RouteEntry<number>[]): RouteEntry<number>[] => list.map((e) => ({ ...e, name: `${e.name}-${n++}` }));
        let entries = named([...a, ...b]);
        let table = createIndexedTable(entries);
        const history: { table: typeof table; want: (RouteEntry<number> | undefined)[] }[] = [];
        const answers = (t: typeof table): (RouteEntry<number> | undefined)[] => requests.map((spec) => t.match(makeRequest(spec)));
        for (const s of steps) {
          history.push({ table, want: answers(table) });
          const removed = [...new Set(s.drop.map((i) => entries[i % Math.max(entries.length, 1)]).filter((e) => e !== undefined))];
          const added = named(s.add);
          entries = [...entries.filter((e) => !removed.includes(e)), ...added];
          table = run(updatedTableSteps(table, removed, added));
          const scan = createScanTable(entries);
          assert.deepEqual(table.entries, scan.entries);
          for (const spec of requests) assert.equal(table.match(makeRequest(spec)), scan.match(makeRequest(spec)), `request ${JSON.stringify(spec)}`);
        }
        for (const h of history) assert.deepEqual(answers(h.table), h.want, 'an earlier table answers as it did');
      }),
      { numRuns: 300 },
    );
  });

  void it('many additions at one place run out of numbers between two neighbours and the table is filed again, equal to the scan', () => {
    const entry = (name: string, rule: string): RouteEntry<number> => ({ name, rule: compileRule(rule), priority: 1, value: 0 });
    let entries = [entry('a', 'PathPrefix(`/`)'), entry('z', 'Host(`z.test`)')];
    for (let i = 0; i < 50; i++) entries.push(entry(`q${i}`, 'Host(`other.test`)'));
    let table = createIndexedTable(entries);
    // Each new name sorts right after "a" and before the previous ones: the same gap, halved each
    // time. Two per update, so that numbers run out in the middle of an update too.
    for (let k = 0; k < 80; k++) {
      const added = [0, 1].map((j) => entry(`b${String(9999 - 2 * k - j).padStart(4, '0')}`, (k + j) % 2 === 0 ? 'Host(`z.test`)' : 'PathPrefix(`/x`)'));
      entries = [...entries, ...added];
      table = run(updatedTableSteps(table, [], added));
      assert.equal(table.size, entries.length, `after ${k + 1} updates, every entry once`);
      const scan = createScanTable(entries);
      assert.deepEqual(table.entries, scan.entries);
      for (const spec of [{ host: 'z.test', path: '/' }, { host: 'other.test', path: '/x/y' }, { host: 'n.test', path: '/x' }]) {
        assert.equal(table.match(makeRequest(spec)), scan.match(makeRequest(spec)), `after ${k + 1} additions, ${JSON.stringify(spec)}`);
      }
    }
  });
});

void describe('property: new entries next to removed ones (a save that edits neighbours)', () => {
  const RULES = ['Host(`a.test`)', 'PathPrefix(`/`)', 'PathPrefix(`/a`)', 'Method(`GET`)', 'Header(`X-A`, `1`)', 'Path(`/a`)', 'Host(`other.test`)', 'HostRegexp(`^a`)'];
  const REQUESTS: RequestSpec[] = [
    { host: 'a.test', path: '/a', method: 'GET', headers: ['X-A', '1'] },
    { host: 'b.test', path: '/', method: 'GET' },
    { host: 'a.test', path: '/', method: 'POST' },
    { host: 'other.test', path: '/a', method: 'PUT', headers: ['X-A', '1'] },
  ];
  const entry = (name: string, rule: number): RouteEntry<number> => ({ name, rule: compileRule(RULES[rule % RULES.length] as string), priority: 1, value: 0 });
  const slotOrders = (t: unknown): number[] => (t as { slots: readonly { order: number }[] }).slots.map((x) => x.order);

  void it('numbers every new entry between its kept neighbours, in order, and routes as the scan', () => {
    // A run of consecutive entries (same priority: ordered by name) is removed, and new ones are
    // named to sort among, before and after them: several new entries between the same two kept
    // neighbours, with removed slots between their positions.
    const step = fc.record({ at: fc.nat(), run: fc.integer({ min: 0, max: 3 }), adds: fc.array(fc.record({ off: fc.integer({ min: -1, max: 4 }), rule: fc.nat(7) }), { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 40 }), fc.array(fc.nat(7), { minLength: 40, maxLength: 40 }), fc.array(step, { minLength: 1, maxLength: 6 }), (n, rules, steps) => {
        let entries = Array.from({ length: n }, (_, i) => entry(`e${String(i * 10).padStart(4, '0')}`, rules[i] as number));
        let table = createIndexedTable(entries);
        let tag = 0;
        for (const s of steps) {
          const sorted = [...table.entries];
          const at = s.at % sorted.length;
          const removed = sorted.slice(at, at + s.run);
          const added = s.adds.map((a) => {
            const ref = sorted[Math.min(Math.max(at + a.off, 0), sorted.length - 1)] as RouteEntry<number>;
            return entry(a.off === -1 && at === 0 ? ` ${tag++}` : `${ref.name}~${tag++}`, a.rule);
          });
          entries = [...entries.filter((e) => !removed.includes(e)), ...added];
          table = run(updatedTableSteps(table, removed, added));
          const scan = createScanTable(entries);
          assert.deepEqual(table.entries, scan.entries);
          const orders = slotOrders(table);
          for (let i = 1; i < orders.length; i++) assert.ok((orders[i] as number) > (orders[i - 1] as number), `slot numbers ascend: ${orders.join(' ')}`);
          for (const spec of REQUESTS) assert.equal(table.match(makeRequest(spec)), scan.match(makeRequest(spec)), `request ${JSON.stringify(spec)}`);
        }
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  void it('two neighbours edited in one save keep their order (a review case)', () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry(`e${String(i).padStart(2, '0')}`, 6));
    const table = createIndexedTable(entries);
    const e05 = { ...entry('e05', 1), rule: compileRule('PathPrefix(`/`)') };
    const e06 = { ...entry('e06', 0), rule: compileRule('Host(`a.test`)') };
    const removed = [entries[5], entries[6]] as RouteEntry<number>[];
    const updated = run(updatedTableSteps(table, removed, [e05, e06]));
    const scan = createScanTable([...entries.filter((e) => !removed.includes(e)), e05, e06]);
    assert.equal(updated.match(makeRequest({ host: 'a.test', path: '/' })), scan.match(makeRequest({ host: 'a.test', path: '/' })));
    assert.equal(scan.match(makeRequest({ host: 'a.test', path: '/' })), e05);
  });
});

void describe('a long run of one-router reloads', () => {
  void it('routes as the scan after every reload, through the overlays of changed keys and the new bases made from them', () => {
    // A fixed pseudo-random walk (no seed to vary): 400 reloads of a 240-router table, each
    // replacing one router.
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // Many distinct hosts and header values: each reload changes one or two keys of a map, so the
    // overlays pass 64 keys and new bases are made.
    const ruleOf = (i: number): string => {
      switch (i % 6) {
        case 0:
          return `Host(\`h${i % 400}.test\`)`;
        case 1:
          return `Host(\`h${i % 400}.test\`) && PathPrefix(\`/p${i % 13}\`)`;
        case 2:
          return `HostRegexp(\`^r${i % 7}-[a-z]+\\.example\\.com$\`)`;
        case 3:
          return `Header(\`X-Tenant\`, \`t${i % 300}\`)`;
        case 4:
          return `Path(\`/x${i % 11}\`)`;
        default:
          return `Method(\`GET\`) && Query(\`q${i % 5}\`)`;
      }
    };
    let made = 0;
    const entry = (): RouteEntry<number> => {
      const i = made++;
      const rule = ruleOf(next(1000));
      return { name: `r${String(next(100000)).padStart(5, '0')}-${i}`, rule: compileRule(rule), priority: next(4) === 0 ? next(3) : defaultPriority(rule), value: i };
    };
    const requests: RequestSpec[] = [];
    for (let i = 0; i < 400; i += 7) {
      requests.push({ host: `h${i}.test`, path: `/p${i % 13}/z`, headers: ['X-Tenant', `t${i % 300}`] });
      requests.push({ host: `r${i % 7}-abc.example.com`, path: `/x${i % 11}`, query: `q${i % 5}=1` });
    }
    let entries = Array.from({ length: 240 }, entry);
    let table = createIndexedTable(entries);
    const first = table;
    const firstAnswers = requests.map((r) => first.match(makeRequest(r)));
    for (let k = 0; k < 400; k++) {
      const gone = entries[next(entries.length)] as RouteEntry<number>;
      const added = entry();
      entries = [...entries.filter((e) => e !== gone), added];
      table = run(updatedTableSteps(table, [gone], [added]));
      const scan = createScanTable(entries);
      for (const r of requests) assert.equal(table.match(makeRequest(r)), scan.match(makeRequest(r)), `reload ${k + 1}, ${JSON.stringify(r)}`);
    }
    assert.deepEqual(table.entries, createScanTable(entries).entries);
    assert.deepEqual(
      requests.map((r) => first.match(makeRequest(r))),
      firstAnswers,
      'the first table still answers as it did',
    );
  });
});

void describe('one key through every shape: none, a lone slot, a list (added to and removed from one at a time)', () => {
  // A key holding one rule keeps its slot without an array; from two rules on, a list. Each step
  // below changes one entry (an update that edits the index, not a table filed again: eight kept
  // fillers keep one change under REFILE_SHARE) and goes through one transition.
  const KINDS = [
    { kind: 'host', rule: 'Host(`k.test`)', request: { host: 'k.test' } },
    { kind: 'hostSuffix', rule: 'Host(`*.k.test`)', request: { host: 'x.k.test' } },
    { kind: 'header', rule: 'Header(`X-K`, `1`)', request: { headers: ['X-K', '1'] } },
    { kind: 'path', rule: 'Path(`/k`)', request: { path: '/k' } },
    { kind: 'pathPrefix', rule: 'PathPrefix(`/k`)', request: { path: '/k/z' } },
    // Twice under one key: filed once.
    { kind: 'host, twice', rule: 'Host(`k.test`) || Host(`k.test`)', request: { host: 'k.test' } },
    { kind: 'rest', rule: 'Method(`GET`)', request: { method: 'GET' } },
  ];
  /** The index's structures, as the white-box `shape` reads them. */
  interface Index {
    hostExact: ReadonlyMap<string, unknown>;
    hostSuffix: ReadonlyMap<string, unknown>;
    headers: ReadonlyMap<string, ReadonlyMap<string, unknown>>;
    pathExact: ReadonlyMap<string, unknown>;
    prefixRoot: { children: ReadonlyMap<number, { label: string; entries: unknown }> | null };
    rest: readonly unknown[];
  }
  /** What the table files under the key of a kind: 0 for nothing, 'lone' or the list's length. */
  const shape = (table: unknown, kind: string): number | 'lone' => {
    const index = (table as { index: Index }).index;
    const filed = ((): unknown => {
      switch (kind) {
        case 'hostSuffix':
          return index.hostSuffix.get('k.test');
        case 'header':
          return index.headers.get('x-k')?.get('1');
        case 'path':
          return index.pathExact.get('/k');
        case 'pathPrefix': {
          const node = index.prefixRoot.children?.get('/'.charCodeAt(0));
          return node?.label === '/k' ? node.entries : undefined;
        }
        case 'rest':
          return index.rest.length === 0 ? undefined : index.rest;
        default:
          return index.hostExact.get('k.test');
      }
    })();
    if (filed === undefined || filed === null) return 0;
    return Array.isArray(filed) ? filed.length : 'lone';
  };

  /** The slot of the first filler: the same object in every table derived by an update. */
  const fillerSlot = (table: unknown): unknown => (table as { slots: readonly { entry: { name: string } }[] }).slots.find((x) => x.entry.name === 'z0');

  for (const { kind, rule, request } of KINDS) {
    void it(kind, () => {
      // Entry `name` matches requests with ?n=<name>, and all of them (the first in match order wins)
      // those with ?all; all of them share the key.
      const entry = (name: string): RouteEntry<number> => ({ name, rule: compileRule(`(${rule}) && (Query(\`n\`, \`${name}\`) || Query(\`all\`))`), priority: 1, value: 0 });
      const fillers = Array.from({ length: 8 }, (_, i): RouteEntry<number> => ({ name: `z${i}`, rule: compileRule(`Host(\`f${i}.test\`)`), priority: 1, value: 0 }));
      const queries = ['n=a', 'n=b', 'n=c', 'n=d', 'n=e', 'n=none', 'all'];
      const answers = (t: RouteTable<number>): (RouteEntry<number> | undefined)[] => queries.map((query) => t.match(makeRequest({ ...request, query })));
      const rest = kind === 'rest';
      let entries = [...fillers];
      let table = createIndexedTable(entries);
      const history: { table: RouteTable<number>; want: (RouteEntry<number> | undefined)[] }[] = [];
      const byName = new Map<string, RouteEntry<number>>();
      // [added, removed, shape after]: the rest is a list whatever its length (the fillers are not in it).
      const steps: [string | null, string | null, number | 'lone'][] = [
        ['c', null, rest ? 1 : 'lone'], // none -> lone
        ['d', null, 2], // lone -> list, the new slot after
        ['b', null, 3], // the list grows, the new slot first
        [null, 'c', 2], // the list shrinks
        [null, 'b', rest ? 1 : 'lone'], // list -> lone
        ['a', null, 2], // lone -> list, the new slot before
        [null, 'd', rest ? 1 : 'lone'], // list -> lone
        ['e', 'a', rest ? 1 : 'lone'], // lone -> another lone, in one update
        [null, 'e', 0], // lone -> none
      ];
      for (const [add, remove, after] of steps) {
        history.push({ table, want: answers(table) });
        const added = add === null ? [] : [entry(add)];
        for (const e of added) byName.set(e.name, e);
        const removed = remove === null ? [] : [byName.get(remove) as RouteEntry<number>];
        entries = [...entries.filter((e) => !removed.includes(e)), ...added];
        table = run(updatedTableSteps(table, removed, added));
        assert.equal(fillerSlot(table), fillerSlot(history[0]?.table), 'updated in place of the change, not filed again');
        assert.equal(shape(table, kind), after, `after +${add} -${remove}`);
        assert.deepEqual(answers(table), answers(createScanTable(entries)), `after +${add} -${remove}`);
        // Filed from scratch: lone while one rule has the key, a list from two on.
        const filed = createIndexedTable(entries);
        assert.equal(shape(filed, kind), after, `filed from scratch after +${add} -${remove}`);
        assert.deepEqual(answers(filed), answers(createScanTable(entries)));
      }
      for (const h of history) assert.deepEqual(answers(h.table), h.want, 'an earlier table answers as it did');
    });
  }
});
