/**
 * An HTTP entry point: a listener whose requests run through the forwarded-headers step and then
 * the current handler (the compiled router graph for this entry point). The handler is swapped
 * with one assignment; each request keeps the handler that was current when it arrived.
 *
 * Errors a handler throws or rejects with are answered here: a ProxyError with its status and
 * body (text/plain), anything else with 500; if the head already went out the connection is
 * aborted; if the client already left nothing is written and the outcome is 499.
 */
import { hostname as osHostname } from 'node:os';
import type { EntryPointConfig } from '../config/static/types.js';
import type { Exchange, Handler } from '../exchange/exchange.js';
import { ProxyError, statusText } from '../errors/codes.js';
import type { TlsSource } from '../tls/tls-manager.js';
import { ConnectionListener, type Http2PlugIn } from './connection-listener.js';
import { ForwardedHeaders } from './forwarded-headers.js';
import { Http2FrontEnd, http2Options } from './h2/h2-front-end.js';
import { isHttp2Preface } from './h2/preface.js';
import type { ExchangeSink, FrontEnd, FrontEndOptions, ListenAddress } from './front-end.js';
import { NodeHttpFrontEnd } from './node-http-server.js';
import { SocketFrontEnd } from './socket/socket-front-end.js';
import type { RequestObserver } from '../observability/observer.js';

/** Which HTTP/1.1 front end serves an entry point. */
export type FrontEndKind = 'node' | 'socket';

/**
 * The default front end: Turnpike's own socket-level HTTP/1.1 front end (src/entrypoints/socket/),
 * about 1.5x node:http's throughput at two thirds of its CPU per request. TURNPIKE_FRONTEND=node
 * selects node:http instead (read once; lets the whole test suite run against either).
 */
const DEFAULT_FRONT_END: FrontEndKind = process.env['TURNPIKE_FRONTEND'] === 'node' ? 'node' : 'socket';

export interface HttpEntryPointOptions {
  /** X-Forwarded-Server value; default `os.hostname()`. */
  readonly hostname?: string;
  /** Called for every error a handler throws or rejects with (before the error response). */
  readonly onError?: (err: unknown, ex: Exchange) => void;
  /**
   * Called once per request when it is over, with the status sent; 499 when the client left
   * before the response head, 101 when an upgrade socket was handed over. The access-log hook.
   */
  readonly onDone?: (ex: Exchange, status: number) => void;
  /** Metrics, access logs, tracing (src/observability/observer.ts); absent = none, no cost. */
  readonly observer?: RequestObserver;
  /** Request-head timeout in ms (slowloris bound); default: readTimeout, or 60 s when that is 0. */
  readonly headersTimeout?: number;
  /** Max request header fields; default 1000. */
  readonly maxHeadersCount?: number;
  /** Internal: the HTTP/1.1 front end; default 'socket' (see DEFAULT_FRONT_END). */
  readonly frontEnd?: FrontEndKind;
  /**
   * TLS termination: the process's TLS state (src/tls/tls-manager.ts). With it the entry point
   * serves TLS and plain HTTP on its one port; without it, plain HTTP only. The node:http front
   * end (TURNPIKE_FRONTEND=node) stays plain-HTTP-only whatever this says.
   */
  readonly tls?: TlsSource;
}

/** While draining, how often new connections that have not sent their request yet are checked. */
const NEW_CONNECTION_POLL_MS = 10;
/** After every connection was destroyed, how long close() waits for the listener to report it. */
const CLOSED_BOUND_MS = 2_000;
/** Traefik's `http.maxHeaderBytes` default. */
const DEFAULT_MAX_HEADER_BYTES = 1 << 20;
/** Ours (Go has no count limit, only the byte limit). */
const DEFAULT_MAX_HEADERS_COUNT = 1000;
/** Ours: with readTimeout 0 Go would wait forever for a head; we keep a slowloris bound. */
const DEFAULT_HEADERS_TIMEOUT = 60_000;

export function frontEndOptions(cfg: EntryPointConfig, opts: HttpEntryPointOptions): FrontEndOptions {
  const t = cfg.transport.respondingTimeouts;
  const http = cfg.http;
  return {
    entryPoint: cfg.name,
    readTimeout: t.readTimeout,
    headersTimeout: opts.headersTimeout ?? (t.readTimeout > 0 ? t.readTimeout : DEFAULT_HEADERS_TIMEOUT),
    writeTimeout: t.writeTimeout,
    idleTimeout: t.idleTimeout,
    maxHeaderBytes: http.maxHeaderBytes !== undefined && http.maxHeaderBytes > 0 ? http.maxHeaderBytes : DEFAULT_MAX_HEADER_BYTES,
    maxHeadersCount: opts.maxHeadersCount ?? DEFAULT_MAX_HEADERS_COUNT,
    sanitizePath: http.sanitizePath ?? true,
    encodeQuerySemicolons: http.encodeQuerySemicolons ?? false,
  };
}

/** `host` without `:port` (bracketed IPv6 keeps its brackets off). */
function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(1, end) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

export class HttpEntryPoint {
  readonly name: string;
  readonly #cfg: EntryPointConfig;
  readonly #forwarded: ForwardedHeaders;
  readonly #frontEnd: FrontEnd;
  readonly #onError: ((err: unknown, ex: Exchange) => void) | undefined;
  readonly #onDone: ((ex: Exchange, status: number) => void) | undefined;
  readonly #observer: RequestObserver | undefined;
  #handler: Handler | null = null;
  /** What the front end sees of this entry point; `draining` flips once in close(). */
  readonly #sink: ExchangeSink & { draining: boolean } = {
    draining: false,
    dispatch: (ex) => this.#dispatch(ex),
    finished: (ex, status) => this.#finished(ex, status),
  };
  readonly #tls: TlsSource | undefined;
  #inFlight = 0;
  #drained: (() => void) | null = null;
  #closing: Promise<void> | null = null;

  /** Throws when `forwardedHeaders.trustedIPs` holds an invalid entry. */
  constructor(cfg: EntryPointConfig, opts: HttpEntryPointOptions = {}) {
    this.name = cfg.name;
    this.#cfg = cfg;
    this.#onError = opts.onError;
    this.#onDone = opts.onDone;
    this.#observer = opts.observer;
    this.#forwarded = new ForwardedHeaders({
      trustedIPs: cfg.forwardedHeaders.trustedIPs,
      insecure: cfg.forwardedHeaders.insecure,
      hostname: opts.hostname ?? osHostname(),
    });
    const feOpts = frontEndOptions(cfg, opts);
    if ((opts.frontEnd ?? DEFAULT_FRONT_END) === 'socket') {
      this.#tls = opts.tls;
      // HTTP/2: ALPN offers h2 on TLS, and an h2c preface on a plain connection goes to it.
      const http2: Http2PlugIn = { frontEnd: new Http2FrontEnd(feOpts, this.#sink, http2Options(cfg)), isPreface: isHttp2Preface };
      const t = cfg.transport.respondingTimeouts;
      this.#frontEnd = new ConnectionListener({
        entryPoint: cfg.name,
        http1: new SocketFrontEnd(feOpts, this.#sink),
        http2,
        tls: opts.tls,
        firstByteTimeout: t.readTimeout > 0 ? t.readTimeout : t.idleTimeout,
        handshakeTimeout: feOpts.headersTimeout,
      });
    } else {
      // node:http serves plain HTTP/1.1 only (no TLS, no HTTP/2): a fallback for comparisons.
      this.#tls = undefined;
      this.#frontEnd = new NodeHttpFrontEnd(feOpts, this.#sink);
    }
  }

  /** Swap the handler (one assignment). `null` answers every request with 404. */
  setHandler(handler: Handler | null): void {
    this.#handler = handler;
  }

  /** Requests dispatched and not finished yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Client connections open now (metrics: traefik_open_connections). */
  get connectionCount(): number {
    return this.#frontEnd.connectionCount;
  }

  /** True once `close()` was called. */
  get draining(): boolean {
    return this.#sink.draining;
  }

  /** Start listening on the configured host and port (port 0 picks a free port). */
  listen(): Promise<ListenAddress> {
    return this.#frontEnd.listen(this.#cfg.host, this.#cfg.port);
  }

  /**
   * Graceful stop: stop accepting, close idle keep-alive connections at once, let in-flight
   * requests finish for up to `graceMs` (their responses carry `Connection: close`), then
   * destroy whatever is left (upgraded connections included). Idempotent.
   */
  close(graceMs: number = this.#cfg.transport.lifeCycle.graceTimeOut): Promise<void> {
    if (this.#closing === null) this.#closing = this.#close(graceMs);
    return this.#closing;
  }

  async #close(graceMs: number): Promise<void> {
    this.#sink.draining = true;
    this.#frontEnd.stopAccepting();
    // As Go's Shutdown: wait for the requests in flight and for new connections whose first
    // request may be on its way (answered with Connection: close), all within graceMs.
    const deadline = performance.now() + graceMs;
    for (;;) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      if (this.#inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          this.#drained = resolve;
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
        this.#drained = null;
      } else if (this.#frontEnd.awaitingFirstRequest() > 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(NEW_CONNECTION_POLL_MS, left)));
        this.#frontEnd.closeIdle();
      } else {
        break;
      }
    }
    this.#frontEnd.destroyAll();
    // The listener closes once every connection it accepted is gone; destroyAll reaches every one a
    // front end tracks. Bounded anyway, so that a connection no front end knows (a bug) cannot hold
    // a graceful stop forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#frontEnd.closed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSED_BOUND_MS)))]);
    clearTimeout(timer);
  }

  #dispatch(ex: Exchange): void {
    this.#inFlight++;
    const tls = ex.tls;
    this.#forwarded.apply(ex, tls !== null);
    const observer = this.#observer;
    if (observer !== undefined) observer.begin(ex);
    // Traefik's SNI check (domain fronting): a Host whose TLS options differ from the SNI's -> 421.
    if (tls !== null && this.#tls !== undefined && this.#tls.state.misdirected(this.name, hostWithoutPort(ex.host), tls.servername)) {
      ex.response.sendText(421, statusText(421));
      return;
    }
    const handler = this.#handler;
    if (handler === null) {
      ex.response.sendText(404, statusText(404));
      return;
    }
    try {
      const result = handler(ex);
      if (result != null) result.then(undefined, (err: unknown) => this.#fail(err, ex));
    } catch (err) {
      this.#fail(err, ex);
    }
  }

  #fail(err: unknown, ex: Exchange): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(err, ex);
      } catch {
        // a failing log hook must not change the answer
      }
    }
    const res = ex.response;
    if (res.clientGone) return;
    if (res.headersSent) {
      res.abort();
      return;
    }
    try {
      if (err instanceof ProxyError) res.sendText(err.status, err.body);
      else res.sendText(500, statusText(500));
    } catch {
      res.abort();
    }
  }

  #finished(ex: Exchange, status: number): void {
    this.#inFlight--;
    const observer = this.#observer;
    if (observer !== undefined) {
      try {
        observer.finish(ex, status);
      } catch {
        // metrics or an access log failing must not break the connection bookkeeping
      }
    }
    if (this.#onDone !== undefined) {
      try {
        this.#onDone(ex, status);
      } catch {
        // a failing log hook must not break the connection bookkeeping
      }
    }
    if (this.#sink.draining) {
      if (this.#inFlight === 0 && this.#drained !== null) this.#drained();
      else this.#frontEnd.closeIdle();
    }
  }
}
