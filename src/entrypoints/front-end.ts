/**
 * The seam between an entry point and its HTTP/1.1 front end (today node:http, later a raw-socket
 * parser). The front end owns sockets, parsing, timeouts and limits and turns each request into an
 * Exchange; the entry point owns what happens next (forwarded headers, the handler, error mapping,
 * draining). Nothing on this side of the seam sees node:http types.
 */
import type { Socket } from 'node:net';
import type { Exchange } from '../exchange/exchange.js';

/** Limits and timeouts a front end enforces; every duration in ms, 0 = none. */
export interface FrontEndOptions {
  /** Entry point name, copied into every Exchange. */
  readonly entryPoint: string;
  /** Whole request, headers and body (`respondingTimeouts.readTimeout`). */
  readonly readTimeout: number;
  /** Request head (slowloris bound). */
  readonly headersTimeout: number;
  /** From the request head to the end of the response (`respondingTimeouts.writeTimeout`). */
  readonly writeTimeout: number;
  /** Keep-alive idle time between requests (`respondingTimeouts.idleTimeout`). */
  readonly idleTimeout: number;
  /** Max size of the request head in bytes (`http.maxHeaderBytes`). */
  readonly maxHeaderBytes: number;
  /** Max number of request header fields; more -> 431. */
  readonly maxHeadersCount: number;
  /** `http.sanitizePath`. */
  readonly sanitizePath: boolean;
  /** `http.encodeQuerySemicolons`. */
  readonly encodeQuerySemicolons: boolean;
}

/** What the front end calls back into; implemented by the entry point. */
export interface ExchangeSink {
  /** True once the entry point is shutting down: responses get `Connection: close`. */
  readonly draining: boolean;
  /** A request is ready (head parsed and checked). Must not throw. */
  dispatch(ex: Exchange): void;
  /**
   * The exchange is over: `status` is the status sent, 499 if the client went away first, or
   * 101 when the socket was handed over for an upgrade. Called exactly once per dispatched exchange.
   */
  finished(ex: Exchange, status: number): void;
}

export interface ListenAddress {
  readonly port: number;
  readonly address: string;
}

/** A listening HTTP/1.1 front end. */
export interface FrontEnd {
  listen(host: string, port: number): Promise<ListenAddress>;
  /** Stop accepting connections and close idle keep-alive connections now. */
  stopAccepting(): void;
  /** Close connections with no request in progress (call again after each finished request while draining). */
  closeIdle(): void;
  /**
   * New connections accepted before stopAccepting that have sent nothing yet and are young enough
   * that their first request may be on the way (Go: 5 s); closeIdle leaves them open.
   */
  awaitingFirstRequest(): number;
  /** Destroy every remaining connection, upgraded ones included. */
  destroyAll(): void;
  /** Resolves once the listener and every connection are closed (after `stopAccepting`). */
  closed(): Promise<void>;
  /** Client connections open now (the traefik_open_connections gauge). */
  readonly connectionCount: number;
}

/**
 * A front end fed with connections that the entry point's listener accepted: plain TCP sockets,
 * or TLS sockets after their handshake (ALPN decides which front end gets one). The HTTP/1.1
 * socket front end and the HTTP/2 front end both implement it (issue 5).
 */
export interface ConnectionFrontEnd {
  /**
   * Serve this connection from now on. `head` holds bytes already read off the socket while
   * sniffing the protocol (the h2c preface); they are processed before anything read later.
   */
  accept(socket: Socket, head?: Buffer): void;
  /** As FrontEnd.closeIdle (HTTP/2: GOAWAY to sessions with no stream open). */
  closeIdle(): void;
  /** As FrontEnd.awaitingFirstRequest. */
  awaitingFirstRequest(): number;
  /** Destroy every connection this front end serves. */
  destroyAll(): void;
  /** Connections currently served (the entry point's closed() waits for 0). */
  readonly connectionCount: number;
}
