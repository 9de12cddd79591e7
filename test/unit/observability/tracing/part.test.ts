/**
 * TracingPart with the real OpenTelemetry SDK and an in-memory exporter: how spans nest when a
 * middleware calls the rest of its chain later or twice (retry), the sampling decisions, and that
 * an unsampled request gets nothing (no record state, no traceparent).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { BasicTracerProvider, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Exchange, Handler, HeadHook, ResponseWriter } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { combineParts } from '../../../../src/observability/core.js';
import { TracingPart } from '../../../../src/observability/tracing/part.js';
import type { TracingConfig } from '../../../../src/config/static/sections/tracing.js';
import { parseServerUrl } from '../../../../src/proxy/server-target.js';

class RecordingWriter implements ResponseWriter {
  headersSent = false;
  clientGone = false;
  status = 0;
  readonly hooks: HeadHook[] = [];
  onHead(hook: HeadHook): void {
    this.hooks.push(hook);
  }
  writeHead(status: number, headers: HeaderList): void {
    for (let i = this.hooks.length - 1; i >= 0; i--) this.hooks[i]?.(status, headers);
    this.status = status;
    this.headersSent = true;
  }
  write(): boolean {
    return true;
  }
  onDrain(): void {}
  onClientGone(): void {}
  end(): void {}
  abort(): void {}
  sendText(status: number): void {
    this.writeHead(status, new HeaderList());
  }
}

function exchange(headers: string[] = []): Exchange {
  return {
    method: 'GET',
    path: '/a',
    query: null,
    routingPath: '/a',
    host: 'a.test',
    httpVersion: '1.1',
    headers: new HeaderList(headers),
    body: null,
    peer: { address: '127.0.0.1', port: 5555 },
    tls: null,
    entryPoint: 'web',
    upgrade: null,
    response: new RecordingWriter(),
    routerName: 'r@file',
    record: null,
    startedAt: performance.now(),
  };
}

function config(sampleRate: number): TracingConfig {
  return {
    serviceName: 'test',
    sampleRate,
    resourceAttributes: {},
    capturedRequestHeaders: [],
    capturedResponseHeaders: ['x-resp'],
    safeQueryParams: [],
    addInternals: false,
    otlp: { http: { endpoint: 'http://127.0.0.1:1/v1/traces', headers: {}, tls: undefined } },
  };
}

function setup(sampleRate: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRate) }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const obs = combineParts([new TracingPart(config(sampleRate), provider.getTracer('t'))]);
  assert.ok(obs);
  const i = obs.instrumentation;
  const ins = {
    service: (name: string, routerName: string, h: Handler): Handler => i.service?.(name, routerName, h) ?? h,
    middleware: (name: string, routerName: string, h: Handler): Handler => i.middleware?.(name, routerName, h) ?? h,
    router: (name: string, ep: string, h: Handler): Handler => i.router?.(name, ep, h) ?? h,
  };
  return { exporter, obs, ins };
}

const server = parseServerUrl('http://127.0.0.1:8080');

/** A service that "forwards": the upstream attempt starts, then its answer's head comes later. */
function forwardingService(answers: number[]): Handler {
  return (ex) => {
    ex.record?.upstreamStarted(ex, server, performance.now());
    const status = answers.shift() ?? 200;
    setImmediate(() => ex.response.writeHead(status, new HeaderList(['x-resp', 'r'])));
  };
}

/** Retry-like: runs the rest of the chain later, and once more when the first answer was a 502. */
function retryLike(next: Handler): Handler {
  return (ex) => {
    const base = ex.response;
    setImmediate(() => {
      void next(ex);
      setImmediate(() => {
        ex.response = base;
        void next(ex);
      });
    });
  };
}

describe('TracingPart', () => {
  it('nests spans by chain position, across asynchronous and repeated calls of the rest of the chain', async () => {
    const { exporter, obs, ins } = setup(1);
    // As the compiler does: service first, then middlewares inner to outer, then the router.
    const svc = ins.service('svc@file', 'r@file', forwardingService([502, 200]));
    const mw = ins.middleware('retry', 'r@file', retryLike(svc));
    assert.ok(mw);
    const router = ins.router('r@file', 'web', mw);
    assert.ok(router);
    const ex = exchange();
    obs.observer.begin(ex);
    void router(ex);
    for (let i = 0; i < 10; i++) await tick();
    obs.observer.finish(ex, 200);

    const spans = exporter.getFinishedSpans();
    const byName = (n: string) => spans.filter((s) => s.name === n);
    const entry = byName('EntryPoint')[0];
    const routerSpan = byName('Router')[0];
    const mwSpan = byName('Middleware')[0];
    assert.ok(entry && routerSpan && mwSpan, JSON.stringify(spans.map((s) => s.name)));
    assert.equal(spans.length, 7, 'EntryPoint, Router, the middleware, 2 x (Service, ReverseProxy)');
    assert.equal(routerSpan.parentSpanContext?.spanId, entry.spanContext().spanId);
    assert.equal(mwSpan.parentSpanContext?.spanId, routerSpan.spanContext().spanId);
    const services = byName('Service');
    const clients = byName('ReverseProxy');
    assert.equal(services.length, 2);
    for (const s of services) assert.equal(s.parentSpanContext?.spanId, mwSpan.spanContext().spanId);
    assert.deepEqual(new Set(clients.map((c) => c.parentSpanContext?.spanId)), new Set(services.map((s) => s.spanContext().spanId)));
    assert.deepEqual(clients.map((c) => c.attributes['http.response.status_code']), [502, 200]);
    assert.deepEqual(clients.map((c) => c.attributes['http.response.header.x-resp']), [['r'], ['r']]);
    assert.equal(entry.attributes['http.response.status_code'], 200);
    assert.equal(spans.at(-1)?.name, 'EntryPoint', 'the entry point span ends last');
    // The upstream saw the last attempt's CLIENT span.
    assert.equal(ex.headers.get('traceparent'), `00-${entry.spanContext().traceId}-${clients[1]?.spanContext().spanId}-01`);
    assert.deepEqual({ traceId: ex.record?.trace?.traceId, spanId: ex.record?.trace?.spanId }, { traceId: entry.spanContext().traceId, spanId: entry.spanContext().spanId });
  });

  const sampling: { desc: string; rate: number; traceparent?: string; traced: boolean }[] = [
    { desc: 'sampleRate 0 without a client context: nothing', rate: 0, traced: false },
    { desc: 'sampleRate 0 continues a sampled client context', rate: 0, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', traced: true },
    { desc: 'sampleRate 1 keeps an unsampled client decision', rate: 1, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', traced: false },
    { desc: 'sampleRate 1 replaces a malformed context with a new trace', rate: 1, traceparent: 'garbage', traced: true },
  ];
  for (const c of sampling) {
    it(c.desc, async () => {
      const { exporter, obs, ins } = setup(c.rate);
      const router = ins.router('r@file', 'web', ins.service('svc@file', 'r@file', forwardingService([200])));
      assert.ok(router);
      const ex = exchange(c.traceparent ? ['traceparent', c.traceparent] : []);
      obs.observer.begin(ex);
      void router(ex);
      await tick();
      await tick();
      obs.observer.finish(ex, 200);
      assert.equal(exporter.getFinishedSpans().length, c.traced ? 4 : 0);
      assert.equal(ex.record?.trace !== undefined, c.traced);
      if (!c.traced) assert.equal(ex.headers.get('traceparent'), c.traceparent, 'the header is passed on as the client sent it');
      if (c.traced && c.traceparent?.endsWith('-01')) assert.equal(exporter.getFinishedSpans().find((s) => s.name === 'EntryPoint')?.parentSpanContext?.spanId, '00f067aa0ba902b7');
    });
  }

  it('drops the spans of an internal router unless addInternals', async () => {
    const { exporter, obs, ins } = setup(1);
    const router = ins.router('ping@internal', 'web', ins.service('ping@internal', 'ping@internal', (ex) => ex.response.sendText(200, 'OK')));
    assert.ok(router);
    const ex = exchange();
    ex.routerName = 'ping@internal';
    obs.observer.begin(ex);
    void router(ex);
    obs.observer.finish(ex, 200);
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.equal(ex.record?.trace, undefined);
  });
});
