/**
 * The HTTP/1.1 front end on raw `node:net` sockets: a strict hand-written parser
 * (`request-parser.ts`), one socket write per small response (`socket-response-writer.ts`) and
 * timeouts kept as per-connection deadlines checked by one sweep timer. It produces the same
 * Exchange objects as the node:http front end and plugs into the same seam (`front-end.ts`).
 * The default front end (TURNPIKE_FRONTEND=node selects node:http instead).
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isTlsSocket } from '../../net/lazy-tls.js';
import { SocketTlsInfo } from '../../tls/tls-info.js';
import type { ConnectionFrontEnd, ExchangeSink, FrontEndOptions } from '../front-end.js';
import { SocketConnection, type ConnectionHost } from './socket-connection.js';

/** Sweep interval: a sixteenth of the smallest timeout, between 10 and 250 ms. */
function sweepInterval(opts: FrontEndOptions): number {
  let smallest = 30_000;
  for (const t of [opts.readTimeout, opts.headersTimeout, opts.writeTimeout, opts.idleTimeout]) {
    if (t > 0) smallest = Math.min(smallest, t);
  }
  return Math.max(10, Math.min(250, Math.floor(smallest / 16)));
}

/**
 * Fed by the entry point's listener (connection-listener.ts) with plain sockets and with TLS
 * sockets whose handshake is done (their exchanges carry `tls`). The sweep timer runs only while
 * there are connections.
 */
export class SocketFrontEnd implements ConnectionFrontEnd, ConnectionHost {
  readonly opts: FrontEndOptions;
  readonly sink: ExchangeSink;
  readonly headersTimeout: number;
  readonly idleTimeout: number;
  /** Bound on a fresh connection's silence before its first byte (Go: readTimeout, else idleTimeout). */
  readonly #firstTimeout: number;
  readonly #connections = new Set<SocketConnection>();
  #sweep: NodeJS.Timeout | null = null;

  constructor(opts: FrontEndOptions, sink: ExchangeSink) {
    this.opts = opts;
    this.sink = sink;
    let headersTimeout = opts.headersTimeout;
    if (opts.readTimeout > 0 && (headersTimeout === 0 || headersTimeout > opts.readTimeout)) headersTimeout = opts.readTimeout;
    this.headersTimeout = headersTimeout;
    this.idleTimeout = opts.idleTimeout > 0 ? opts.idleTimeout : opts.readTimeout;
    this.#firstTimeout = opts.readTimeout > 0 ? opts.readTimeout : opts.idleTimeout;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  accept(socket: Socket, head?: Buffer): void {
    try {
      const tls = isTlsSocket(socket) ? new SocketTlsInfo(socket) : null;
      const conn = new SocketConnection(socket, this, this.#firstTimeout, tls);
      this.#connections.add(conn);
      if (this.#sweep === null) this.#startSweep();
      if (head !== undefined && head.length > 0) conn.feed(head);
      else if (this.sink.draining) conn.closeIfIdle();
    } catch {
      socket.destroy();
    }
  }

  closeIdle(): void {
    for (const c of this.#connections) c.closeIfIdle();
  }

  awaitingFirstRequest(): number {
    const now = performance.now();
    let n = 0;
    for (const c of this.#connections) if (c.awaitingFirstRequest(now)) n++;
    return n;
  }

  destroyAll(): void {
    for (const c of this.#connections) c.socket.destroy();
  }

  connectionClosed(conn: SocketConnection): void {
    this.#connections.delete(conn);
    if (this.#connections.size === 0) this.#stopSweep();
  }

  #startSweep(): void {
    if (this.#sweep !== null) return;
    this.#sweep = setInterval(() => this.#check(), sweepInterval(this.opts));
    this.#sweep.unref();
  }

  #stopSweep(): void {
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
  }

  #check(): void {
    const now = performance.now();
    for (const c of this.#connections) {
      if ((c.deadline > 0 && now >= c.deadline) || (c.writeDeadline > 0 && now >= c.writeDeadline)) {
        try {
          c.expire(now);
        } catch {
          c.socket.destroy();
        }
      }
    }
  }
}
