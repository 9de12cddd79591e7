/** Parent services' references are qualified with the provider, as routers' service names are. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DynamicConfig, ServiceConfig } from '../../../src/config/dynamic/types.js';
import { qualifyMessage } from '../../../src/providers/qualify.js';

function qualified(services: Record<string, ServiceConfig>): Record<string, ServiceConfig> {
  const config: DynamicConfig = { http: { routers: {}, services, middlewares: {}, serversTransports: {} } };
  return qualifyMessage({ provider: 'file', config, origins: new Map(), diagnostics: [] }).http.services;
}

void describe('qualify: parent service references', () => {
  const cases: { desc: string; service: ServiceConfig; expect: ServiceConfig }[] = [
    {
      desc: 'weighted children',
      service: { kind: 'weighted', weighted: { services: [{ name: 'a', weight: 1 }, { name: 'b@docker', weight: 2 }], sticky: undefined, healthCheck: false } },
      expect: { kind: 'weighted', weighted: { services: [{ name: 'a@file', weight: 1 }, { name: 'b@docker', weight: 2 }], sticky: undefined, healthCheck: false } },
    },
    {
      desc: 'mirroring main and mirrors',
      service: { kind: 'mirroring', mirroring: { service: 'main', mirrors: [{ name: 'm', percent: 10 }], mirrorBody: true, maxBodySize: -1, healthCheck: false } },
      expect: { kind: 'mirroring', mirroring: { service: 'main@file', mirrors: [{ name: 'm@file', percent: 10 }], mirrorBody: true, maxBodySize: -1, healthCheck: false } },
    },
    {
      desc: 'failover main and fallback',
      service: { kind: 'failover', failover: { service: 'main', fallback: 'noop@internal', healthCheck: true } },
      expect: { kind: 'failover', failover: { service: 'main@file', fallback: 'noop@internal', healthCheck: true } },
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.deepEqual(qualified({ s: c.service })['s@file'], c.expect);
    });
  }

  void it('keeps one qualified object per frozen configuration object (reuse across reloads)', () => {
    const service: ServiceConfig = Object.freeze({ kind: 'failover', failover: Object.freeze({ service: 'a', fallback: 'b', healthCheck: false }) });
    assert.equal(qualified({ s: service })['s@file'], qualified({ s: service })['s@file']);
  });
});
