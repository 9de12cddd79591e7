/** DogStatsD and StatsD lines: Traefik's names, types, tags, units; deltas between pushes; datagrams. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { RequestRecord } from '../../../../src/observability/request-record.js';
import { MetricsModel, SAMPLE_CAP } from '../../../../src/observability/metrics/model.js';
import type { LiveGauges } from '../../../../src/observability/metrics/families.js';
import { datagrams, LineBuilder, type Flavor } from '../../../../src/observability/metrics/statsd.js';

function exchange(router?: string): Exchange {
  return { method: 'GET', headers: new HeaderList([]), routerName: router, entryPoint: 'web', tls: null, upgrade: null } as unknown as Exchange;
}

function setup(flavor: Flavor, live: Partial<LiveGauges> = {}) {
  const model = new MetricsModel({ buckets: [], entryPoints: true, routers: true, services: true, headerLabels: [], addInternals: false, sinks: 1 });
  const gauges: LiveGauges = { openConnections: [], serversUp: [], certificates: [], ...live };
  const builder = new LineBuilder(flavor, { prefix: 'traefik', addEntryPointsLabels: true, addRoutersLabels: false, addServicesLabels: true }, { model, sink: 0, live: () => gauges });
  const hit = (status: number, ms: number, retries = 0): void => {
    const rec = new RequestRecord();
    rec.serviceName = 'svc@file';
    rec.requestContentSize = 3;
    rec.downstreamContentSize = 7;
    rec.retryAttempts = retries;
    model.record(exchange('app@file'), rec, status, ms, () => 2);
  };
  return { model, builder, hit };
}

describe('LineBuilder', () => {
  it('datadog: counters with tags in Traefik order, durations in seconds as |h, gauges', () => {
    const { builder, hit } = setup('datadog', {
      openConnections: [{ entrypoint: 'web', protocol: 'TCP', count: 3 }],
      serversUp: [{ service: 'svc@file', url: 'http://127.0.0.1:1', up: 1 }],
      reloads: { total: 2, lastSuccessSeconds: 1700000000 },
    });
    hit(200, 250);
    hit(200, 500, 1);
    const lines = builder.lines();
    const expected = [
      'traefik.config.reload.total:2.000000|c\n',
      'traefik.config.reload.lastSuccessTimestamp:1700000000.000000|g\n',
      'traefik.open.connections:3.000000|g|#entrypoint:web,protocol:TCP\n',
      'traefik.entrypoint.request.total:2.000000|c|#entrypoint:web,method:GET,protocol:http,code:200\n',
      'traefik.entrypoint.requests.bytes.total:6.000000|c|#entrypoint:web,method:GET,protocol:http,code:200\n',
      'traefik.entrypoint.responses.bytes.total:14.000000|c|#entrypoint:web,method:GET,protocol:http,code:200\n',
      'traefik.entrypoint.request.duration:0.250000|h|#entrypoint:web,method:GET,protocol:http,code:200\n',
      'traefik.entrypoint.request.duration:0.500000|h|#entrypoint:web,method:GET,protocol:http,code:200\n',
      'traefik.service.request.total:2.000000|c|#service:svc@file,method:GET,protocol:http,code:200\n',
      'traefik.service.retries.total:1.000000|c|#service:svc@file\n',
      'traefik.service.server.up:1.000000|g|#service:svc@file,url:http://127.0.0.1:1\n',
    ];
    for (const e of expected) assert.ok(lines.includes(e), `missing ${JSON.stringify(e)} in\n${lines.join('')}`);
    assert.ok(!lines.some((l) => l.includes('.router.')), 'routers are off');
    // The next push sends only what changed: no request lines, the gauges again, no reload delta.
    hit(404, 1);
    const next = builder.lines();
    assert.ok(next.includes('traefik.entrypoint.request.total:1.000000|c|#entrypoint:web,method:GET,protocol:http,code:404\n'));
    assert.ok(!next.some((l) => l.includes('code:200')));
    assert.ok(!next.some((l) => l.startsWith('traefik.config.reload.total')));
    assert.ok(next.includes('traefik.config.reload.lastSuccessTimestamp:1700000000.000000|g\n'));
  });

  it('statsd: no tags, one summed line per counter, durations in ms as |ms', () => {
    const { builder, hit } = setup('statsd', { openConnections: [{ entrypoint: 'a', protocol: 'TCP', count: 1 }, { entrypoint: 'b', protocol: 'TCP', count: 2 }] });
    hit(200, 12.5);
    hit(404, 1);
    const lines = builder.lines();
    assert.ok(lines.includes('traefik.entrypoint.request.total:2.000000|c\n'), lines.join(''));
    assert.ok(lines.includes('traefik.entrypoint.requests.bytes.total:6.000000|c\n'));
    assert.ok(lines.includes('traefik.entrypoint.request.duration:12.500000|ms\n'));
    assert.ok(lines.includes('traefik.service.request.total:2.000000|c\n'));
    assert.ok(lines.includes('traefik.open.connections:3.000000|g\n'));
    assert.ok(!lines.some((l) => l.includes('|#')));
  });

  it('keeps at most SAMPLE_CAP durations per series and push, with their sample rate', () => {
    const { builder, hit } = setup('statsd');
    const n = SAMPLE_CAP * 4;
    for (let i = 0; i < n; i++) hit(200, 1);
    const durations = builder.lines().filter((l) => l.startsWith('traefik.entrypoint.request.duration:'));
    assert.equal(durations.length, SAMPLE_CAP);
    assert.match(durations[0] ?? '', /^traefik\.entrypoint\.request\.duration:1\.000000\|ms\|@0\.250000\n$/);
  });

  it('packs lines into datagrams of at most the limit, never splitting a line', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `traefik.x.${i}:1.000000|c\n`);
    const packets = datagrams(lines, 200);
    assert.ok(packets.every((p) => p.length <= 200));
    assert.equal(packets.map((p) => p.toString()).join(''), lines.join(''));
  });
});
