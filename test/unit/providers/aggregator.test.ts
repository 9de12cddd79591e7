import type { LoadBalancerConfig } from '../../../src/config/dynamic/types.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { Diagnostic } from '../../../src/config/diagnostics.js';
import type { DynamicConfig, ObjectOrigin, RouterConfig } from '../../../src/config/dynamic/types.js';
import { type Snapshot, createAggregator } from '../../../src/providers/aggregator.js';
import type { ProviderMessage } from '../../../src/providers/provider.js';

/** The loadBalancer of a service, when it is one. */
function lbOf(s: { kind: string } | undefined): LoadBalancerConfig {
  if (s === undefined || !('loadBalancer' in s)) throw new Error('not a loadBalancer service');
  return s.loadBalancer as LoadBalancerConfig;
}

function routerCfg(over: Partial<RouterConfig> = {}): RouterConfig {
  return { rule: 'Path(`/`)', entryPoints: undefined, middlewares: [], service: 'svc', priority: 0, tls: undefined, ...over };
}

function message(provider: string, routers: Record<string, RouterConfig>, extra: Partial<ProviderMessage> = {}): ProviderMessage {
  const config: DynamicConfig = { http: { routers, services: {}, middlewares: {}, serversTransports: {} } };
  return { provider, config, origins: new Map<string, ObjectOrigin>(), diagnostics: [], ...extra };
}

void describe('aggregator: names', () => {
  void it('qualifies names and references; qualified references are kept', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
    const diag: Diagnostic = { code: 'TPK_CFG_MISSING_KEY', severity: 'error', message: 'x', source: 'a.yml', object: 'broken' };
    agg.push({
      provider: 'file',
      config: {
        http: {
          routers: {
            api: routerCfg({ service: 'svc', middlewares: ['strip', 'auth@docker'], tls: { options: 'modern' } }),
            dash: routerCfg({ service: 'api@internal', tls: { options: 'default', certResolver: 'le' } }),
          },
          services: {
            svc: { kind: 'loadBalancer', loadBalancer: { servers: [], passHostHeader: true, serversTransport: 'tr', flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined } },
            other: { kind: 'loadBalancer', loadBalancer: { servers: [], passHostHeader: true, serversTransport: 'x@internal', flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined } },
          },
          middlewares: { strip: { kind: 'stripPrefix', options: { prefixes: ['/a'] } } },
          serversTransports: {
            tr: { serverName: undefined, insecureSkipVerify: false, rootCAs: [], maxIdleConnsPerHost: 2, forwardingTimeouts: { dialTimeout: 1, responseHeaderTimeout: 0, idleConnTimeout: 1 }, certificates: [], cipherSuites: [], minVersion: undefined, maxVersion: undefined, disableHTTP2: false },
          },
        },
      },
      origins: new Map([
        ['http.routers.api', { source: 'a.yml', line: 3 }],
        ['http.routers.broken', { source: 'a.yml', line: 9 }],
      ]),
      diagnostics: [diag, { code: 'TPK_CFG_PARSE', severity: 'error', message: 'bad', source: 'b.yml' }],
    });
    assert.equal(snapshots.length, 1);
    const s = snapshots[0] as Snapshot;
    const http = s.config.http;
    assert.deepEqual(Object.keys(http.routers).sort(), ['api@file', 'dash@file']);
    assert.equal(http.routers['api@file']?.service, 'svc@file');
    assert.deepEqual(http.routers['api@file']?.middlewares, ['strip@file', 'auth@docker']);
    assert.deepEqual(http.routers['api@file']?.tls, { options: 'modern@file' });
    assert.equal(http.routers['dash@file']?.service, 'api@internal');
    assert.deepEqual(http.routers['dash@file']?.tls, { options: 'default', certResolver: 'le' });
    assert.equal(lbOf(http.services['svc@file']).serversTransport, 'tr@file');
    assert.equal(lbOf(http.services['other@file']).serversTransport, 'x@internal');
    assert.deepEqual(Object.keys(http.middlewares), ['strip@file']);
    assert.deepEqual(Object.keys(http.serversTransports), ['tr@file']);
    assert.deepEqual([...s.origins.keys()].sort(), ['http.routers.api@file', 'http.routers.broken@file']);
    assert.deepEqual(s.diagnostics.map((d) => d.object), ['broken@file', undefined]);
  });

  void it('merges providers side by side; the same name in two providers is two objects', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { api: routerCfg() }));
    agg.push(message('docker', { api: routerCfg({ rule: 'Host(`d`)' }) }));
    const last = snapshots.at(-1) as Snapshot;
    assert.deepEqual(Object.keys(last.config.http.routers).sort(), ['api@docker', 'api@file']);
    assert.equal(last.config.http.routers['api@docker']?.service, 'svc@docker');
    assert.deepEqual(snapshots.map((s) => s.version), [1, 2]);
  });

  void it('hands out deeply frozen snapshots with a content hash of the configuration', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { api: routerCfg() }));
    agg.push(message('file', { api: routerCfg() }, { diagnostics: [{ code: 'X', severity: 'warning', message: 'w' }] }));
    const [a, b] = snapshots as [Snapshot, Snapshot];
    assert.equal(a.hash, b.hash, 'diagnostics alone do not change the hash');
    assert.notEqual(a.version, b.version);
    assert.ok(Object.isFrozen(a.config.http.routers['api@file']));
    assert.ok(Object.isFrozen(a.diagnostics));
    agg.push(message('file', { api: routerCfg({ priority: 5 }) }));
    assert.notEqual((snapshots.at(-1) as Snapshot).hash, a.hash);
  });
});

void describe('aggregator: throttling (mocked timers)', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 0;
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => {
    mock.timers.reset();
  });
  const advance = (ms: number): void => {
    clock += ms;
    mock.timers.tick(ms);
  };

  void it('a burst of 10 messages gives 2 applies: the first at once, then the latest', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 1000, now: () => clock, onSnapshot: (s) => snapshots.push(s) });
    for (let i = 1; i <= 10; i++) agg.push(message('file', { r: routerCfg({ priority: i }) }));
    assert.equal(snapshots.length, 1);
    assert.equal(snapshots[0]?.config.http.routers['r@file']?.priority, 1);
    advance(999);
    assert.equal(snapshots.length, 1);
    advance(1);
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[1]?.config.http.routers['r@file']?.priority, 10);
    advance(10_000);
    assert.equal(snapshots.length, 2);
    agg.close();
  });

  void it('after a quiet period the next message applies at once again', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 1000, now: () => clock, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { r: routerCfg({ priority: 1 }) }));
    advance(1500);
    agg.push(message('file', { r: routerCfg({ priority: 2 }) }));
    assert.equal(snapshots.length, 2);
    agg.close();
  });

  void it('skips a message identical to the previous one', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 1000, now: () => clock, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { r: routerCfg() }));
    advance(2000);
    agg.push(message('file', { r: routerCfg() }));
    advance(2000);
    assert.equal(snapshots.length, 1);
    agg.close();
  });

  void it('a change reverted within the window applies nothing', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 1000, now: () => clock, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { r: routerCfg({ priority: 1 }) }));
    agg.push(message('file', { r: routerCfg({ priority: 2 }) }));
    agg.push(message('file', { r: routerCfg({ priority: 1 }) }));
    advance(1000);
    assert.equal(snapshots.length, 1);
    agg.close();
  });

  void it('throttles per provider: one busy provider does not delay another', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 1000, now: () => clock, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { a: routerCfg({ priority: 1 }) }));
    agg.push(message('file', { a: routerCfg({ priority: 2 }) }));
    agg.push(message('docker', { b: routerCfg() }));
    assert.equal(snapshots.length, 2);
    assert.deepEqual(Object.keys(snapshots[1]?.config.http.routers ?? {}).sort(), ['a@file', 'b@docker']);
    assert.equal(snapshots[1]?.config.http.routers['a@file']?.priority, 1);
    advance(1000);
    assert.equal(snapshots[2]?.config.http.routers['a@file']?.priority, 2);
    agg.close();
  });

  void it('close drops pending messages and ignores later ones', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 1000, now: () => clock, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', { r: routerCfg({ priority: 1 }) }));
    agg.push(message('file', { r: routerCfg({ priority: 2 }) }));
    agg.close();
    advance(5000);
    agg.push(message('file', { r: routerCfg({ priority: 3 }) }));
    assert.equal(snapshots.length, 1);
  });
});

void describe('aggregator: throttling (real timers)', () => {
  void it('a burst of 10 gives 1-2 applies ending on the latest state', async () => {
    const snapshots: Snapshot[] = [];
    let wake: (() => void) | undefined;
    const agg = createAggregator({
      throttleMs: 50,
      onSnapshot: (s) => {
        snapshots.push(s);
        wake?.();
      },
    });
    for (let i = 1; i <= 10; i++) agg.push(message('file', { r: routerCfg({ priority: i }) }));
    const bound = setTimeout(() => wake?.(), 5000);
    while (snapshots.at(-1)?.config.http.routers['r@file']?.priority !== 10) {
      const before = snapshots.length;
      await new Promise<void>((resolve) => (wake = resolve));
      if (snapshots.length === before) break; // the bound fired
    }
    clearTimeout(bound);
    agg.close();
    assert.equal(snapshots.at(-1)?.config.http.routers['r@file']?.priority, 10);
    assert.ok(snapshots.length >= 1 && snapshots.length <= 2, `${snapshots.length} applies`);
  });
});
