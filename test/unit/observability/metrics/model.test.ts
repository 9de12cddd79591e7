/** The metrics model and its Prometheus families: Traefik's names, labels, buckets and exclusions. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange, TlsInfo } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { RequestRecord } from '../../../../src/observability/request-record.js';
import { MetricsModel, type ModelOptions } from '../../../../src/observability/metrics/model.js';
import { prometheusFamilies, type FamilySelection, type MetricFamily } from '../../../../src/observability/metrics/families.js';
import { renderFamilies } from '../../../../src/observability/metrics/render.js';

const NO_GRPC = (): number => 2;
const LIVE = { openConnections: [], serversUp: [], certificates: [] };

function options(over: Partial<ModelOptions> = {}): ModelOptions {
  return { buckets: [0.1, 0.3, 1.2, 5], entryPoints: true, routers: true, services: true, headerLabels: [], addInternals: false, sinks: 0, ...over };
}

function selection(over: Partial<FamilySelection> = {}): FamilySelection {
  return { entryPoints: true, routers: true, services: true, headerLabels: [], buckets: [0.1, 0.3, 1.2, 5], ...over };
}

/** The data an exchange carries (a plain object: the model reads fields, nothing else). */
function exchange(over: { method?: string; headers?: string[]; router?: string; entryPoint?: string; tls?: TlsInfo | null; upgrade?: boolean } = {}): Exchange {
  return {
    method: over.method ?? 'GET',
    headers: new HeaderList(over.headers ?? []),
    routerName: over.router,
    entryPoint: over.entryPoint ?? 'web',
    tls: over.tls ?? null,
    upgrade: over.upgrade ? { protocol: 'websocket', takeSocket: () => assert.fail('not used') } : null,
  } as unknown as Exchange;
}

function record(service?: string, origin?: { status: number; size: number; ms: number }, reqSize = 0, respSize = 0, retries = 0): RequestRecord {
  const rec = new RequestRecord();
  rec.serviceName = service;
  rec.requestContentSize = reqSize;
  rec.downstreamContentSize = respSize;
  rec.retryAttempts = retries;
  if (origin) {
    rec.originStatus = origin.status;
    rec.originContentSize = origin.size;
    rec.originDuration = origin.ms;
  }
  return rec;
}

function values(families: MetricFamily[], name: string, metricName = name): { labels: Record<string, string | number>; value: number }[] {
  const f = families.find((x) => x.name === name);
  return (f?.values ?? []).filter((v) => (v.metricName ?? name) === metricName).map(({ labels, value }) => ({ labels, value }));
}

describe('MetricsModel + prometheusFamilies', () => {
  it('counts entry point, router and service requests with Traefik labels in alphabetical order', () => {
    const m = new MetricsModel(options());
    m.routerService.set('app@file', 'svc@file');
    for (let i = 0; i < 3; i++) m.record(exchange({ router: 'app@file' }), record('svc@file', { status: 200, size: 5, ms: 50 }, 10, 5), 200, 80, NO_GRPC);
    m.record(exchange({ method: 'PURGE', router: 'app@file' }), record('svc@file', { status: 503, size: 2, ms: 1 }), 503, 2000, NO_GRPC);
    const f = prometheusFamilies(m, LIVE, selection());
    assert.deepEqual(values(f, 'traefik_entrypoint_requests_total'), [
      { labels: { code: '200', entrypoint: 'web', method: 'GET', protocol: 'http' }, value: 3 },
      { labels: { code: '503', entrypoint: 'web', method: 'EXTENSION_METHOD', protocol: 'http' }, value: 1 },
    ]);
    assert.deepEqual(Object.keys(values(f, 'traefik_router_requests_total')[0]?.labels ?? {}), ['code', 'method', 'protocol', 'router', 'service']);
    assert.deepEqual(values(f, 'traefik_router_requests_total')[0]?.labels, { code: '200', method: 'GET', protocol: 'http', router: 'app@file', service: 'svc@file' });
    assert.deepEqual(values(f, 'traefik_service_requests_total')[0], { labels: { code: '200', method: 'GET', protocol: 'http', service: 'svc@file' }, value: 3 });
    assert.deepEqual(values(f, 'traefik_entrypoint_requests_bytes_total')[0]?.value, 30);
    assert.deepEqual(values(f, 'traefik_entrypoint_responses_bytes_total')[0]?.value, 15);
    // Histogram: cumulative buckets, +Inf = count, sum in seconds; `le` last.
    const buckets = values(f, 'traefik_entrypoint_request_duration_seconds', 'traefik_entrypoint_request_duration_seconds_bucket').filter((v) => v.labels['code'] === '200');
    assert.deepEqual(
      buckets.map((b) => [b.labels['le'], b.value]),
      [
        [0.1, 3],
        [0.3, 3],
        [1.2, 3],
        [5, 3],
        ['+Inf', 3],
      ],
    );
    assert.equal(Object.keys(buckets[0]?.labels ?? {}).at(-1), 'le');
    const sum = values(f, 'traefik_entrypoint_request_duration_seconds', 'traefik_entrypoint_request_duration_seconds_sum')[0];
    assert.ok(Math.abs((sum?.value ?? 0) - 0.24) < 1e-9);
    // The service's own duration (the upstream's), not the entry point's.
    const svcSum = values(f, 'traefik_service_request_duration_seconds', 'traefik_service_request_duration_seconds_sum')[0];
    assert.ok(Math.abs((svcSum?.value ?? 0) - 0.15) < 1e-9);
  });

  const exclusions: { desc: string; router: string; service?: string; addInternals: boolean; counted: boolean }[] = [
    { desc: 'an internal router is not counted', router: 'prometheus@internal', service: 'prometheus@internal', addInternals: false, counted: false },
    { desc: 'with addInternals it is', router: 'ping@internal', service: 'ping@internal', addInternals: true, counted: true },
    { desc: 'a user router is', router: 'app@file', service: 'svc@file', addInternals: false, counted: true },
  ];
  for (const c of exclusions) {
    it(c.desc, () => {
      const m = new MetricsModel(options({ addInternals: c.addInternals }));
      m.record(exchange({ router: c.router }), record(c.service), 200, 1, NO_GRPC);
      const f = prometheusFamilies(m, LIVE, selection());
      assert.equal(values(f, 'traefik_entrypoint_requests_total').length, c.counted ? 1 : 0);
      assert.equal(values(f, 'traefik_router_requests_total').length, c.counted ? 1 : 0);
    });
  }

  it('shows only the levels selected (addEntryPointsLabels, addRoutersLabels, addServicesLabels)', () => {
    const m = new MetricsModel(options());
    m.record(exchange({ router: 'a@file' }), record('s@file'), 200, 1, NO_GRPC);
    const names = prometheusFamilies(m, LIVE, selection({ routers: false })).map((x) => x.name);
    assert.ok(names.includes('traefik_entrypoint_requests_total'));
    assert.ok(names.includes('traefik_service_requests_total'));
    assert.ok(!names.some((n) => n.startsWith('traefik_router_')));
  });

  it('adds headerLabels to requests_total only, "" for a missing header', () => {
    const m = new MetricsModel(options({ headerLabels: [['useragent', 'user-agent']] }));
    m.record(exchange({ headers: ['User-Agent', 'curl/8'] }), record(), 200, 1, NO_GRPC);
    m.record(exchange({ headers: ['User-Agent', 'curl/8'] }), record(), 200, 1, NO_GRPC);
    m.record(exchange(), record(), 200, 1, NO_GRPC);
    const f = prometheusFamilies(m, LIVE, selection({ headerLabels: ['useragent'] }));
    assert.deepEqual(values(f, 'traefik_entrypoint_requests_total'), [
      { labels: { code: '200', entrypoint: 'web', method: 'GET', protocol: 'http', useragent: 'curl/8' }, value: 2 },
      { labels: { code: '200', entrypoint: 'web', method: 'GET', protocol: 'http', useragent: '' }, value: 1 },
    ]);
    assert.deepEqual(Object.keys(values(f, 'traefik_entrypoint_requests_bytes_total')[0]?.labels ?? {}), ['code', 'entrypoint', 'method', 'protocol']);
  });

  it('counts TLS requests by version and Go cipher name, and retries per service', () => {
    const m = new MetricsModel(options());
    const tls: TlsInfo = { servername: 'a.test', protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', alpn: undefined };
    m.record(exchange({ tls }), record('s@file', undefined, 0, 0, 2), 200, 1, NO_GRPC);
    const f = prometheusFamilies(m, LIVE, selection());
    assert.deepEqual(values(f, 'traefik_entrypoint_requests_tls_total'), [{ labels: { entrypoint: 'web', tls_cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', tls_version: '1.2' }, value: 1 }]);
    assert.deepEqual(values(f, 'traefik_service_retries_total'), [{ labels: { service: 's@file' }, value: 2 }]);
  });

  const protocols: { desc: string; headers: string[]; upgrade?: boolean; protocol: string; code: string }[] = [
    { desc: 'WebSocket handshake', headers: ['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket'], upgrade: true, protocol: 'websocket', code: '101' },
    { desc: 'event stream', headers: ['Accept', 'text/html, text/event-stream'], protocol: 'sse', code: '101' },
    { desc: 'gRPC (code from grpc-status)', headers: ['Content-Type', 'application/grpc+proto'], protocol: 'grpc', code: '5' },
    { desc: 'gRPC-Web', headers: ['Content-Type', 'application/grpc-web-text'], protocol: 'grpc-web', code: '5' },
    { desc: 'plain', headers: ['Accept', 'text/event-streams'], protocol: 'http', code: '101' },
  ];
  for (const c of protocols) {
    it(`protocol label: ${c.desc}`, () => {
      const m = new MetricsModel(options());
      m.record(exchange({ headers: c.headers, upgrade: c.upgrade ?? false }), record(), 101, 1, () => 5);
      const v = values(prometheusFamilies(m, LIVE, selection()), 'traefik_entrypoint_requests_total')[0];
      assert.equal(v?.labels['protocol'], c.protocol);
      assert.equal(v?.labels['code'], c.code);
    });
  }

  it('renders with prom-client and sums the parts of several workers', async () => {
    const parts = [0, 1].map((i) => {
      const m = new MetricsModel(options());
      for (let n = 0; n <= i; n++) m.record(exchange(), record(), 200, 10, NO_GRPC);
      return prometheusFamilies(m, { ...LIVE, openConnections: [{ entrypoint: 'web', protocol: 'TCP', count: 2 }] }, selection());
    });
    parts.push([
      { name: 'traefik_config_reloads_total', help: 'Config reloads', type: 'counter', values: [{ labels: {}, value: 4 }], aggregator: 'sum' },
      { name: 'traefik_config_last_reload_success', help: 'Last config reload success', type: 'gauge', values: [{ labels: {}, value: 1700000000 }], aggregator: 'max' },
    ]);
    const text = await renderFamilies(parts);
    assert.match(text, /^traefik_entrypoint_requests_total\{code="200",entrypoint="web",method="GET",protocol="http"\} 3$/m);
    assert.match(text, /^traefik_entrypoint_request_duration_seconds_bucket\{code="200",entrypoint="web",method="GET",protocol="http",le="0\.1"\} 3$/m);
    assert.match(text, /^traefik_entrypoint_request_duration_seconds_bucket\{code="200",entrypoint="web",method="GET",protocol="http",le="\+Inf"\} 3$/m);
    assert.match(text, /^traefik_open_connections\{entrypoint="web",protocol="TCP"\} 4$/m);
    assert.match(text, /^# TYPE traefik_entrypoint_request_duration_seconds histogram$/m);
    assert.match(text, /^traefik_config_reloads_total 4$/m);
    assert.match(text, /^traefik_config_last_reload_success 1700000000$/m);
  });
});
