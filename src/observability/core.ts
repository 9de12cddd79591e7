/**
 * Puts the configured observability parts (metrics, access log, tracing) on the data path: one
 * RequestObserver for the entry points and one Instrumentation for the compiler, made from the
 * parts' hooks. With no part configured there is nothing: `combineParts([])` is undefined and the
 * data path runs exactly as without this module.
 *
 * Per request, when something is on: one RequestRecord and two small writer wrappers (one at the
 * entry point for the downstream status and bytes, one in front of the service for the origin's),
 * then each part's begin/finish.
 */
import { DelegatingResponseWriter } from '../exchange/delegating-writer.js';
import type { Exchange, Handler } from '../exchange/exchange.js';
import type { HeaderList } from '../exchange/headers.js';
import type { InternalObjects, InternalRouter } from '../runtime/compile.js';
import type { DataPath } from '../runtime/workers/data-path.js';
import type { Instrumentation, RequestObserver } from './observer.js';
import { RequestRecord } from './request-record.js';

/** One observability feature. Every hook is optional. */
export interface ObservabilityPart {
  readonly name: string;
  /** At dispatch, before routing; `rec` is `ex.record`. */
  begin?(ex: Exchange, rec: RequestRecord): void;
  /** Once the exchange is over; `durationMs` from `ex.startedAt`. Runs in registration order. */
  finish?(ex: Exchange, rec: RequestRecord, status: number, durationMs: number): void;
  /** Wrappers for routers, middlewares and services (tracing spans, per-router state). */
  readonly instrumentation?: Instrumentation;
  /** Internal services and routers this part serves (`prometheus@internal`). */
  readonly internals?: InternalObjects;
  /** Called once the data path exists (read entry points, the runtime's views, TLS certificates). */
  attach?(dataPath: DataPath): void;
  /** Flush and stop (shutdown). */
  close?(): Promise<void>;
}

/** What the data path is given. */
export interface Observability {
  readonly observer: RequestObserver;
  readonly instrumentation: Instrumentation;
  readonly internals: InternalObjects | undefined;
  readonly parts: readonly ObservabilityPart[];
  attach(dataPath: DataPath): void;
  close(): Promise<void>;
}

/** Counts what goes to the client. */
class DownstreamWriter extends DelegatingResponseWriter {
  constructor(
    inner: DelegatingResponseWriter['inner'],
    private readonly rec: RequestRecord,
  ) {
    super(inner);
  }

  override write(chunk: Buffer): boolean {
    this.rec.downstreamContentSize += chunk.length;
    return this.inner.write(chunk);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    if (chunk !== undefined) this.rec.downstreamContentSize += chunk.length;
    this.inner.end(chunk, trailers);
  }
}

/** Sees what the service (the upstream, or an internal service) answered. */
class OriginWriter extends DelegatingResponseWriter {
  constructor(
    inner: DelegatingResponseWriter['inner'],
    private readonly rec: RequestRecord,
  ) {
    super(inner);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (status >= 200 || status === 101) this.rec.originStatus = status;
    this.inner.writeHead(status, headers, statusMessage);
  }

  override write(chunk: Buffer): boolean {
    this.rec.originContentSize += chunk.length;
    return this.inner.write(chunk);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    const rec = this.rec;
    if (chunk !== undefined) rec.originContentSize += chunk.length;
    if (rec.originStartedAt >= 0) rec.originDuration = performance.now() - rec.originStartedAt;
    this.inner.end(chunk, trailers);
  }
}

function chainWrappers<A extends unknown[]>(wrappers: ((...args: [...A, Handler]) => Handler)[]): ((...args: [...A, Handler]) => Handler) | undefined {
  if (wrappers.length === 0) return undefined;
  return (...args: [...A, Handler]) => {
    let h = args[args.length - 1] as Handler;
    const head = args.slice(0, -1) as unknown as A;
    for (const w of wrappers) h = w(...head, h);
    return h;
  };
}

/** Combines the configured parts; undefined when there are none. */
export function combineParts(parts: readonly ObservabilityPart[]): Observability | undefined {
  if (parts.length === 0) return undefined;
  const begins = parts.filter((p) => p.begin !== undefined);
  const finishes = parts.filter((p) => p.finish !== undefined);

  const observer: RequestObserver = {
    begin(ex: Exchange): void {
      const rec = new RequestRecord();
      ex.record = rec;
      ex.response = new DownstreamWriter(ex.response, rec);
      for (let i = 0; i < begins.length; i++) (begins[i] as Required<ObservabilityPart>).begin(ex, rec);
    },
    finish(ex: Exchange, status: number): void {
      const rec = ex.record;
      if (rec === null) return;
      rec.downstreamStatus = status;
      const durationMs = performance.now() - ex.startedAt;
      for (let i = 0; i < finishes.length; i++) {
        try {
          (finishes[i] as Required<ObservabilityPart>).finish(ex, rec, status, durationMs);
        } catch {
          // one part failing must not keep the others from seeing the request
        }
      }
    },
  };

  const routerWrappers = parts.flatMap((p) => (p.instrumentation?.router ? [p.instrumentation.router.bind(p.instrumentation)] : []));
  const middlewareWrappers = parts.flatMap((p) => (p.instrumentation?.middleware ? [p.instrumentation.middleware.bind(p.instrumentation)] : []));
  const serviceWrappers = parts.flatMap((p) => (p.instrumentation?.service ? [p.instrumentation.service.bind(p.instrumentation)] : []));
  const partsService = chainWrappers<[string, string]>(serviceWrappers);
  const router = chainWrappers<[string, string]>(routerWrappers);
  const middleware = chainWrappers<[string, string]>(middlewareWrappers);
  const instrumentation: Instrumentation = {
    // The record's service fields are set here for every part; the parts' own wrappers sit inside.
    service(serviceName: string, routerName: string, handler: Handler): Handler {
      const inner = partsService ? partsService(serviceName, routerName, handler) : handler;
      return function observedService(ex: Exchange) {
        const rec = ex.record;
        if (rec !== null) {
          rec.serviceName = serviceName;
          ex.response = new OriginWriter(ex.response, rec);
        }
        return inner(ex);
      };
    },
    ...(router ? { router } : {}),
    ...(middleware ? { middleware } : {}),
  };

  const services = new Map<string, Handler>();
  const routers: InternalRouter[] = [];
  for (const p of parts) {
    if (!p.internals) continue;
    for (const [k, v] of p.internals.services) services.set(k, v);
    routers.push(...p.internals.routers);
  }

  return {
    observer,
    instrumentation,
    internals: services.size > 0 || routers.length > 0 ? { services, routers } : undefined,
    parts,
    attach(dataPath: DataPath): void {
      for (const p of parts) p.attach?.(dataPath);
    },
    async close(): Promise<void> {
      await Promise.allSettled(parts.map((p) => (p.close ? p.close() : Promise.resolve())));
    },
  };
}
