/**
 * Conformance suite every RouteTable implementation must pass (Hono's common.case.test.ts idea).
 * Call runRouteTableSuite from a test file with a table factory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileRule,
  defaultPriority,
  type RouteEntry,
  type RouteTable,
} from '../../src/rules/index.js';
import { makeRequest, type RequestSpec } from './match-request.js';
import { RULE_VECTORS } from './rule-vectors.js';

export type TableFactory = <T>(entries: readonly RouteEntry<T>[]) => RouteTable<T>;

export function entry(name: string, rule: string, priority = 0): RouteEntry<string> {
  return { name, rule: compileRule(rule), priority: priority === 0 ? defaultPriority(rule) : priority, value: name };
}

/** Routers that never match the vectors' requests, to check a lookup is not disturbed by neighbours. */
const NOISE = [
  entry('noise-host', 'Host(`noise.invalid`)'),
  entry('noise-host-path', 'Host(`noise.invalid`) && PathPrefix(`/`)'),
  entry('noise-wild', 'Host(`*.noise.invalid`)'),
  entry('noise-hostre', 'HostRegexp(`^.+\\.noise\\.invalid$`)'),
  entry('noise-header', 'Header(`X-Noise`, `1`)'),
  entry('noise-path', 'Path(`/__noise__`)'),
  entry('noise-prefix', 'PathPrefix(`/__noise__/`)'),
  entry('noise-method', 'Method(`NOISE`)'),
];

interface OrderCase {
  desc: string;
  routers: { name: string; rule: string; priority?: number }[];
  req: RequestSpec;
  expect: string | undefined;
}

const ORDER_CASES: OrderCase[] = [
  {
    desc: 'default priority: longer rule wins',
    routers: [
      { name: 'short', rule: 'PathPrefix(`/`)' },
      { name: 'long', rule: 'PathPrefix(`/api`)' },
    ],
    req: { path: '/api/x' },
    expect: 'long',
  },
  {
    desc: 'explicit priority beats length',
    routers: [
      { name: 'short', rule: 'PathPrefix(`/`)', priority: 100 },
      { name: 'long', rule: 'Host(`example.com`) && PathPrefix(`/api`)' },
    ],
    req: { path: '/api/x' },
    expect: 'short',
  },
  {
    desc: 'tie on priority broken by name ascending',
    routers: [
      { name: 'b', rule: 'Path(`/x`)', priority: 5 },
      { name: 'a', rule: 'PathPrefix(`/`)', priority: 5 },
      { name: 'c', rule: 'Host(`example.com`)', priority: 5 },
    ],
    req: { path: '/x' },
    expect: 'a',
  },
  {
    desc: 'negative priority comes last',
    routers: [
      { name: 'neg', rule: 'Host(`example.com`)', priority: -1 },
      { name: 'catch', rule: 'PathPrefix(`/`)', priority: 1 },
    ],
    req: {},
    expect: 'catch',
  },
  {
    desc: 'host-indexed router after a scanned one',
    routers: [
      { name: 'scanned', rule: 'Method(`GET`)', priority: 50 },
      { name: 'host', rule: 'Host(`example.com`)', priority: 10 },
    ],
    req: {},
    expect: 'scanned',
  },
  {
    desc: 'scanned router after a host-indexed one',
    routers: [
      { name: 'scanned', rule: 'Method(`GET`)', priority: 5 },
      { name: 'host', rule: 'Host(`example.com`)', priority: 10 },
    ],
    req: {},
    expect: 'host',
  },
  {
    desc: 'wildcard host vs exact host by priority',
    routers: [
      { name: 'wild', rule: 'Host(`*.example.com`)', priority: 20 },
      { name: 'exact', rule: 'Host(`api.example.com`)', priority: 10 },
    ],
    req: { host: 'api.example.com' },
    expect: 'wild',
  },
  {
    desc: 'hostregexp suffix vs prefix-only router',
    routers: [
      { name: 're', rule: 'HostRegexp(`^[a-z]+\\.example\\.com$`)', priority: 3 },
      { name: 'prefix', rule: 'PathPrefix(`/a`)', priority: 4 },
      { name: 'header', rule: 'Header(`X-A`, `1`)', priority: 2 },
    ],
    req: { host: 'www.example.com', path: '/b', headers: ['X-A', '1'] },
    expect: 're',
  },
  {
    desc: 'header-indexed router wins by priority',
    routers: [
      { name: 'header', rule: 'Header(`X-Tenant`, `t1`) && PathPrefix(`/`)', priority: 9 },
      { name: 'host', rule: 'Host(`example.com`)', priority: 8 },
    ],
    req: { headers: ['x-tenant', 't1'] },
    expect: 'header',
  },
  {
    desc: 'or of two hosts',
    routers: [
      { name: 'either', rule: 'Host(`a.test`) || Host(`b.test`)' },
      { name: 'catch', rule: 'PathPrefix(`/`)', priority: 1 },
    ],
    req: { host: 'b.test' },
    expect: 'either',
  },
  {
    desc: 'or of host and path (mixed keys)',
    routers: [
      { name: 'mixed', rule: 'Host(`a.test`) || Path(`/special`)', priority: 10 },
      { name: 'catch', rule: 'PathPrefix(`/`)', priority: 1 },
    ],
    req: { host: 'other.test', path: '/special' },
    expect: 'mixed',
  },
  {
    desc: 'negated host is scanned',
    routers: [
      { name: 'not', rule: '!Host(`a.test`)', priority: 10 },
      { name: 'catch', rule: 'PathPrefix(`/`)', priority: 1 },
    ],
    req: { host: 'b.test' },
    expect: 'not',
  },
  {
    desc: 'longest matching prefix wins by default priority',
    routers: [
      { name: 'p1', rule: 'PathPrefix(`/a`)' },
      { name: 'p2', rule: 'PathPrefix(`/a/b`)' },
      { name: 'p3', rule: 'PathPrefix(`/a/b/c`)' },
      { name: 'p4', rule: 'PathPrefix(`/a/x`)' },
    ],
    req: { path: '/a/b/d' },
    expect: 'p2',
  },
  {
    desc: 'no router matches',
    routers: [
      { name: 'a', rule: 'Host(`a.test`)' },
      { name: 'b', rule: 'PathPrefix(`/b`)' },
    ],
    req: { host: 'c.test', path: '/c' },
    expect: undefined,
  },
  {
    desc: 'Host(`*`) catch-all matches without a host',
    routers: [
      { name: 'any', rule: 'Host(`*`)' },
      { name: 'host', rule: 'Host(`example.com`)', priority: 100 },
    ],
    req: { host: '' },
    expect: 'any',
  },
  {
    desc: 'never-matching Header(`Host`) does not shadow',
    routers: [
      { name: 'hosthdr', rule: 'Header(`Host`, `example.com`)', priority: 100 },
      { name: 'host', rule: 'Host(`example.com`)' },
    ],
    req: { headers: ['Host', 'example.com'] },
    expect: 'host',
  },
];

export function runRouteTableSuite(label: string, create: TableFactory): void {
  void describe(`RouteTable conformance: ${label}`, () => {
    void it('an empty table matches nothing', () => {
      const table = create<string>([]);
      assert.equal(table.size, 0);
      assert.equal(table.match(makeRequest()), undefined);
    });

    void it('is frozen', () => {
      const table = create([entry('a', 'Path(`/`)')]);
      assert.ok(Object.isFrozen(table));
      assert.ok(Object.isFrozen(table.entries));
      assert.equal(table.size, 1);
    });

    void describe('rule vectors (one router)', () => {
      for (const vec of RULE_VECTORS) {
        void it(vec.desc, () => {
          const table = create([entry('r', vec.rule)]);
          assert.equal(table.match(makeRequest(vec.req))?.name === 'r', vec.match, vec.rule);
        });
      }
    });

    void describe('rule vectors (among non-matching routers)', () => {
      for (const vec of RULE_VECTORS) {
        void it(vec.desc, () => {
          const table = create([...NOISE, entry('r', vec.rule, 1)]);
          const got = table.match(makeRequest(vec.req))?.name;
          assert.equal(got === 'r', vec.match, `${vec.rule} -> ${String(got)}`);
        });
      }
    });

    void describe('priority order', () => {
      for (const c of ORDER_CASES) {
        void it(c.desc, () => {
          const table = create(c.routers.map((r) => entry(r.name, r.rule, r.priority ?? 0)));
          assert.equal(table.match(makeRequest(c.req))?.name, c.expect);
          // Input order must not matter.
          const reversed = create(c.routers.slice().reverse().map((r) => entry(r.name, r.rule, r.priority ?? 0)));
          assert.equal(reversed.match(makeRequest(c.req))?.name, c.expect);
        });
      }
    });

    void it('returns the entry object with its value', () => {
      const e = entry('x', 'Path(`/`)');
      const table = create([e]);
      assert.equal(table.match(makeRequest()), e);
      assert.equal(table.match(makeRequest())?.value, 'x');
    });

    void it('can be used for many lookups in a row (context reuse)', () => {
      const table = create([entry('q', 'Query(`a`, `1`)'), entry('ip', 'ClientIP(`10.0.0.0/8`)')]);
      assert.equal(table.match(makeRequest({ query: 'a=1' }))?.name, 'q');
      assert.equal(table.match(makeRequest({ query: 'a=2' })), undefined);
      assert.equal(table.match(makeRequest({ peer: '10.1.1.1' }))?.name, 'ip');
      assert.equal(table.match(makeRequest({ peer: '11.1.1.1' })), undefined);
    });
  });
}
