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
