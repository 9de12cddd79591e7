/**
 * OpenTelemetry tracing through the real binary: spans exported over real OTLP/HTTP (JSON) to a
 * local receiver, the parent/child chain EntryPoint -> Router -> middlewares -> Service ->
 * ReverseProxy, Traefik's attributes, the W3C traceparent the upstream receives, a client's trace
 * context continued, internal routers left out, retries, upstream failures, sampleRate 0, and the
 * OTLP/gRPC exporter to a @grpc/grpc-js receiver.
 *
 * Absence of spans is checked with a marker: spans are exported in the order they end, so once a
 * later request's spans have arrived, an earlier request's would have too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { GrpcReceiver, HttpReceiver, KIND, type ReceivedSpan } from './tracing-helpers.js';

async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const p = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return p;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one ${name} span in ${JSON.stringify(spans.map((s) => s.name))}`);
  return found[0] as ReceivedSpan;
}

/** What the upstream saw: the traceparent of each request, by the X-Id header the test sends. */
const seen = new Map<string, string | undefined>();

function upstreamHandler(): Parameters<typeof startUpstream>[0] {
  return (req, res) => {
    seen.set(String(req.headers['x-id']), req.headers.traceparent as string | undefined);
    res.writeHead(200, { 'content-type': 'text/plain', 'x-resp': 'b' });
    res.end(`path=${req.url}`);
  };
}

function dynamicConfig(upstream: Upstream, deadPort: number): string {
  return `http:
  routers:
    traced:
      rule: "Host(\`traced.test\`)"
      service: svc
      middlewares: [hdr, strip]
    retried:
      rule: "Host(\`retried.test\`)"
      service: halfdead
      middlewares: [retry2]
    dead:
      rule: "Host(\`dead.test\`)"
      service: dead
  middlewares:
    hdr:
      headers:
        customRequestHeaders:
          X-Added: "yes"
    strip:
      stripPrefix:
        prefixes: ["/api"]
    retry2:
      retry:
        attempts: 2
  services:
    svc:
      loadBalancer:
        servers:
          - url: "${upstream.url}"
    halfdead:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${deadPort}"
          - url: "${upstream.url}"
    dead:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${deadPort}"
`;
}

interface Instance {
  tp: TurnpikeProcess;
  port: number;
}

async function startTurnpike(dir: string, name: string, tracing: string, dyn: string, exportDelayMs = 50): Promise<Instance> {
  const st = join(dir, `${name}.yml`);
  writeFileSync(
    st,
    `entryPoints:
  web:
    address: "127.0.0.1:0"
ping:
  entryPoint: web
providers:
  file:
    filename: "${dyn}"
log:
  level: INFO
  format: json
${tracing}`,
  );
  // Export every 50 ms instead of every 5 s (the SDK's BatchSpanProcessor reads this variable).
  const tp = new TurnpikeProcess([`--configFile=${st}`], { env: { OTEL_BSP_SCHEDULE_DELAY: String(exportDelayMs) } });
  // Generous bounds: loading OpenTelemetry on a busy machine takes a while.
  const port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening', 30_000)).port as number;
  await tp.waitForLog('applied', (r) => r.msg === 'configuration applied', 30_000);
  return { tp, port };
}

describe('tracing (OTLP/HTTP)', () => {
  let dir: string;
  let receiver: HttpReceiver;
  let upstream: Upstream;
  let main: Instance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-tracing-'));
    receiver = await HttpReceiver.start();
    upstream = await startUpstream(upstreamHandler());
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, dynamicConfig(upstream, await freePort()));
    main = await startTurnpike(
      dir,
      'main',
      `tracing:
  serviceName: tp-test
  resourceAttributes:
    deployment.environment: test
  capturedRequestHeaders: [X-Req]
  capturedResponseHeaders: [X-Resp]
  safeQueryParams: [keep]
  otlp:
    http:
      endpoint: "${receiver.endpoint}"
      headers:
        Authorization: "Bearer t0ken"
`,
      dyn,
    );
  });

  after(async () => {
    await main?.tp.stop();
    await receiver?.close();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  void it('exports the chain EntryPoint -> Router -> middlewares -> Service -> ReverseProxy, and the upstream sees the client span', async () => {
    const r = await get(main.port, '/api/x?keep=1&secret=2', { host: 'traced.test', headers: { 'x-id': 'chain', 'x-req': 'a', 'user-agent': 'tracing-test/1' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'path=/x?keep=1&secret=2');
    const traceparent = seen.get('chain');
    assert.match(traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, upstreamParent] = (traceparent as string).split('-');
    const spans = await receiver.waitForTrace(traceId as string, (s) => s.length >= 6);
    assert.equal(spans.length, 6);

    const entry = one(spans, 'EntryPoint');
    const router = one(spans, 'Router');
    const headers = one(spans, 'Headers');
    const strip = one(spans, 'StripPrefix');
    const service = one(spans, 'Service');
    const client = one(spans, 'ReverseProxy');
    assert.equal(entry.parentSpanId, '');
    assert.equal(router.parentSpanId, entry.spanId);
    assert.equal(headers.parentSpanId, router.spanId);
    assert.equal(strip.parentSpanId, headers.spanId);
    assert.equal(service.parentSpanId, strip.spanId);
    assert.equal(client.parentSpanId, service.spanId);
    assert.equal(upstreamParent, client.spanId, 'the upstream request carries the CLIENT span as parent');
    assert.deepEqual(
      [entry, router, headers, strip, service, client].map((s) => s.kind),
      [KIND.server, KIND.internal, KIND.internal, KIND.internal, KIND.internal, KIND.client],
    );

    const ea = entry.attributes;
    assert.equal(ea['entry_point'], 'web');
    assert.equal(ea['http.request.method'], 'GET');
    assert.equal(ea['network.protocol.version'], '1.1');
    assert.equal(ea['url.path'], '/api/x');
    assert.equal(ea['url.query'], 'keep=1&secret=REDACTED');
    assert.equal(ea['url.scheme'], 'http');
    assert.equal(ea['server.address'], 'traced.test');
    assert.equal(ea['client.address'], '127.0.0.1');
    assert.equal(typeof ea['client.port'], 'number');
    assert.equal(ea['user_agent.original'], 'tracing-test/1');
    assert.deepEqual(ea['http.request.header.x-req'], ['a']);
    assert.deepEqual(ea['http.response.header.x-resp'], ['b']);
    assert.equal(ea['http.response.status_code'], 200);
    assert.equal(entry.statusCode, 0);

    assert.equal(router.attributes['traefik.router.name'], 'traced@file');
    assert.equal(router.attributes['traefik.service.name'], 'svc@file');
    assert.equal(router.attributes['http.route'], 'Host(`traced.test`)');
    assert.equal(headers.attributes['traefik.middleware.name'], 'hdr@file');
    assert.equal(strip.attributes['traefik.middleware.name'], 'strip@file');
    assert.equal(service.attributes['traefik.service.name'], 'svc@file');

    const ca = client.attributes;
    assert.equal(ca['http.request.method'], 'GET');
    assert.equal(ca['url.full'], `${upstream.url}/x?keep=1&secret=REDACTED`);
    assert.equal(ca['server.address'], '127.0.0.1');
    assert.equal(ca['server.port'], upstream.port);
    assert.equal(ca['http.response.status_code'], 200);
    assert.deepEqual(ca['http.response.header.x-resp'], ['b']);
    assert.deepEqual(ca['http.request.header.x-req'], ['a']);

    assert.equal(entry.resource['service.name'], 'tp-test');
    assert.equal(entry.resource['deployment.environment'], 'test');
    assert.equal(typeof entry.resource['service.version'], 'string');
    assert.ok(receiver.exports.every((h) => h['authorization'] === 'Bearer t0ken'), 'the configured headers go with every export');
    assert.deepEqual(receiver.problems, []);
  });

  void it("continues a client's sampled trace context", async () => {
    const traceId = hex(16);
    const parent = hex(8);
    const r = await get(main.port, '/api/c', { host: 'traced.test', headers: { 'x-id': 'continue', traceparent: `00-${traceId}-${parent}-01` } });
    assert.equal(r.status, 200);
    assert.equal(seen.get('continue')?.split('-')[1], traceId);
    const spans = await receiver.waitForTrace(traceId, (s) => s.length >= 6);
    assert.equal(one(spans, 'EntryPoint').parentSpanId, parent);
    assert.equal(seen.get('continue')?.split('-')[2], one(spans, 'ReverseProxy').spanId);
  });

  void it("passes an unsampled client context on untouched and exports nothing for it; /ping (internal) is not traced", async () => {
    const unsampled = `00-${hex(16)}-${hex(8)}-00`;
    const r1 = await get(main.port, '/api/u', { host: 'traced.test', headers: { 'x-id': 'unsampled', traceparent: unsampled } });
    assert.equal(r1.status, 200);
    assert.equal(seen.get('unsampled'), unsampled);
    const pingTrace = hex(16);
    const ping = await get(main.port, '/ping', { headers: { traceparent: `00-${pingTrace}-${hex(8)}-01` } });
    assert.equal(ping.status, 200);
    // Marker: a traced request after both.
    const marker = hex(16);
    await get(main.port, '/api/m', { host: 'traced.test', headers: { 'x-id': 'marker1', traceparent: `00-${marker}-${hex(8)}-01` } });
    await receiver.waitForTrace(marker, (s) => s.length >= 6);
    assert.equal(receiver.spans.filter((s) => s.traceId === unsampled.split('-')[1]).length, 0);
    assert.equal(receiver.spans.filter((s) => s.traceId === pingTrace).length, 0);
    assert.equal(receiver.spans.filter((s) => s.attributes['url.path'] === '/ping').length, 0);
  });

  void it('a retried request: one Service and one ReverseProxy span per attempt, all under the Retry span', async () => {
    // Round robin starts anywhere: ask until a request went to the dead server first (two attempts).
    let spans: ReceivedSpan[] = [];
    for (let i = 0; i < 6 && spans.filter((s) => s.name === 'ReverseProxy').length < 2; i++) {
      const traceId = hex(16);
      const r = await get(main.port, '/', { host: 'retried.test', headers: { 'x-id': `retry${i}`, traceparent: `00-${traceId}-${hex(8)}-01` } });
      assert.equal(r.status, 200);
      spans = await receiver.waitForTrace(traceId, (s) => s.some((x) => x.name === 'EntryPoint'));
    }
    const retry = one(spans, 'Retry');
    const services = spans.filter((s) => s.name === 'Service');
    const clients = spans.filter((s) => s.name === 'ReverseProxy');
    assert.equal(services.length, 2);
    assert.equal(clients.length, 2);
    for (const s of services) assert.equal(s.parentSpanId, retry.spanId);
    assert.deepEqual(new Set(clients.map((c) => c.parentSpanId)), new Set(services.map((s) => s.spanId)));
    const failed = clients.find((c) => c.attributes['http.response.status_code'] === 502);
    assert.ok(failed, 'the attempt on the dead server answered 502');
    assert.equal(failed.statusCode, 2);
    assert.equal(clients.find((c) => c !== failed)?.attributes['http.response.status_code'], 200);
    assert.equal(one(spans, 'EntryPoint').attributes['http.response.status_code'], 200);
  });

  void it('an upstream that cannot be reached: 502 on the CLIENT and SERVER spans, both errors', async () => {
    const traceId = hex(16);
    const r = await get(main.port, '/', { host: 'dead.test', headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    assert.equal(r.status, 502);
    const spans = await receiver.waitForTrace(traceId, (s) => s.length >= 4);
    const client = one(spans, 'ReverseProxy');
    const entry = one(spans, 'EntryPoint');
    assert.equal(client.attributes['http.response.status_code'], 502);
    assert.equal(client.statusCode, 2);
    assert.equal(entry.attributes['http.response.status_code'], 502);
    assert.equal(entry.statusCode, 2);
  });

  void it('a request no router matches: an EntryPoint span with 404, not an error', async () => {
    const traceId = hex(16);
    const r = await get(main.port, '/', { host: 'nowhere.test', headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    assert.equal(r.status, 404);
    const spans = await receiver.waitForTrace(traceId, (s) => s.length >= 1);
    const entry = one(spans, 'EntryPoint');
    assert.equal(entry.attributes['http.response.status_code'], 404);
    assert.equal(entry.statusCode, 0);
  });
});

describe('tracing: sampleRate 0, addInternals, OTLP/gRPC', () => {
  let dir: string;
  let receiver: GrpcReceiver;
  let upstream: Upstream;
  let inst: Instance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-tracing0-'));
    receiver = await GrpcReceiver.start();
    upstream = await startUpstream(upstreamHandler());
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, dynamicConfig(upstream, await freePort()));
    inst = await startTurnpike(
      dir,
      'zero',
      `tracing:
  sampleRate: 0
  addInternals: true
  otlp:
    grpc:
      endpoint: "127.0.0.1:${receiver.port}"
      insecure: true
      headers:
        x-tenant: t1
`,
      dyn,
    );
  });

  after(async () => {
    await inst?.tp.stop();
    await receiver?.close();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  void it('exports nothing for requests without a sampled client context, and adds no traceparent', async () => {
    const r = await get(main0(), '/api/z', { host: 'traced.test', headers: { 'x-id': 'zero' } });
    assert.equal(r.status, 200);
    assert.equal(seen.get('zero'), undefined, 'no traceparent is made up for an unsampled request');
    // Marker: a client's sampled context is still continued (parent-based), over gRPC.
    const marker = hex(16);
    await get(main0(), '/api/m', { host: 'traced.test', headers: { 'x-id': 'marker0', traceparent: `00-${marker}-${hex(8)}-01` } });
    const spans = await receiver.waitForTrace(marker, (s) => s.length >= 6);
    assert.equal(receiver.spans.filter((s) => s.traceId !== marker).length, 0, 'only the marker trace was exported');
    assert.equal(one(spans, 'EntryPoint').resource['service.name'], 'traefik');
    assert.equal(one(spans, 'ReverseProxy').kind, KIND.client);
    assert.equal(one(spans, 'Router').parentSpanId, one(spans, 'EntryPoint').spanId);
    assert.ok(receiver.exports.every((m) => m['x-tenant'] === 't1'), 'the configured headers go as gRPC metadata');
  });

  void it('with addInternals, /ping is traced', async () => {
    const traceId = hex(16);
    const r = await get(main0(), '/ping', { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    assert.equal(r.status, 200);
    const spans = await receiver.waitForTrace(traceId, (s) => s.length >= 1);
    assert.equal(one(spans, 'EntryPoint').attributes['url.path'], '/ping');
  });

  function main0(): number {
    return inst.port;
  }
});

describe('tracing: shutdown', () => {
  let dir: string;
  let receiver: HttpReceiver;
  let upstream: Upstream;
  let inst: Instance | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-tracing-stop-'));
    receiver = await HttpReceiver.start();
    upstream = await startUpstream(upstreamHandler());
  });

  after(async () => {
    await inst?.tp.stop();
    await receiver?.close();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  void it('exports the spans still buffered when Turnpike stops', async () => {
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, dynamicConfig(upstream, await freePort()));
    // Nothing would be exported for 10 minutes: only the flush at close can deliver the spans.
    inst = await startTurnpike(dir, 'stop', `tracing:\n  otlp:\n    http:\n      endpoint: "${receiver.endpoint}"\n`, dyn, 600_000);
    const traceId = hex(16);
    const r = await get(inst.port, '/api/s', { host: 'traced.test', headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    assert.equal(r.status, 200);
    assert.equal(receiver.spans.length, 0);
    await inst.tp.stop();
    const spans = await receiver.waitForTrace(traceId, (s) => s.length >= 6, 5_000);
    assert.equal(one(spans, 'EntryPoint').attributes['http.response.status_code'], 200);
  });
});
