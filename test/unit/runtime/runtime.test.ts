import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DynamicConfig } from '../../../src/config/dynamic/types.js';
import type { StaticConfig } from '../../../src/config/static/types.js';
import type { Handler } from '../../../src/exchange/exchange.js';
import { createLogger } from '../../../src/observability/logger.js';
import type { Snapshot } from '../../../src/providers/aggregator.js';
import { Runtime, type ApplySummary } from '../../../src/runtime/runtime.js';
import { plainService } from '../../../src/services/service.js';

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

function snapshot(version: number, service: string): Snapshot {
  const config: DynamicConfig = {
    http: {
      routers: { 'app@file': { rule: 'Host(`a.test`)', entryPoints: undefined, middlewares: [], service, priority: 0, tls: undefined } },
      services: {},
      middlewares: {},
      serversTransports: {},
    },
  };
  return { version, hash: service, config, origins: new Map(), diagnostics: [] };
}

void describe('Runtime report mode (cluster workers)', () => {
  void it('hands each apply to `report` (diff, diagnostics, skipped) instead of logging it', () => {
    const summaries: ApplySummary[] = [];
    const handlers: Handler[] = [];
    const runtime = new Runtime({
      staticConfig,
      logger: createLogger(staticConfig.log),
      deps: { buildLoadBalancer: () => plainService(() => undefined) },
      slots: new Map([['web', { setHandler: (h: Handler) => handlers.push(h) }]]),
      report: (s) => summaries.push(s),
    });
    runtime.apply(snapshot(1, 'missing@file'));
    runtime.apply(snapshot(2, 'missing@file'));
    runtime.apply(snapshot(3, 'other@file'));
    assert.deepEqual(
      summaries.map((s) => ({ skipped: s.skipped, version: s.version, routers: s.routers, added: s.added, changed: s.changed, errors: s.errors })),
      [
        { skipped: false, version: 1, routers: 1, added: ['app@file'], changed: [], errors: 1 },
        { skipped: true, version: 1, routers: 0, added: [], changed: [], errors: 0 },
        { skipped: false, version: 2, routers: 1, added: [], changed: ['app@file'], errors: 1 },
      ],
    );
    assert.match(summaries[0]?.diagnostics[0]?.message ?? '', /missing@file/);
    assert.equal(handlers.length, 2, 'a skipped snapshot swaps nothing');
  });
});

/** `count` Host routers, each with its own service; `tag` renames router 0's host. */
function bigSnapshot(version: number, count: number, tag: string): Snapshot {
  const routers: Record<string, DynamicConfig['http']['routers'][string]> = {};
  const services: Record<string, DynamicConfig['http']['services'][string]> = {};
  for (let i = 0; i < count; i++) {
    routers[`r${i}@file`] = { rule: `Host(\`h${i}${i === 0 ? tag : ''}.test\`)`, entryPoints: undefined, middlewares: [], service: `s${i}@file`, priority: 0, tls: undefined };
    services[`s${i}@file`] = {
      kind: 'loadBalancer',
      loadBalancer: { servers: [{ url: 'http://127.0.0.1:1', weight: 1, preservePath: false }], passHostHeader: true, serversTransport: undefined, flushInterval: 100, sticky: undefined, healthCheck: undefined, passiveHealthCheck: undefined },
    };
  }
  return { version, hash: `big-${version}-${tag}`, config: { http: { routers, services, middlewares: {}, serversTransports: {} } }, origins: new Map(), diagnostics: [] };
}

void describe('Runtime.applySliced', () => {
  const make = (summaries: ApplySummary[], handlers: Handler[]): Runtime =>
    new Runtime({
      staticConfig,
      logger: createLogger(staticConfig.log),
      deps: { buildLoadBalancer: (name) => plainService((ex) => ex.response.sendText(200, name)) },
      slots: new Map([['web', { setHandler: (h: Handler) => handlers.push(h) }]]),
      report: (s) => summaries.push(s),
    });
  const done = (summaries: ApplySummary[], n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error(`only ${summaries.length} of ${n} applies reported`)), 20_000);
      const poll = (): void => {
        if (summaries.length >= n) {
          clearTimeout(bound);
          resolve();
        } else setImmediate(poll);
      };
      poll();
    });

  void it('compiles in slices: the event loop runs between them, and the result is what apply() builds', async () => {
    const summaries: ApplySummary[] = [];
    const handlers: Handler[] = [];
    const runtime = make(summaries, handlers);
    let turns = 0;
    const spin = (): void => {
      turns++;
      if (summaries.length === 0) setImmediate(spin);
    };
    setImmediate(spin);
    runtime.applySliced(bigSnapshot(1, 5000, ''), 1);
    assert.equal(handlers.length, 0, 'nothing swapped before the compile is complete');
    await done(summaries, 1);
    assert.ok(turns > 2, `the event loop turned ${turns} times during the compile`);
    assert.equal(handlers.length, 1);
    const sync = make([], []);
    const whole = sync.apply(bigSnapshot(1, 5000, ''));
    assert.deepEqual(Object.keys(runtime.current?.view.routers ?? {}), Object.keys(whole?.view.routers ?? {}));
    assert.equal(summaries[0]?.routers, 5000);
    assert.equal(summaries[0]?.enabled, 5000);
  });

  void it('apply() during a sliced compile finishes that one first, then applies its own', () => {
    const summaries: ApplySummary[] = [];
    const handlers: Handler[] = [];
    const runtime = make(summaries, handlers);
    runtime.applySliced(bigSnapshot(1, 3000, ''), 1);
    const graph = runtime.apply(bigSnapshot(2, 3000, '-sync'));
    assert.equal(graph?.view.routers['r0@file']?.config.rule, 'Host(`h0-sync.test`)');
    assert.deepEqual(
      summaries.map((s) => s.snapshot),
      [1, 2],
    );
    assert.equal(handlers.length, 2);
  });

  void it('stop() drops a sliced compile in progress: nothing more is swapped in or reported', async () => {
    const summaries: ApplySummary[] = [];
    const handlers: Handler[] = [];
    const runtime = make(summaries, handlers);
    runtime.applySliced(bigSnapshot(1, 5000, ''), 1);
    runtime.applySliced(bigSnapshot(2, 5000, '-b'), 1);
    runtime.stop();
    // Several turns of the event loop: a dropped compile would have gone on in them.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(handlers.length, 0);
    assert.equal(summaries.length, 0);
  });

  void it('a snapshot arriving during a compile is applied after it; only the latest waiting one', async () => {
    const summaries: ApplySummary[] = [];
    const handlers: Handler[] = [];
    const runtime = make(summaries, handlers);
    runtime.applySliced(bigSnapshot(1, 3000, ''), 1);
    runtime.applySliced(bigSnapshot(2, 3000, '-b'), 1); // replaced by the next one before it starts
    runtime.applySliced(bigSnapshot(3, 3000, '-c'), 1);
    await done(summaries, 2);
    await new Promise((r) => setImmediate(r));
    assert.equal(summaries.length, 2, 'version 2 was skipped for the newer 3');
    assert.deepEqual(
      summaries.map((s) => s.snapshot),
      [1, 3],
      'each summary names its own snapshot',
    );
    assert.deepEqual(summaries[1]?.changed, ['r0@file']);
    assert.equal(runtime.current?.view.routers['r0@file']?.config.rule, 'Host(`h0-c.test`)');
  });
});

void describe('Runtime sized', () => {
  void it('tells after each swap how many objects the largest collection has (the young generation limit follows it)', async () => {
    const sizes: number[] = [];
    const handlers: Handler[] = [];
    const runtime = new Runtime({
      staticConfig,
      logger: createLogger(staticConfig.log),
      deps: { buildLoadBalancer: (name) => plainService((ex) => ex.response.sendText(200, name)) },
      slots: new Map([['web', { setHandler: (h: Handler) => handlers.push(h) }]]),
      report: () => undefined,
      sized: (n) => sizes.push(n),
    });
    runtime.apply(bigSnapshot(1, 30, ''));
    // One router and no service: the routers count.
    runtime.apply(snapshot(2, 'missing@file'));
    // Unchanged: nothing swapped, nothing told.
    runtime.apply(snapshot(3, 'missing@file'));
    // More services than routers: the services count.
    const more = bigSnapshot(4, 2, '');
    const services = { ...more.config.http.services };
    for (let i = 2; i < 12; i++) services[`x${i}@file`] = services['s0@file'] as DynamicConfig['http']['services'][string];
    runtime.apply({ ...more, hash: 'more', config: { http: { ...more.config.http, services } } });
    // Sliced, as a served configuration is applied.
    await new Promise<void>((resolve) => {
      runtime.applySliced(bigSnapshot(5, 1500, ''), 1);
      const poll = (): void => (sizes.length === 4 ? resolve() : void setImmediate(poll));
      poll();
    });
    assert.deepEqual(sizes, [30, 1, 12, 1500]);
    assert.equal(handlers.length, 4);
  });
});
