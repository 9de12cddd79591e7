/**
 * The data path's own request/response types. Routers, middlewares and services see only an
 * Exchange, never node:http objects, so the HTTP/1.1 front end and the upstream client can be
 * replaced by socket-level code without touching them (ARCHITECTURE.md, "The request path").
 */
import type { Duplex, Readable } from 'node:stream';
import type { HeaderList } from './headers.js';
import type { RequestRecord } from '../observability/request-record.js';

export interface PeerInfo {
  /** Client IP as seen on the socket (IPv6 zone stripped; IPv4-mapped IPv6 unwrapped). */
  readonly address: string;
  readonly port: number;
}

export interface TlsInfo {
  readonly servername: string | undefined;
  /** e.g. 'TLSv1.3' */
  readonly protocol: string;
  readonly cipher: string;
  readonly alpn: string | undefined;
  /**
   * The client's certificate chain (leaf first) when it sent one, else undefined. A getter on
   * purpose: front ends read it off the TLS socket only when a middleware asks (passTLSClientCert).
   */
  readonly peerCertificates?: readonly import('node:crypto').X509Certificate[] | undefined;
}

/** Present on HTTP/1.1 requests carrying `Upgrade` (WebSocket). */
export interface UpgradeInfo {
  /** The protocol asked for (`Upgrade` header value, e.g. 'websocket'). */
  readonly protocol: string;
  /**
   * Take over the client connection once the upstream answered 101. After this the front end
   * no longer reads or writes the socket; the caller pipes bytes both ways and owns its closing.
   * `head` holds bytes the client already sent after the request head.
   */
  takeSocket(): { socket: Duplex; head: Buffer };
}

/** Called just before the response head goes out; may edit status headers (customResponseHeaders, CORS). */
export type HeadHook = (status: number, headers: HeaderList) => void;

/**
 * Runs the hooks a writer collected, in ResponseWriter.onHead's order: last registered first.
 * The outermost middleware registered first and has the last word, as in Traefik, where each
 * middleware's response wrapper edits the head on its way out.
 */
export function runHeadHooks(hooks: readonly HeadHook[], status: number, headers: HeaderList): void {
  for (let i = hooks.length - 1; i >= 0; i--) (hooks[i] as HeadHook)(status, headers);
}

export interface ResponseWriter {
  /** True once the head was written (or the socket taken for an upgrade). */
  readonly headersSent: boolean;
  /** True once the client connection is gone (closed, reset, timed out). */
  readonly clientGone: boolean;
  /**
   * Register a hook run once, right before the head is written. Hooks run last-registered first:
   * an outer middleware (registered earlier) edits the head after the inner ones, as in Traefik.
   */
  onHead(hook: HeadHook): void;
  /** Write the status line and headers. Hop-by-hop framing headers are the writer's business. */
  writeHead(status: number, headers: HeaderList, statusMessage?: string): void;
  /** Write a body chunk; returns false when the caller should wait for `onDrain`. */
  write(chunk: Buffer): boolean;
  /** One-shot: `cb` runs when the client socket can take more data. */
  onDrain(cb: () => void): void;
  /** One-shot: `cb` runs if the client goes away before `end()`. */
  onClientGone(cb: () => void): void;
  /**
   * Finish the response (optionally with a last chunk and trailers). Trailers go out as HTTP/2
   * trailers, or after the last chunk of a chunked HTTP/1.1 response; a writer that cannot send
   * them (a Content-Length response) drops them. gRPC's grpc-status travels this way.
   */
  end(chunk?: Buffer, trailers?: HeaderList): void;
  /** Abort the response mid-way (upstream died after the head was sent): the connection is destroyed. */
  abort(): void;
  /** Convenience: a whole small response with a text/plain body. */
  sendText(status: number, text: string, headers?: HeaderList): void;
}

export interface Exchange {
  /** Request method, verbatim (case-sensitive as HTTP says). */
  method: string;
  /** Raw request path as received (percent-escapes kept), always starting with '/', or '*'. */
  path: string;
  /** Raw query without the '?', or null when the target had none. */
  query: string | null;
  /**
   * The path the rule engine matches against: `path` with percent-escapes decoded except the
   * reserved ones (traefik-reference §3). Set by the entry point; middlewares that rewrite `path`
   * do not change it (routing happened already).
   */
  readonly routingPath: string;
  /** Request host as received: authority of an absolute-form target, else the Host header ('' if none). */
  host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: HeaderList;
  /**
   * Request body, or null when the request has none (no Content-Length > 0 and not chunked).
   * A middleware that reads the body itself (buffering, retry) replaces it with a stream of what it
   * read and sets Content-Length to match; the front end keeps its own reference to the original.
   */
  body: Readable | null;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  /** Name of the entry point that accepted the request. */
  readonly entryPoint: string;
  readonly upgrade: UpgradeInfo | null;
  /**
   * Where the response goes. A middleware that must see or change the response (compress, errors,
   * retry, circuitBreaker, buffering) replaces it with a wrapper of the current one before calling
   * the next handler (see DelegatingResponseWriter); everything downstream writes through it.
   */
  response: ResponseWriter;
  /** Set by the router table once matched (for logs, errors and the API later). */
  routerName: string | undefined;
  /**
   * What this request did, for metrics, access logs and tracing; null unless one of them is
   * configured (src/observability/request-record.ts says who fills which field).
   */
  record: RequestRecord | null;
  /** Monotonic start time (performance.now()) for timing. */
  readonly startedAt: number;
}

/**
 * A handler completes the exchange, or throws / rejects with a ProxyError that the entry point
 * maps to a status (Caddy's "return an error instead of writing one"). Synchronous handlers may
 * return undefined to avoid a promise per request.
 */
export type Handler = (ex: Exchange) => void | Promise<void>;

/** A middleware wraps the next handler; built once per configuration. */
export type Middleware = (next: Handler) => Handler;
