/**
 * What one request did, filled in as it passes through the data path, for metrics, access logs
 * and tracing. It exists only when one of those is configured: `Exchange.record` is null
 * otherwise, and every stage that fills it checks that first (one comparison per request when
 * observability is off, no allocation).
 *
 * Who fills what:
 * - the entry point's RequestObserver (src/observability/observer.ts) creates it at dispatch and
 *   sets the downstream fields when the exchange finishes;
 * - the router table sets `Exchange.routerName` (not here: it is always set);
 * - the service wrapper compiled in by Instrumentation.service sets `serviceName`;
 * - the forwarder calls `upstreamStarted` before each attempt (server chosen, head not built yet:
 *   a listener may still add request headers such as W3C traceparent), and the origin fields are set
 *   from what the upstream answered;
 * - retry sets `retryAttempts`; basicAuth/digestAuth set `clientUsername`;
 * - the front ends add request body bytes to `requestContentSize` as they arrive;
 * - the access log sets its own fields at begin (requestCount, requestPath...).
 */
import type { Exchange } from '../exchange/exchange.js';
import type { HeaderList } from '../exchange/headers.js';
import type { ServerTarget } from '../proxy/server-target.js';

/**
 * What tracing tells about a sampled request (the access log's TraceId and SpanId): ids of the
 * entry point's span, lower-case hex (32 and 16 characters).
 */
export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

/** Told about each upstream attempt (tracing: one client span per attempt). */
export interface UpstreamListener {
  /** Before the request head is built: may add headers to `ex.headers`. */
  started(ex: Exchange, server: ServerTarget): void;
}

export class RequestRecord {
  /** Qualified name of the service the router sent the request to (`svc@file`). */
  serviceName: string | undefined = undefined;
  /** The server of the last upstream attempt, as configured (`http://10.0.0.1:80`). */
  serviceUrl: string | undefined = undefined;
  /** `performance.now()` when the last upstream attempt started; -1 when none did. */
  originStartedAt = -1;
  /** Status the upstream answered (0 when it did not answer: dial error, timeout). */
  originStatus = 0;
  /** Milliseconds from the last attempt's start to the end of the upstream's response; -1 unknown. */
  originDuration = -1;
  /** Body bytes the upstream sent. */
  originContentSize = 0;
  /** Retries done by the retry middleware (Traefik's RetryAttempts). */
  retryAttempts = 0;
  /** Request body bytes read from the client. */
  requestContentSize = 0;
  /** Status sent to the client; set at finish. */
  downstreamStatus = 0;
  /** Body bytes sent to the client. */
  downstreamContentSize = 0;
  /** User name an auth middleware accepted (Traefik's ClientUsername). */
  clientUsername: string | undefined = undefined;
  /** Upstream attempts so far (retries, failover to another server). */
  attempts = 0;
  /**
   * Per-request state of tracing, set only when the request is sampled; others may read its
   * TraceIds (access log) and nothing else.
   */
  trace: TraceIds | undefined = undefined;
  /** Set by tracing when a request is sampled. */
  upstreamListener: UpstreamListener | null = null;

  // Set by the access log only (zero/null otherwise).
  /** Traefik's RequestCount: this process's request number. */
  requestCount = 0;
  /** `Exchange.path` / `.query` as the request arrived (path-rewriting middlewares change the exchange's). */
  requestPath = '';
  requestQuery: string | null = null;
  /** The service's and the client's response heads, kept only when header fields are logged. */
  originHeaders: HeaderList | null = null;
  downstreamHeaders: HeaderList | null = null;

  /** Called by the forwarder before each attempt. */
  upstreamStarted(ex: Exchange, server: ServerTarget, now: number): void {
    this.attempts++;
    this.serviceUrl = server.url;
    this.originStartedAt = now;
    this.originStatus = 0;
    this.originDuration = -1;
    this.originContentSize = 0;
    const l = this.upstreamListener;
    if (l !== null) l.started(ex, server);
  }
}
