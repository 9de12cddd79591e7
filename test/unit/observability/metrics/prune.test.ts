/**
 * The model forgets the series of routers and services that left the configuration (as Traefik
 * drops outdated series), so memory follows the live configuration: 100,000 routers seen once,
 * then removed, leave nothing behind.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Exchange } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { prometheusFamilies } from '../../../../src/observability/metrics/families.js';
import { MetricsModel } from '../../../../src/observability/metrics/model.js';
import { RequestRecord } from '../../../../src/observability/request-record.js';

const NO_GRPC = (): number => 2;
const HEADERS = new HeaderList([]);

function model(addInternals = false): MetricsModel {
  return new MetricsModel({ buckets: [0.1, 0.3, 1.2, 5], entryPoints: true, routers: true, services: true, headerLabels: [], addInternals, sinks: 1 });
}

function hit(m: MetricsModel, router: string, service: string): void {
  const ex = { method: 'GET', headers: HEADERS, routerName: router, entryPoint: 'web', tls: null, upgrade: null } as unknown as Exchange;
  const rec = new RequestRecord();
  rec.serviceName = service;
  m.routerService.set(router, service);
  m.record(ex, rec, 200, 1, NO_GRPC);
}

void describe('MetricsModel.prune', () => {
  void it('drops removed routers and services, keeps live and internal ones and the entry points', () => {
    const m = model(true);
    hit(m, 'a@file', 'sa@file');
    hit(m, 'b@file', 'sb@file');
    hit(m, 'ping@internal', 'ping@internal');
    const live = new Set(['a@file', 'sa@file']);
    m.prune((r) => live.has(r), (s) => live.has(s));
    assert.deepEqual([...m.routers.keys()].sort(), ['a@file', 'ping@internal']);
    assert.deepEqual([...m.services.keys()].sort(), ['ping@internal', 'sa@file']);
    assert.deepEqual([...m.routerService.keys()].sort(), ['a@file', 'ping@internal']);
    const fams = prometheusFamilies(m, { openConnections: [], serversUp: [], certificates: [] }, { entryPoints: true, routers: true, services: true, headerLabels: [], buckets: [0.1, 0.3, 1.2, 5] });
    const routers = fams.find((f) => f.name === 'traefik_router_requests_total')?.values.map((v) => v.labels['router']);
    assert.deepEqual(routers?.sort(), ['a@file', 'ping@internal']);
    const ep = fams.find((f) => f.name === 'traefik_entrypoint_requests_total')?.values[0]?.value;
    assert.equal(ep, 3, 'entry point counts are not pruned');
  });

  void it('a router now sending to another service loses the series of a removed service only', () => {
    const m = model();
    hit(m, 'a@file', 'old@file');
    hit(m, 'a@file', 'new@file');
    m.prune(() => true, (s) => s === 'new@file');
    assert.deepEqual([...(m.routers.get('a@file')?.keys() ?? [])], ['new@file']);
  });

  void it('100,000 routers seen once then removed: nothing left', () => {
    const m = model();
    for (let i = 0; i < 100_000; i++) hit(m, `r${i}@file`, `s${i}@file`);
    assert.equal(m.routers.size, 100_000);
    m.prune(
      (r) => r === 'r0@file',
      (s) => s === 's0@file',
    );
    assert.equal(m.routers.size, 1);
    assert.equal(m.services.size, 1);
    assert.equal(m.routerService.size, 1);
  });
});
