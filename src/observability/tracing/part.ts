/**
 * Tracing on the data path (Traefik v3's spans): an `EntryPoint` SERVER span per sampled request,
 * continuing the client's W3C trace context; `Router`, one span per middleware (named by its type)
 * and `Service` as children; one `ReverseProxy` CLIENT span per upstream attempt, whose context
 * goes to the server in `traceparent`.
 *
 * Cost when a request is not sampled: a `traceparent` header look-up at begin, then one property
 * check per wrapper; no span, context, closure or string is made. With sampleRate 0 only a client's
 * sampled trace context makes a request traced (parent-based sampling, as Traefik).
 *
 * Internal routers and services (`ping@internal`, `noop@internal`, ...) are traced only with
 * `addInternals`: their spans are dropped unended, so never exported.
 */
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context, type Tracer } from '@opentelemetry/api';
import type { TracingConfig } from '../../config/static/sections/tracing.js';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, Handler } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { ServerTarget } from '../../proxy/server-target.js';
import type { DataPath } from '../../runtime/workers/data-path.js';
import type { ObservabilityPart } from '../core.js';
import type { Instrumentation } from '../observer.js';
import type { RequestRecord, UpstreamListener } from '../request-record.js';
import { clientAttributes, clientStatus, responseHeaderAttributes, serverAttributes, serverStatus, type AttributeOptions } from './attributes.js';
import { ENTRY_POINT_SPAN, middlewareSpanName, qualify, ROUTER_SPAN, SERVICE_SPAN, UPSTREAM_SPAN } from './span-names.js';
import { TraceState } from './trace-state.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

/** One wrapper's place in a router chain, fixed when the chain is compiled. */
class Slot {
  depth = 0;
  /** Span name, resolved on first use (middleware type names need the runtime view). */
  spanName: string | undefined = undefined;
  /** For a router: its service; for a middleware: its qualified name. */
  target = '';
  constructor(
    readonly kind: 'router' | 'middleware' | 'service',
    readonly name: string,
    readonly routerName: string,
  ) {}
}

function isInternal(name: string | undefined): boolean {
  return name !== undefined && name.endsWith('@internal');
}

function stateOf(ex: Exchange): TraceState | undefined {
  const rec = ex.record;
  return rec === null ? undefined : (rec.trace as TraceState | undefined);
}

/** In front of the service: the head of each upstream answer ends that attempt's CLIENT span. */
class AttemptWriter extends DelegatingResponseWriter {
  constructor(
    inner: DelegatingResponseWriter['inner'],
    private readonly st: TraceState,
    private readonly opts: AttributeOptions,
  ) {
    super(inner);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    const c = this.st.client;
    if (c !== null && (status >= 200 || status === 101)) {
      c.setAttribute('http.response.status_code', status);
      if (this.opts.responseHeaders.length > 0) c.setAttributes(responseHeaderAttributes(headers, this.opts));
      this.st.endClient(clientStatus(status));
    }
    this.inner.writeHead(status, headers, statusMessage);
  }
}

export class TracingPart implements ObservabilityPart, Instrumentation, UpstreamListener {
  readonly name = 'tracing';
  readonly instrumentation: Instrumentation = this;
  readonly #tracer: Tracer;
  readonly #rate: number;
  readonly #addInternals: boolean;
  readonly #opts: AttributeOptions;
  /** Wrappers of the chain being compiled: service first, then middlewares inner to outer. */
  #pending: Slot[] = [];
  #dataPath: DataPath | undefined = undefined;

  readonly #close: () => Promise<void>;

  /** `close` flushes and stops the exporter (at shutdown). */
  constructor(cfg: TracingConfig, tracer: Tracer, close: () => Promise<void> = () => Promise.resolve()) {
    this.#tracer = tracer;
    this.#close = close;
    this.#rate = cfg.sampleRate;
    this.#addInternals = cfg.addInternals;
    this.#opts = {
      requestHeaders: cfg.capturedRequestHeaders.map((h) => h.toLowerCase()),
      responseHeaders: cfg.capturedResponseHeaders.map((h) => h.toLowerCase()),
      safeQueryParams: new Set(cfg.safeQueryParams),
    };
  }

  attach(dataPath: DataPath): void {
    this.#dataPath = dataPath;
  }

  close(): Promise<void> {
    return this.#close();
  }

  // --- per request -----------------------------------------------------------------------------

  begin(ex: Exchange, rec: RequestRecord): void {
    const header = ex.headers.get('traceparent');
    const parent = header === undefined ? undefined : parseTraceparent(header);
    let parentCtx: Context = ROOT_CONTEXT;
    if (parent !== undefined) {
      // Parent-based: the client's decision stands (an unsampled parent is passed on untouched).
      if ((parent.traceFlags & TraceFlags.SAMPLED) === 0) return;
      parentCtx = trace.setSpanContext(ROOT_CONTEXT, parent);
    } else if (this.#rate <= 0) {
      return;
    }
    const span = this.#tracer.startSpan(ENTRY_POINT_SPAN, { kind: SpanKind.SERVER, attributes: serverAttributes(ex, this.#opts) }, parentCtx);
    if (!span.isRecording()) return; // TraceIdRatioBased said no
    const st = new TraceState(span, trace.setSpan(parentCtx, span));
    rec.trace = st;
    rec.upstreamListener = this;
    if (this.#opts.responseHeaders.length > 0) {
      const opts = this.#opts;
      ex.response.onHead((_status, headers) => span.setAttributes(responseHeaderAttributes(headers, opts)));
    }
  }

  finish(ex: Exchange, rec: RequestRecord, status: number): void {
    const st = rec.trace as TraceState | undefined;
    if (st === undefined) return;
    // Internal routers (ping@internal has no chain of its own to drop the trace on the way in).
    if (!this.#addInternals && (isInternal(ex.routerName) || isInternal(rec.serviceName))) {
      rec.trace = undefined;
      return;
    }
    st.endFrom(0);
    const entry = st.entry;
    entry.setAttribute('http.response.status_code', status);
    entry.setStatus(serverStatus(status));
    entry.end();
  }

  /** UpstreamListener: a CLIENT span per attempt, its context sent on as `traceparent`. */
  started(ex: Exchange, server: ServerTarget): void {
    const st = stateOf(ex);
    if (st === undefined) return;
    st.endClient();
    const parent = st.serviceCtx ?? st.ctx[st.ctx.length - 1];
    const span = this.#tracer.startSpan(UPSTREAM_SPAN, { kind: SpanKind.CLIENT, attributes: clientAttributes(ex, server, this.#opts) }, parent);
    st.client = span;
    const sc = span.spanContext();
    ex.headers.set('traceparent', formatTraceparent(sc.traceId, sc.spanId, (sc.traceFlags & TraceFlags.SAMPLED) !== 0));
  }

  // --- Instrumentation: once per compiled chain ------------------------------------------------

  service(serviceName: string, routerName: string, handler: Handler): Handler {
    const slot = new Slot('service', serviceName, routerName);
    this.#pending = [slot];
    const opts = this.#opts;
    const tracer = this.#tracer;
    return function tracedService(ex: Exchange) {
      const st = stateOf(ex);
      if (st === undefined) return handler(ex);
      const parent = st.parentFor(slot.depth);
      const span = tracer.startSpan(SERVICE_SPAN, { kind: SpanKind.INTERNAL, attributes: { 'traefik.service.name': serviceName } }, parent);
      st.serviceCtx = st.opened(slot.depth, parent, span);
      ex.response = new AttemptWriter(ex.response, st, opts);
      return handler(ex);
    };
  }

  middleware(middlewareName: string, routerName: string, handler: Handler): Handler {
    const slot = new Slot('middleware', middlewareName, routerName);
    slot.target = qualify(middlewareName, routerName);
    this.#pending.push(slot);
    const tracer = this.#tracer;
    const spanName = (s: Slot): string => (s.spanName ??= middlewareSpanName(this.#dataPath?.runtime.current?.view.middlewares[s.target]?.config.kind));
    return function tracedMiddleware(ex: Exchange) {
      const st = stateOf(ex);
      if (st === undefined) return handler(ex);
      const parent = st.parentFor(slot.depth);
      const span = tracer.startSpan(spanName(slot), { kind: SpanKind.INTERNAL, attributes: { 'traefik.middleware.name': slot.target } }, parent);
      st.opened(slot.depth, parent, span);
      return handler(ex);
    };
  }

  router(routerName: string, _entryPoint: string, handler: Handler): Handler {
    const slot = new Slot('router', routerName, routerName);
    // The chain is complete: the router is depth 0, then its middlewares outer to inner, then the service.
    const pending = this.#pending;
    this.#pending = [];
    for (let i = pending.length - 1, d = 1; i >= 0; i--, d++) (pending[i] as Slot).depth = d;
    const service = pending[0]?.kind === 'service' ? pending[0].name : '';
    slot.target = service;
    if (!this.#addInternals && (isInternal(routerName) || isInternal(service))) {
      // Not traced: the request's spans are dropped here, so nothing below makes any.
      return function untracedInternal(ex: Exchange) {
        const rec = ex.record;
        if (rec !== null && rec.trace !== undefined) {
          rec.trace = undefined;
          rec.upstreamListener = null;
        }
        return handler(ex);
      };
    }
    const tracer = this.#tracer;
    const rule = (): string => this.#dataPath?.runtime.current?.view.routers[routerName]?.config.rule ?? '';
    return function tracedRouter(ex: Exchange) {
      const st = stateOf(ex);
      if (st === undefined) return handler(ex);
      const parent = st.parentFor(0);
      const span = tracer.startSpan(
        ROUTER_SPAN,
        { kind: SpanKind.INTERNAL, attributes: { 'traefik.service.name': service, 'traefik.router.name': routerName, 'http.route': rule() } },
        parent,
      );
      st.opened(0, parent, span);
      return handler(ex);
    };
  }
}
