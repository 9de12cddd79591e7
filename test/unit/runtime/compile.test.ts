/**
 * The compiler is total: a broken router, a missing service or middleware, an unknown entry point
 * disables only that object, with a coded diagnostic naming it; the rest compiles and serves.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig, LoadBalancerConfig, RouterConfig } from '../../../src/config/dynamic/types.js';
import { DEFAULT_HEADERS_OPTIONS } from '../../../src/config/dynamic/schema/middlewares/headers.js';
import type { EntryPointConfig, StaticConfig } from '../../../src/config/static/types.js';
import type { Exchange } from '../../../src/exchange/exchange.js';
import { compile, type CompileDeps } from '../../../src/runtime/compile.js';
import { loadMiddlewareKinds } from '../../../src/middlewares/registry.js';
import { plainService, type BuiltService } from '../../../src/services/service.js';
import { request } from './graph-request.js';

function ep(name: string, extra: Partial<EntryPointConfig> = {}): EntryPointConfig {
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
    ...extra,
  };
}

function staticConfig(eps: EntryPointConfig[], extra: Partial<StaticConfig> = {}): StaticConfig {
  return {
    workers: 1,
    entryPoints: Object.fromEntries(eps.map((e) => [e.name, e])),
    providers: { providersThrottleDuration: 0, file: undefined },
    log: { level: 'ERROR', format: 'common', filePath: undefined, noColor: true },
    serversTransport: { insecureSkipVerify: false, rootCAs: [], maxIdleConnsPerHost: 2, forwardingTimeouts: { dialTimeout: 0, responseHeaderTimeout: 0, idleConnTimeout: 0 } },
    origin: { kind: 'defaults' },
    ...extra,
  };
}

/** A service that answers its own name: enough to see which router took the request. */
const deps: CompileDeps = {
  buildLoadBalancer(name: string, cfg: LoadBalancerConfig): BuiltService {
    if (cfg.servers.some((s) => s.url === 'bad')) throw new Error('invalid server URL "bad"');
    return plainService((ex: Exchange) => ex.response.sendText(200, name));
  },
};

function router(rule: string, service: string, extra: Partial<RouterConfig> = {}): RouterConfig {
  return { rule, entryPoints: undefined, middlewares: [], service, priority: 0, tls: undefined, ...extra };
}

function lb(url = 'http://127.0.0.1:1'): { kind: 'loadBalancer'; loadBalancer: LoadBalancerConfig } {
  return { kind: 'loadBalancer', loadBalancer: { servers: [{ url, weight: 1, preservePath: false }], passHostHeader: true, serversTransport: undefined, flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined } };
}

function dyn(http: Partial<DynamicConfig['http']>): DynamicConfig {
  return { http: { routers: {}, services: {}, middlewares: {}, serversTransports: {}, ...http } };
}

describe('compile', () => {
  // The compiler is synchronous: the middleware modules are loaded first, as the runtime's callers do.
  before(() => loadMiddlewareKinds());
  const cases: { desc: string; config: DynamicConfig; disabled: string; code: string }[] = [
    {
      desc: 'a rule that does not parse',
      config: dyn({ routers: { 'bad@file': router('Host(`a.test`) &&', 's@file'), 'ok@file': router('Host(`ok.test`)', 's@file') }, services: { 's@file': lb() } }),
      disabled: 'bad@file',
      code: 'TPK_CFG_BAD_RULE',
    },
    {
      desc: 'a missing service',
      config: dyn({ routers: { 'bad@file': router('Host(`a.test`)', 'nope@file'), 'ok@file': router('Host(`ok.test`)', 's@file') }, services: { 's@file': lb() } }),
      disabled: 'bad@file',
      code: 'TPK_CFG_MISSING_SERVICE',
    },
    {
      desc: 'a service that fails to build',
      config: dyn({ routers: { 'bad@file': router('Host(`a.test`)', 'broken@file'), 'ok@file': router('Host(`ok.test`)', 's@file') }, services: { 's@file': lb(), 'broken@file': lb('bad') } }),
      disabled: 'bad@file',
      code: 'TPK_CFG_MISSING_SERVICE',
    },
    {
      desc: 'a missing middleware',
      config: dyn({ routers: { 'bad@file': router('Host(`a.test`)', 's@file', { middlewares: ['ghost@file'] }), 'ok@file': router('Host(`ok.test`)', 's@file') }, services: { 's@file': lb() } }),
      disabled: 'bad@file',
      code: 'TPK_CFG_MISSING_MIDDLEWARE',
    },
    {
      desc: 'an unknown entry point',
      config: dyn({ routers: { 'bad@file': router('Host(`a.test`)', 's@file', { entryPoints: ['nope'] }), 'ok@file': router('Host(`ok.test`)', 's@file') }, services: { 's@file': lb() } }),
      disabled: 'bad@file',
      code: 'TPK_CFG_UNKNOWN_ENTRYPOINT',
    },
  ];
  for (const c of cases) {
    it(`disables only the router with ${c.desc}`, () => {
      const g = compile({ staticConfig: staticConfig([ep('web')]), config: c.config }, deps);
      assert.equal(g.view.routers[c.disabled]?.status, 'disabled');
      assert.equal(g.view.routers['ok@file']?.status, 'enabled');
      assert.ok(g.diagnostics.some((d) => d.code === c.code && d.object === c.disabled), JSON.stringify(g.diagnostics));
      const web = g.entryPoints.get('web');
      assert.equal(request(web, { host: 'ok.test' }).body, 's@file');
      assert.equal(request(web, { host: 'a.test' }).status, 404);
    });
  }

  it('says a referenced object was left out as invalid, rather than missing', () => {
    const config = dyn({ routers: { 'r@file': router('Host(`a.test`)', 's@file', { middlewares: ['auth@file'] }) }, services: { 's@file': lb() } });
    const origins = new Map([['http.middlewares.auth@file', { source: 'dyn.yml', line: 9 }]]);
    const g = compile({ staticConfig: staticConfig([ep('web')]), config, origins }, deps);
    const d = g.diagnostics.find((x) => x.object === 'r@file');
    assert.equal(d?.code, 'TPK_CFG_MISSING_MIDDLEWARE');
    assert.match(d?.message ?? '', /"auth@file" is invalid \(see its own error\)/);
  });

  it('picks the highest priority, defaulting to the rule length', () => {
    const config = dyn({
      routers: {
        'short@file': router('PathPrefix(`/`)', 'a@file'),
        'long@file': router('PathPrefix(`/api`)', 'b@file'),
        'forced@file': router('PathPrefix(`/`)', 'c@file', { priority: 1 }),
      },
      services: { 'a@file': lb(), 'b@file': lb(), 'c@file': lb() },
    });
    const g = compile({ staticConfig: staticConfig([ep('web')]), config }, deps);
    const web = g.entryPoints.get('web');
    assert.equal(request(web, { path: '/api/x' }).body, 'b@file');
    assert.equal(request(web, { path: '/other' }).body, 'a@file');
    assert.equal(g.view.routers['short@file']?.priority, 'PathPrefix(`/`)'.length);
  });

  it('serves TLS routers only over TLS and plain routers only in plain text', () => {
    const config = dyn({
      routers: { 'plain@file': router('Host(`x.test`)', 'a@file'), 'secure@file': router('Host(`x.test`)', 'b@file', { tls: {} }) },
      services: { 'a@file': lb(), 'b@file': lb() },
    });
    const web = compile({ staticConfig: staticConfig([ep('web')]), config }, deps).entryPoints.get('web');
    assert.equal(request(web, { host: 'x.test' }).body, 'a@file');
    assert.equal(request(web, { host: 'x.test', tls: true }).body, 'b@file');
  });

  it('attaches routers without entryPoints to the asDefault entry points only, when some are marked', () => {
    const config = dyn({ routers: { 'r@file': router('PathPrefix(`/`)', 'a@file') }, services: { 'a@file': lb() } });
    const g = compile({ staticConfig: staticConfig([ep('web'), ep('admin'), ep('main', { asDefault: true })]), config }, deps);
    assert.deepEqual(g.view.routers['r@file']?.using, ['main']);
    assert.equal(request(g.entryPoints.get('main'), {}).status, 200);
    assert.equal(request(g.entryPoints.get('web'), {}).status, 404);
  });

  it('runs entry-point middlewares before the router middlewares', () => {
    const config = dyn({
      routers: { 'r@file': router('PathPrefix(`/`)', 'a@file', { middlewares: ['second@file'] }) },
      services: { 'a@file': lb() },
      middlewares: {
        'first@file': { kind: 'headers', options: { ...DEFAULT_HEADERS_OPTIONS, customResponseHeaders: { 'X-Order': 'first' } } },
        'second@file': { kind: 'headers', options: { ...DEFAULT_HEADERS_OPTIONS, customResponseHeaders: { 'X-Order': 'second' } } },
      },
    });
    const web = ep('web', { http: { redirections: undefined, middlewares: ['first@file'] } });
    const g = compile({ staticConfig: staticConfig([web]), config }, deps);
    // As in Traefik, the outer (entry-point) middleware edits the response head last, so its value wins.
    assert.equal(request(g.entryPoints.get('web'), {}).headers.get('x-order'), 'first');
  });

  it('serves noop@internal, and refuses api@internal without the static api option', () => {
    const config = dyn({ routers: { 'noop@file': router('Path(`/noop`)', 'noop@internal'), 'api@file': router('PathPrefix(`/api`)', 'api@internal') } });
    const g = compile({ staticConfig: staticConfig([ep('web')]), config }, deps);
    const r = request(g.entryPoints.get('web'), { path: '/noop' });
    assert.deepEqual([r.status, r.body], [200, '']);
    assert.equal(g.view.routers['api@file']?.status, 'disabled');
    assert.ok(g.diagnostics.some((d) => d.code === 'TPK_CFG_MISSING_SERVICE' && d.object === 'api@file' && d.message.includes('static option "api"')));
  });

  it('answers ping on its entry point, and terminatingStatusCode during shutdown', () => {
    const lifecycle = { terminating: false };
    const g = compile(
      { staticConfig: staticConfig([ep('web'), ep('traefik')], { ping: { entryPoint: 'traefik', manualRouting: false, terminatingStatusCode: 503 } }), config: dyn({}) },
      { ...deps, lifecycle },
    );
    const t = g.entryPoints.get('traefik');
    assert.deepEqual([request(t, { path: '/ping' }).status, request(t, { path: '/ping' }).body], [200, 'OK']);
    assert.equal(request(g.entryPoints.get('web'), { path: '/ping' }).status, 404);
    lifecycle.terminating = true;
    assert.equal(request(t, { path: '/ping' }).status, 503);
  });
});
