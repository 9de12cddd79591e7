/**
 * The reverse-proxy step: send an exchange to one server and stream the answer back.
 *
 * `createForwarder` builds, once per load balancer, a function `(ex, server) => void`. It returns
 * nothing and allocates no promise: the exchange completes asynchronously through
 * `ex.response`, and failures go to `onError` (default: `writeProxyError`, i.e. Traefik's
 * behaviour of answering 502/504 with the status text, aborting after the head went out, and
 * writing nothing when the client is gone — a 499 outcome).
 *
 * Connections come from an `UpstreamPools` store shared across reloads. WebSocket (and any other
 * `Upgrade`) requests go on a fresh, unpooled connection; a 101 answer turns it into a tunnel.
 *
 * HTTP/2 upstreams: an origin whose pool has HTTP/2 sessions (`h2c://` servers, and `https://`
 * servers that picked h2 by ALPN) gets each request as a stream (h2/h2-forward.ts), its headers
 * built by the same RequestHeadBuilder rules. Upgrade requests to https servers stay on HTTP/1.1.
 */
import type { Exchange } from '../exchange/exchange.js';
import { ProxyError } from '../errors/codes.js';
import { DialError, writeProxyError, type ForwardErrorHandler } from './errors.js';
import { forwardH2 } from './h2/h2-forward.js';
import type { OriginPool } from './origin-pool.js';
import { RequestHeadBuilder } from './request-head.js';
import type { ServerTarget } from './server-target.js';
import type { ResolvedTransport } from './transport.js';
import { attemptWatcher } from './upstream-attempts.js';
import { UpstreamPools } from './upstream-pools.js';

export interface ForwarderOptions {
  readonly transport: ResolvedTransport;
  /** Forward the client's Host header (Traefik default true); false = the server URL's host[:port]. */
  readonly passHostHeader: boolean;
  /**
   * responseForwarding.flushInterval (ms). Accepted for compatibility: body chunks are written to
   * the client as they arrive (Traefik's "flush every write"), coalescing is the writer's business.
   */
  readonly flushInterval?: number;
  /** The shared pool store; default: a private one (tests, one-off use). */
  readonly pools?: UpstreamPools;
  /** Where failures go; default `writeProxyError`. */
  readonly onError?: ForwardErrorHandler;
  /** Append the client IP to X-Forwarded-For (default true; false = Traefik's notAppendXForwardedFor). */
  readonly appendXForwardedFor?: boolean;
}

/** Forward `ex` to `server`. Completes through `ex.response`; never throws for upstream failures. */
export type Forwarder = (ex: Exchange, server: ServerTarget) => void;

export function createForwarder(opts: ForwarderOptions): Forwarder {
  const transport = opts.transport;
  const pools = opts.pools ?? new UpstreamPools();
  const report = opts.onError ?? writeProxyError;
  // A failure before any byte was sent is offered to the exchange's retry watcher first; if it
  // retries, the failure is still reported and answered (the answer stops at the retry), then
  // the watcher sends the request again.
  const onError: ForwardErrorHandler = (ex, err) => {
    const watcher = err instanceof DialError ? attemptWatcher(ex) : undefined;
    const retrying = watcher !== undefined && watcher.unsent(ex, err);
    report(ex, err);
    if (retrying) watcher.resend(ex);
  };
  const builder = new RequestHeadBuilder({
    passHostHeader: opts.passHostHeader,
    appendXForwardedFor: opts.appendXForwardedFor ?? true,
  });
  // Per-server pool cache: one object-keyed lookup per request instead of building a key string.
  const cache = new Map<ServerTarget, OriginPool>();

  return function forward(ex: Exchange, server: ServerTarget): void {
    if (ex.response.clientGone) {
      // Nothing to answer: do not spend a warm connection on it.
      onError(ex, new ProxyError('TPK_ERR_CLIENT_GONE', 'client closed the connection'));
      return;
    }
    let pool = cache.get(server);
    if (pool === undefined || pool.evicted) {
      pool = pools.get(server, transport);
      cache.set(server, pool);
    }
    const now = performance.now();
    const record = ex.record;
    if (record !== null) record.upstreamStarted(ex, server, now);
    const h2 = pool.h2;
    if (h2 !== null && (ex.upgrade === null || server.scheme === 'h2c')) {
      pool.lastUsed = now;
      forwardH2(ex, server, h2, builder.buildH2(ex, server, h2.scheme), onError, forward, now);
      return;
    }
    const head = builder.build(ex, server);
    const mode = builder.bodyMode;
    if (ex.upgrade !== null) {
      pool.connect(now, false).dispatch(ex, head, mode, onError, server, forward);
      return;
    }
    const conn = pool.acquire(now) ?? pool.connect(now, true);
    conn.dispatch(ex, head, mode, onError, server, forward);
  };
}
