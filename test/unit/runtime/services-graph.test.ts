/**
 * The compiler's services section: parents (weighted, mirroring, failover) built on demand over
 * their children, reference loops and missing / disabled children reported on the parent and on
 * the routers using it, reuse across reloads, disposal of what a reload dropped, and the live
 * `serverStatus` of the view.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig, LoadBalancerConfig, RouterConfig, ServiceConfig } from '../../../src/config/dynamic/types.js';
import type { StaticConfig } from '../../../src/config/static/types.js';
import type { Handler } from '../../../src/exchange/exchange.js';
import { createLogger } from '../../../src/observability/logger.js';
import type { Snapshot } from '../../../src/providers/aggregator.js';
import { compile, disposeDropped, type CompileDeps } from '../../../src/runtime/compile.js';
import { Runtime } from '../../../src/runtime/runtime.js';
import type { BuiltService, ServerState } from '../../../src/services/service.js';
import { ParentHealth } from '../../../src/services/weighted/parent-health.js';
import { fakeExchange, tally } from '../services/weighted/fake-exchange.js';

const staticConfig: StaticConfig = {
  workers: 1,
  entryPoints: {
    web: {
      name: 'web',
      address: ':0',
      host: '127.0.0.1',
      port: 0,
      protocol: 'tcp',
      asDefault: false,
      forwardedHeaders: { trustedIPs: [], insecure: false },
      transport: { respondingTimeouts: { readTimeout: 0, writeTimeout: 0, idleTimeout: 0 }, lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: 0 } },
      http: { redirections: undefined, middlewares: [] },
    },
  },
  providers: { providersThrottleDuration: 0, file: undefined },
  log: { level: 'FATAL', format: 'json', filePath: undefined, noColor: true },
  serversTransport: { insecureSkipVerify: false, rootCAs: [], maxIdleConnsPerHost: 2, forwardingTimeouts: { dialTimeout: 0, responseHeaderTimeout: 0, idleConnTimeout: 0 } },
  origin: { kind: 'defaults' },
};

/**
 * Load balancers that answer their service name; a server URL `health://up` / `health://down`
 * gives the service a health the test can flip (`healths`); `disposed` lists dispose() calls.
 */
function testDeps(): { deps: CompileDeps; healths: Map<string, ParentHealth>; disposed: string[]; status: Map<string, ServerState> } {
  const healths = new Map<string, ParentHealth>();
  const disposed: string[] = [];
  const status = new Map<string, ServerState>();
  const deps: CompileDeps = {
    buildLoadBalancer(name: string, cfg: LoadBalancerConfig): BuiltService {
      const handler: Handler = (ex) => ex.response.sendText(200, name);
      const url = cfg.servers[0]?.url ?? '';
      let health: ParentHealth | undefined;
      if (url.startsWith('health://')) {
        health = new ParentHealth(url === 'health://up');
        healths.set(name, health);
      }
      const withStatus = health === undefined ? undefined : Object.assign(health, {});
      return {
        handler,
        health: withStatus === undefined ? undefined : { get up() { return withStatus.up; }, serverStatus: status, watch: (cb: (up: boolean) => void) => withStatus.watch(cb) },
        dispose: () => disposed.push(name),
      };
    },
  };
  return { deps, healths, disposed, status };
}

function lb(url = 'http://127.0.0.1:1', serversTransport?: string): ServiceConfig {
  return { kind: 'loadBalancer', loadBalancer: { servers: [{ url, weight: 1, preservePath: false }], passHostHeader: true, serversTransport, flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined } };
}
function weighted(refs: [string, number][], healthCheck = false): ServiceConfig {
  return { kind: 'weighted', weighted: { services: refs.map(([name, weight]) => ({ name, weight })), sticky: undefined, healthCheck } };
}
function failover(service: string, fallback: string, healthCheck = false): ServiceConfig {
  return { kind: 'failover', failover: { service, fallback, healthCheck } };
}
function mirroring(service: string, mirrors: [string, number][]): ServiceConfig {
  return { kind: 'mirroring', mirroring: { service, mirrors: mirrors.map(([name, percent]) => ({ name, percent })), mirrorBody: true, maxBodySize: -1, healthCheck: false } };
}
function router(service: string): RouterConfig {
  return { rule: 'PathPrefix(`/`)', entryPoints: undefined, middlewares: [], service, priority: 0, tls: undefined };
}
function dyn(services: Record<string, ServiceConfig>, routerService = 'top@file'): DynamicConfig {
  return { http: { routers: { 'r@file': router(routerService) }, services, middlewares: {}, serversTransports: {} } };
}

void describe('compile: services', () => {
  void it('builds a weighted service over load balancers, qualifying child names in its own provider', () => {
    const { deps } = testDeps();
    const graph = compile({ staticConfig, config: dyn({ 'top@file': weighted([['a', 3], ['b@file', 1]]), 'a@file': lb(), 'b@file': lb() }) }, deps);
    assert.deepEqual(graph.diagnostics, []);
    const counts = tally(graph.entryPoints.get('web') as Handler, 400);
    assert.deepEqual([counts.get('a@file'), counts.get('b@file')], [300, 100]);
    assert.deepEqual(graph.view.services['a@file']?.usedBy, ['top@file']);
    assert.deepEqual(graph.view.services['top@file']?.usedBy, ['r@file']);
  });

  const broken: { desc: string; services: Record<string, ServiceConfig>; disabled: Record<string, string>; code: string; router: string }[] = [
    {
      desc: 'a loop of two',
      services: { 'top@file': weighted([['w2@file', 1]]), 'w2@file': weighted([['top@file', 1]]) },
      disabled: { 'top@file': 'reference loop: top@file -> w2@file -> top@file', 'w2@file': 'reference loop: top@file -> w2@file -> top@file' },
      code: 'TPK_CFG_SERVICE_LOOP',
      router: 'service "top@file" is disabled: reference loop: top@file -> w2@file -> top@file',
    },
    {
      desc: 'a child on a loop the parent is not on',
      services: { 'top@file': weighted([['x@file', 1]]), 'x@file': weighted([['y@file', 1]]), 'y@file': weighted([['x@file', 1]]) },
      disabled: { 'x@file': 'reference loop: x@file -> y@file -> x@file', 'y@file': 'reference loop: x@file -> y@file -> x@file', 'top@file': 'service "x@file" is disabled: reference loop' },
      code: 'TPK_CFG_MISSING_SERVICE',
      router: 'service "top@file" is disabled: service "x@file" is disabled: reference loop',
    },
    {
      desc: 'a service referring to itself',
      services: { 'top@file': failover('top@file', 'a@file'), 'a@file': lb() },
      disabled: { 'top@file': 'reference loop: top@file -> top@file' },
      code: 'TPK_CFG_SERVICE_LOOP',
      router: 'service "top@file" is disabled: reference loop: top@file -> top@file',
    },
    {
      desc: 'a missing child',
      services: { 'top@file': mirroring('a@file', [['ghost@file', 10]]), 'a@file': lb() },
      disabled: { 'top@file': 'service "ghost@file" does not exist' },
      code: 'TPK_CFG_MISSING_SERVICE',
      router: 'service "top@file" is disabled: service "ghost@file" does not exist',
    },
    {
      desc: 'a disabled child (its serversTransport is missing)',
      services: {
        'top@file': weighted([['a@file', 1]]),
        'a@file': { kind: 'loadBalancer', loadBalancer: { ...(lb() as { loadBalancer: LoadBalancerConfig }).loadBalancer, serversTransport: 'nope@file' } },
      },
      disabled: { 'a@file': 'serversTransport "nope@file" does not exist', 'top@file': 'service "a@file" is disabled: serversTransport "nope@file" does not exist' },
      code: 'TPK_CFG_MISSING_SERVICE',
      router: 'service "top@file" is disabled: service "a@file" is disabled: serversTransport "nope@file" does not exist',
    },
    {
      desc: 'healthCheck on a parent whose child has none',
      services: { 'top@file': weighted([['a@file', 1], ['b@file', 1]], true), 'a@file': lb('health://up'), 'b@file': lb() },
      disabled: { 'top@file': 'healthCheck is set on "top@file" but its child service "b@file" reports no health' },
      code: 'TPK_CFG_SERVICE_BUILD',
      router: 'service "top@file" is disabled: healthCheck is set on "top@file" but its child service "b@file" reports no health',
    },
    {
      desc: 'healthCheck on a grand-parent over a parent without it',
      services: { 'top@file': failover('mid@file', 'a@file', true), 'mid@file': weighted([['a@file', 1]]), 'a@file': lb('health://up') },
      disabled: { 'top@file': 'healthCheck is set on "top@file" but its main service "mid@file" reports no health' },
      code: 'TPK_CFG_SERVICE_BUILD',
      router: 'service "top@file" is disabled: healthCheck is set on "top@file" but its main service "mid@file" reports no health',
    },
  ];
  for (const c of broken) {
    void it(`disables the parent and its routers: ${c.desc}`, () => {
      const graph = compile({ staticConfig, config: dyn(c.services) }, testDeps().deps);
      for (const [name, error] of Object.entries(c.disabled)) {
        const view = graph.view.services[name];
        assert.equal(view?.status, 'disabled', name);
        assert.ok(view.errors[0]?.startsWith(error), `${name}: ${view.errors.join('; ')}`);
        assert.equal(view.errors.length, 1, `${name} reported once`);
      }
      assert.ok(graph.diagnostics.some((d) => d.code === c.code && d.object === 'top@file'), JSON.stringify(graph.diagnostics));
      const r = graph.view.routers['r@file'];
      assert.equal(r?.status, 'disabled');
      assert.ok(r.errors[0]?.startsWith(c.router), r.errors.join('; '));
      const { ex, answer } = fakeExchange();
      void (graph.entryPoints.get('web') as Handler)(ex);
      assert.equal(answer.status, 404);
    });
  }

  void it('reuses built services across compiles when config and children are unchanged, and disposes the dropped ones', () => {
    const { deps, disposed } = testDeps();
    const a = lb();
    const b = lb();
    const top = weighted([['a@file', 1], ['b@file', 1]]);
    const first = compile({ staticConfig, config: dyn({ 'top@file': top, 'a@file': a, 'b@file': b }) }, deps);
    const same = compile({ staticConfig, config: dyn({ 'top@file': top, 'a@file': a, 'b@file': b }), previous: first }, deps);
    assert.equal(same.built.services.get('top@file'), first.built.services.get('top@file'));
    disposeDropped(first, same);
    assert.deepEqual(disposed, []);

    // b changes: b and its parent are rebuilt, a is kept.
    const second = compile({ staticConfig, config: dyn({ 'top@file': top, 'a@file': a, 'b@file': lb('http://127.0.0.1:2') }), previous: same }, deps);
    assert.equal(second.built.services.get('a@file'), same.built.services.get('a@file'));
    assert.notEqual(second.built.services.get('top@file'), same.built.services.get('top@file'));
    disposeDropped(same, second);
    assert.deepEqual(disposed, ['b@file']);

    // top dropped and a removed: everything but the new b goes.
    const third = compile({ staticConfig, config: dyn({ 'b@file': second.built.services.get('b@file')?.config as ServiceConfig }, 'b@file'), previous: second }, deps);
    disposeDropped(second, third);
    assert.deepEqual(disposed.sort(), ['a@file', 'b@file']);
  });

  void it('shows serverStatus live from the service health, none for services without it', () => {
    const { deps, status } = testDeps();
    const graph = compile({ staticConfig, config: dyn({ 'top@file': failover('a@file', 'b@file'), 'a@file': lb('health://up'), 'b@file': lb() }) }, deps);
    assert.equal(graph.view.services['b@file']?.serverStatus, undefined);
    status.set('http://10.0.0.1', 'UP');
    assert.deepEqual([...(graph.view.services['a@file']?.serverStatus ?? [])], [['http://10.0.0.1', 'UP']]);
    status.set('http://10.0.0.1', 'DOWN');
    assert.deepEqual([...(graph.view.services['a@file']?.serverStatus ?? [])], [['http://10.0.0.1', 'DOWN']]);
  });

  void it('keeps a state only for services that need one, and shows every service as before', () => {
    // top and d are used only by routers, c by nothing: ENABLED, no state object of their own.
    const config: DynamicConfig = {
      http: {
        routers: { 'r@file': router('top@file'), 'r2@file': router('d@file') },
        services: {
          'top@file': weighted([['a@file', 1], ['b@file', 1]]),
          'a@file': lb(),
          'b@file': lb(),
          'c@file': lb(),
          'd@file': lb(),
          'e@file': lb('http://127.0.0.1:1', 'nope@file'),
        },
        middlewares: {},
        serversTransports: {},
      },
    };
    const graph = compile({ staticConfig, config }, testDeps().deps);
    assert.deepEqual([...graph.built.states.services.keys()].sort(), ['a@file', 'b@file', 'e@file']);
    const views = graph.view.services;
    assert.deepEqual(Object.keys(views), Object.keys(config.http.services), 'configuration order');
    const shown = Object.fromEntries(Object.entries(views).map(([name, v]) => [name, [v.name, v.provider, v.status, [...v.errors], [...v.usedBy], v.config === config.http.services[name]]]));
    assert.deepEqual(shown, {
      'top@file': ['top@file', 'file', 'enabled', [], ['r@file'], true],
      'a@file': ['a@file', 'file', 'enabled', [], ['top@file'], true],
      'b@file': ['b@file', 'file', 'enabled', [], ['top@file'], true],
      'c@file': ['c@file', 'file', 'enabled', [], [], true],
      'd@file': ['d@file', 'file', 'enabled', [], ['r2@file'], true],
      'e@file': ['e@file', 'file', 'disabled', ['serversTransport "nope@file" does not exist'], [], true],
    });
    // A router of a disabled service still names its reason (read from the state it has).
    const broken = compile({ staticConfig, config: { http: { ...config.http, routers: { 'r@file': router('e@file') } } } }, testDeps().deps);
    assert.deepEqual(broken.view.routers['r@file']?.errors, ['service "e@file" is disabled: serversTransport "nope@file" does not exist']);
  });

  void it('warns that a failover whose main service reports no health never uses its fallback', () => {
    const graph = compile({ staticConfig, config: dyn({ 'top@file': failover('a@file', 'b@file'), 'a@file': lb(), 'b@file': lb() }) }, testDeps().deps);
    assert.deepEqual(
      graph.diagnostics.map((d) => [d.code, d.severity, d.path]),
      [['TPK_CFG_FAILOVER_NO_HEALTH', 'warning', 'http.services.top@file.failover.service']],
    );
    assert.equal(graph.view.services['top@file']?.status, 'warning');
    assert.equal(graph.view.routers['r@file']?.status, 'enabled');
    assert.deepEqual([...tally(graph.entryPoints.get('web') as Handler, 2)], [['a@file', 2]]);
  });

  void it('fails over on the main service\'s health through the compiled graph', () => {
    const { deps, healths } = testDeps();
    const graph = compile({ staticConfig, config: dyn({ 'top@file': failover('a@file', 'b@file', true), 'a@file': lb('health://up'), 'b@file': lb('health://up') }) }, deps);
    const h = graph.entryPoints.get('web') as Handler;
    assert.deepEqual([...tally(h, 2)], [['a@file', 2]]);
    healths.get('a@file')?.set(false);
    assert.deepEqual([...tally(h, 2)], [['b@file', 2]]);
    healths.get('a@file')?.set(true);
    assert.deepEqual([...tally(h, 2)], [['a@file', 2]]);
  });
});

void describe('Runtime: services dropped by a reload', () => {
  void it('disposes them after the swap, keeps the rest, and disposes all on dispose()', () => {
    const { deps, disposed } = testDeps();
    const a = lb();
    const b = lb();
    const snap = (version: number, services: Record<string, ServiceConfig>): Snapshot => ({ version, hash: String(version), config: dyn(services, 'a@file'), origins: new Map(), diagnostics: [] });
    const swapped: Handler[] = [];
    const runtime = new Runtime({
      staticConfig,
      logger: createLogger(staticConfig.log),
      deps,
      slots: new Map([['web', { setHandler: (h: Handler) => swapped.push(h) }]]),
      report: () => {},
    });
    runtime.apply(snap(1, { 'a@file': a, 'b@file': b }));
    runtime.apply(snap(2, { 'a@file': a }));
    assert.deepEqual(disposed, ['b@file']);
    assert.equal(swapped.length, 2);
    runtime.dispose();
    assert.deepEqual(disposed, ['b@file', 'a@file']);
  });
});
