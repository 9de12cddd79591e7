/**
 * A reload compiled against the previous graph (compile-incremental.ts when only routers changed,
 * the whole compile with reuse otherwise) must give what a compile from nothing gives: the same
 * answers, views, diagnostics; and it must say what changed.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DynamicConfig, LoadBalancerConfig, MiddlewareConfig, RouterConfig, ServiceConfig } from '../../../src/config/dynamic/types.js';
import { DEFAULT_HEADERS_OPTIONS } from '../../../src/config/dynamic/schema/middlewares/headers.js';
import type { EntryPointConfig, StaticConfig } from '../../../src/config/static/types.js';
import type { Exchange } from '../../../src/exchange/exchange.js';
import { compile, type CompileDeps, type CompiledGraph } from '../../../src/runtime/compile.js';
import { routeCount } from '../../../src/runtime/compile-router.js';
import { noteChanges } from '../../../src/providers/record-changes.js';
import { loadMiddlewareKinds } from '../../../src/middlewares/registry.js';
import { plainService, type BuiltService } from '../../../src/services/service.js';
import { type Answer, request as send } from './graph-request.js';

function ep(name: string): EntryPointConfig {
  return {
    name,
    address: ':0',
    host: '127.0.0.1',
    port: 0,
    protocol: 'tcp',
    asDefault: false,
    forwardedHeaders: { trustedIPs: [], insecure: false },
    transport: { respondingTimeouts: { readTimeout: 0, writeTimeout: 0, idleTimeout: 0 }, lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: 0 } },
    http: { redirections: undefined, middlewares: [] },
  };
}

const staticConfig: StaticConfig = {
  workers: 1,
  entryPoints: { web: ep('web') },
  providers: { providersThrottleDuration: 0, file: undefined },
  log: { level: 'ERROR', format: 'common', filePath: undefined, noColor: true },
  serversTransport: { insecureSkipVerify: false, rootCAs: [], maxIdleConnsPerHost: 2, forwardingTimeouts: { dialTimeout: 0, responseHeaderTimeout: 0, idleConnTimeout: 0 } },
  origin: { kind: 'defaults' },
};

/** A service answers its name and its first server's URL: enough to see which one took a request. */
const deps: CompileDeps = {
  buildLoadBalancer(name: string, cfg: LoadBalancerConfig): BuiltService {
    const body = `${name} ${cfg.servers[0]?.url ?? ''}`;
    return plainService((ex: Exchange) => ex.response.sendText(200, body));
  },
};

function router(rule: string, service: string, extra: Partial<RouterConfig> = {}): RouterConfig {
  return Object.freeze({ rule, entryPoints: undefined, middlewares: [], service, priority: 0, tls: undefined, ...extra });
}

function lb(url: string): ServiceConfig {
  return Object.freeze({ kind: 'loadBalancer', loadBalancer: { servers: [{ url, weight: 1, preservePath: false }], passHostHeader: true, serversTransport: undefined, flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined } });
}

function mw(value: string): MiddlewareConfig {
  return Object.freeze({ kind: 'headers', options: { ...DEFAULT_HEADERS_OPTIONS, customResponseHeaders: { 'X-Mw': value } } });
}

function dyn(http: Partial<DynamicConfig['http']>, tls?: DynamicConfig['tls']): DynamicConfig {
  const config = { http: { routers: {}, services: {}, middlewares: {}, serversTransports: {}, ...http } };
  return tls === undefined ? config : { ...config, tls };
}

/** The first configuration of every case (objects are shared by identity with the second, as a provider does). */
const svcA = lb('http://a');
const svcB = lb('http://b');
const headers = mw('one');
const routers = {
  'r1@file': router('Host(`one.test`)', 'a@file'),
  'r2@file': router('Host(`two.test`)', 'b@file', { middlewares: ['m@file'] }),
  'r3@file': router('Host(`three.test`)', 'a@file'),
  'dup-low@file': router('Host(`dup.test`)', 'a@file', { priority: 10 }),
  'dup-high@file': router('Host(`dup.test`)', 'b@file', { priority: 20 }),
};
const first = dyn({ routers, services: { 'a@file': svcA, 'b@file': svcB }, middlewares: { 'm@file': headers } });

const HOSTS = ['one.test', 'two.test', 'three.test', 'dup.test', 'new.test', 'one-v2.test'];

interface Case {
  desc: string;
  next: DynamicConfig;
  /** The incremental compile applies (nothing but routers changed, no TLS router among them). */
  incremental: boolean;
  changes: { added?: string[]; removed?: string[]; changed?: string[] };
  /** Answers that must differ from the first graph's, by host: status + body. */
  expect: Record<string, string>;
  tls?: Record<string, string>;
}

const cases: Case[] = [
  {
    desc: 'a router whose rule changed',
    next: dyn({ routers: { ...routers, 'r1@file': router('Host(`one-v2.test`)', 'a@file') }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { changed: ['r1@file'] },
    expect: { 'one.test': '404 404 page not found\n', 'one-v2.test': '200 a@file http://a' },
  },
  {
    desc: 'a router whose service changed (to another service)',
    next: dyn({ routers: { ...routers, 'r3@file': router('Host(`three.test`)', 'b@file') }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { changed: ['r3@file'] },
    expect: { 'three.test': '200 b@file http://b' },
  },
  {
    desc: 'a service that changed: every router using it is built again',
    next: dyn({ routers, services: { 'a@file': lb('http://a2'), 'b@file': svcB }, middlewares: first.http.middlewares }),
    incremental: false,
    changes: {},
    expect: { 'one.test': '200 a@file http://a2', 'three.test': '200 a@file http://a2' },
  },
  {
    desc: 'a middleware that changed: the routers using it are built again',
    next: dyn({ routers, services: first.http.services, middlewares: { 'm@file': mw('two') } }),
    incremental: false,
    changes: {},
    expect: { 'two.test': '200 b@file http://b two' },
  },
  {
    desc: 'a router removed',
    next: dyn({ routers: { 'r1@file': routers['r1@file'], 'r2@file': routers['r2@file'], 'dup-low@file': routers['dup-low@file'], 'dup-high@file': routers['dup-high@file'] }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { removed: ['r3@file'] },
    expect: { 'three.test': '404 404 page not found\n' },
  },
  {
    desc: 'a router renamed (same configuration object under a new name)',
    next: dyn({ routers: { 'r1@file': routers['r1@file'], 'r2@file': routers['r2@file'], 'renamed@file': routers['r3@file'], 'dup-low@file': routers['dup-low@file'], 'dup-high@file': routers['dup-high@file'] }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { added: ['renamed@file'], removed: ['r3@file'] },
    expect: {},
  },
  {
    desc: 'a router added',
    next: dyn({ routers: { ...routers, 'new@file': router('Host(`new.test`)', 'b@file') }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { added: ['new@file'] },
    expect: { 'new.test': '200 b@file http://b' },
  },
  {
    desc: 'a priority change reorders two routers on one host',
    next: dyn({ routers: { ...routers, 'dup-low@file': router('Host(`dup.test`)', 'a@file', { priority: 30 }) }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { changed: ['dup-low@file'] },
    expect: { 'dup.test': '200 a@file http://a' },
  },
  {
    desc: 'a router that becomes a TLS router (whole compile: TLS routers feed the TLS state)',
    next: dyn({ routers: { ...routers, 'r1@file': router('Host(`one.test`)', 'a@file', { tls: { options: undefined, certResolver: undefined, domains: [] } as unknown as RouterConfig['tls'] }) }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: false,
    changes: { changed: ['r1@file'] },
    expect: { 'one.test': '404 404 page not found\n' },
    tls: { 'one.test': '200 a@file http://a' },
  },
  {
    desc: 'a router naming a missing service, then the same (broken routers are compiled again)',
    next: dyn({ routers: { ...routers, 'ghost@file': router('Host(`new.test`)', 'nope@file') }, services: first.http.services, middlewares: first.http.middlewares }),
    incremental: true,
    changes: { added: ['ghost@file'] },
    expect: {},
  },
];

/** A request to the graph's `web` entry point for `host`. */
function request(graph: CompiledGraph, host: string, tls = false): Answer {
  return send(graph.entryPoints.get('web'), { host, tls });
}

function show(a: Answer): string {
  const header = a.headers.get('X-Mw');
  return `${a.status} ${a.body}${header === undefined ? '' : ` ${header}`}`;
}

/** What a graph answers, shows and reports: must be the same for a reload and a compile from nothing. */
function outcome(g: CompiledGraph): unknown {
  const answers = Object.fromEntries(HOSTS.map((h) => [h, show(request(g, h))]));
  const tls = Object.fromEntries(HOSTS.map((h) => [h, show(request(g, h, true))]));
  const diagnostics = g.diagnostics.map((d) => `${d.code} ${d.object ?? ''} ${d.message}`).sort();
  return { answers, tls, view: JSON.parse(JSON.stringify(g.view)) as unknown, diagnostics, tlsRouters: [...g.tlsRouters] };
}

describe('incremental compile (a reload against the previous graph)', () => {
  before(() => loadMiddlewareKinds());

  for (const c of cases) {
    it(c.desc, () => {
      const g1 = compile({ staticConfig, config: first }, deps);
      // The reload, then one more unchanged reload on top of it (everything reused).
      const g2 = compile({ staticConfig, config: c.next, previous: g1 }, deps);
      const fresh = compile({ staticConfig, config: c.next }, deps);
      assert.deepEqual(outcome(g2), outcome(fresh));
      assert.equal(g2.built.services === g1.built.services, c.incremental, 'incremental path taken');
      for (const [host, want] of Object.entries(c.expect)) assert.equal(show(request(g2, host)), want, host);
      for (const [host, want] of Object.entries(c.tls ?? {})) assert.equal(show(request(g2, host, true)), want, `${host} over TLS`);
      // Hosts the case does not name answer as before.
      for (const host of HOSTS) if (!(host in c.expect) && c.next.http.routers === first.http.routers) assert.equal(show(request(g2, host)), show(request(g1, host)));
      assert.deepEqual(g2.changes?.added ?? [], c.changes.added ?? []);
      assert.deepEqual(g2.changes?.removed ?? [], c.changes.removed ?? []);
      assert.deepEqual(g2.changes?.changed ?? [], c.changes.changed ?? []);
      // The previous graph still routes as it did (requests in flight finish on it).
      assert.equal(show(request(g1, 'one.test')), '200 a@file http://a');

      // Told what changed (as a worker is, by its delta): the same graph.
      const set = Object.keys(c.next.http.routers).filter((n) => c.next.http.routers[n] !== first.http.routers[n]);
      const removed = Object.keys(first.http.routers).filter((n) => !(n in c.next.http.routers));
      const told = compile({ staticConfig, config: c.next, previous: g1, changedRouters: { set, removed } }, deps);
      assert.deepEqual(outcome(told), outcome(fresh));
      assert.deepEqual(told.changes, g2.changes);

      // The router record carries change notes (as the provider state leaves them): the same graph.
      // The notes name a superset (a name changed and changed back is listed too).
      if (c.next.http.routers !== first.http.routers) {
        // While compiling, listing the record's names throws: an incremental compile that found
        // what changed from the notes never walks them (a whole compile does, and would fail).
        let listing = false;
        const notedRouters = new Proxy(Object.freeze({ ...c.next.http.routers }), {
          ownKeys(target) {
            if (!listing && c.incremental) throw new Error('the compile walked every router name');
            return Reflect.ownKeys(target);
          },
        });
        noteChanges(notedRouters, first.http.routers, [...set, ...removed, ...Object.keys(first.http.routers).slice(0, 1)]);
        const noted = compile({ staticConfig, config: { ...c.next, http: { ...c.next.http, routers: notedRouters } }, previous: g1 }, deps);
        listing = true;
        assert.deepEqual(outcome(noted), outcome(fresh));
        assert.deepEqual(noted.changes, g2.changes);
      }

      const g3 = compile({ staticConfig, config: c.next, previous: g2 }, deps);
      assert.deepEqual(outcome(g3), outcome(fresh));
      assert.deepEqual(g3.changes, { added: [], removed: [], changed: [], routers: fresh.changes?.routers, enabled: fresh.changes?.enabled });
    });
  }

  it('a broken router is fixed when its service appears; its error goes away', () => {
    const broken = dyn({ routers: { ...routers, 'ghost@file': router('Host(`new.test`)', 'nope@file') }, services: first.http.services, middlewares: first.http.middlewares });
    const g1 = compile({ staticConfig, config: broken }, deps);
    assert.ok(g1.diagnostics.some((d) => d.object === 'ghost@file'));
    const fixed = dyn({ routers: broken.http.routers, services: { ...first.http.services, 'nope@file': lb('http://n') }, middlewares: first.http.middlewares });
    const g2 = compile({ staticConfig, config: fixed, previous: g1 }, deps);
    assert.equal(show(request(g2, 'new.test')), '200 nope@file http://n');
    assert.ok(!g2.diagnostics.some((d) => d.object === 'ghost@file'));
    assert.deepEqual(g2.changes?.changed, ['ghost@file']);
  });

  it('the view is made when first read, and lists routers in configuration order', () => {
    const g1 = compile({ staticConfig, config: first }, deps);
    const next = dyn({ routers: { 'new@file': router('Host(`new.test`)', 'b@file'), ...routers }, services: first.http.services, middlewares: first.http.middlewares });
    const g2 = compile({ staticConfig, config: next, previous: g1 }, deps);
    assert.deepEqual(Object.keys(g2.view.routers), Object.keys(next.http.routers));
    assert.deepEqual(g2.view.services['b@file']?.usedBy, ['new@file', 'r2@file', 'dup-high@file']);
    assert.deepEqual(g2.view.middlewares['m@file']?.usedBy, ['r2@file']);
    assert.equal(g2.view, g2.view, 'made once');
    assert.equal(g2.view.routers, g2.view.routers, 'its routers made once');
  });

  it('a graph does not keep the graphs compiled before it alive', async () => {
    // Each reload compiles against the previous graph. Once the newest is all that is held, the
    // earlier ones must be collectable: a getter of the graph that kept the compile's context
    // (input.previous) kept every graph since the start (a forced full GC shows it).
    const [newest, oldest, middle] = ((): [CompiledGraph, WeakRef<CompiledGraph>, WeakRef<CompiledGraph>] => {
      let graph = compile({ staticConfig, config: first }, deps);
      const oldest = new WeakRef(graph);
      let middle = oldest;
      for (let i = 0; i < 6; i++) {
        const next = dyn({ routers: { ...routers, [`n${i}@file`]: router(`Host(\`n${i}.test\`)`, 'b@file') }, services: first.http.services, middlewares: first.http.middlewares });
        graph = compile({ staticConfig, config: next, previous: graph }, deps);
        if (i === 2) middle = new WeakRef(graph);
      }
      void graph.view.routers; // made on first read (the routers' part on its own): it must not hold earlier graphs either
      return [graph, oldest, middle];
    })();
    await new Promise((resolve) => setImmediate(resolve));
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    assert.equal(oldest.deref(), undefined, 'the first graph was collected');
    assert.equal(middle.deref(), undefined, 'a graph in the middle was collected');
    assert.ok(Object.keys(newest.view.routers).includes('n5@file'));
  });
});

void describe('compile: a router that loses its service', () => {
  void it('does not keep its previous compiled router (a routed router is its own rule)', () => {
    const g1 = compile({ staticConfig, config: first }, deps);
    const old = g1.built.routers.get('r1@file');
    assert.ok(old?.rule !== undefined);
    // r1 now names a missing service (a new object, same rule text): disabled, rule reused.
    const next = dyn({ routers: { ...routers, 'r1@file': router('Host(`one.test`)', 'gone@file') }, services: first.http.services, middlewares: first.http.middlewares });
    const g2 = compile({ staticConfig, config: next, previous: g1 }, deps);
    const g3 = compile({ staticConfig, config: dyn({ ...next.http }), previous: g2 }, deps);
    for (const g of [g2, g3]) {
      const built = g.built.routers.get('r1@file');
      assert.equal(built === undefined ? -1 : routeCount(built.routes), 0, 'disabled');
      assert.ok(built?.rule !== undefined);
      assert.notEqual(built.rule, old, 'not the previous router object');
      assert.notEqual(built.rule, old.rule);
      assert.equal(built.rule.source, 'Host(`one.test`)');
      assert.equal(built.rule.predicate, old.rule.predicate, 'its compiled predicate is reused');
    }
  });
});
