/**
 * Keep-alive connections to one origin (scheme, host, port) through one transport. Idle
 * connections form a LIFO stack (the most recently used first, so a hot set stays warm and the
 * rest age out); at most `maxIdleConnsPerHost` are kept. The number of connections in use is not
 * limited (Go's MaxConnsPerHost 0). Idle expiry is done by the owning UpstreamPools' sweeper.
 *
 * HTTP/2: an `h2c` origin, or an `https` origin whose server picked `h2` by ALPN on one of our
 * HTTP/1.1 connections, gets an `H2Origin` (`h2`): its multiplexed sessions serve every later
 * request (the forwarder checks `h2` first). HTTP/1.1 connections to https servers offer both
 * `h2` and `http/1.1` (unless the transport disables HTTP/2, and never for upgrades, which need
 * HTTP/1.1); a connection that comes back with `h2` is handed to `h2` and its request re-sent there.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tls as tlsModule } from '../net/lazy-tls.js';
import { H2Origin } from './h2/h2-origin.js';
import type { ResolvedTransport } from './transport.js';
import type { ServerTarget } from './server-target.js';
import { UpstreamConnection } from './upstream-connection.js';

/** ALPN offers (shared arrays). */
export const ALPN_HTTP1: readonly string[] = Object.freeze(['http/1.1']);
export const ALPN_H2_OR_HTTP1: readonly string[] = Object.freeze(['h2', 'http/1.1']);

export class OriginPool {
  readonly key: string;
  readonly target: ServerTarget;
  readonly transport: ResolvedTransport;
  /** Set when the store dropped this pool (empty for long); holders look the origin up again. */
  evicted = false;
  /** Connections serving a request right now. */
  inUse = 0;
  /** Connections opened so far (for stats and tests). */
  created = 0;
  /** performance.now() of the last acquire/connect. */
  lastUsed = 0;
  /** HTTP/2 sessions: set for h2c origins, and for https origins once a server picked h2; else null. */
  h2: H2Origin | null = null;
  readonly #idle: UpstreamConnection[] = [];
  #tlsSession: Buffer | undefined;

  constructor(key: string, target: ServerTarget, transport: ResolvedTransport) {
    this.key = key;
    this.target = target;
    this.transport = transport;
    if (target.scheme === 'h2c') this.h2 = new H2Origin(this);
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  /** The most recently used idle connection that is still open, or null. */
  acquire(now: number): UpstreamConnection | null {
    this.lastUsed = now;
    const idle = this.#idle;
    while (idle.length > 0) {
      const conn = idle.pop() as UpstreamConnection;
      if (conn.usable) {
        this.inUse++;
        return conn;
      }
      conn.destroy();
    }
    return null;
  }

  /** Open a new connection; `pooled` false for one-off connections (upgrades). */
  connect(now: number, pooled: boolean): UpstreamConnection {
    this.lastUsed = now;
    this.created++;
    this.inUse++;
    const offerH2 = pooled && this.target.scheme === 'https' && !this.transport.disableHTTP2;
    const socket = this.dial(offerH2 ? ALPN_H2_OR_HTTP1 : ALPN_HTTP1);
    return new UpstreamConnection(this, socket, pooled, offerH2);
  }

  /**
   * Start a TCP connection to the origin, with TLS (the transport's options, `alpn` offered) for
   * https. Completion is the socket's 'connect' (or 'secureConnect') event.
   */
  dial(alpn: readonly string[]): Socket {
    const { target, transport } = this;
    let socket: Socket;
    if (target.scheme === 'https') {
      const servername = transport.serverName ?? (isIP(target.host) === 0 ? target.host : undefined);
      const tls: TLSSocket = tlsModule().connect({
        host: target.host,
        port: target.port,
        ...(servername === undefined ? {} : { servername }),
        rejectUnauthorized: !transport.insecureSkipVerify,
        secureContext: transport.secureContext,
        ALPNProtocols: alpn,
        ...(this.#tlsSession === undefined ? {} : { session: this.#tlsSession }),
      });
      tls.on('session', this.#onSession);
      socket = tls;
    } else {
      socket = netConnect({ host: target.host, port: target.port });
    }
    socket.setNoDelay(true);
    return socket;
  }

  /**
   * A TLS connection on which the server picked h2: from now on this origin is served over HTTP/2.
   * The socket becomes a session unless one that can take a stream exists already (then it is
   * closed: one session per origin, as Go's transport does).
   */
  adoptH2(socket: TLSSocket, now: number): void {
    (this.h2 ??= new H2Origin(this)).adopt(socket, now);
  }

  /** An https server no longer picks h2 (a new server at the same address): back to HTTP/1.1. */
  dropH2(): void {
    const h2 = this.h2;
    if (h2 === null || this.target.scheme !== 'https') return;
    this.h2 = null;
    h2.close();
  }

  /** Take back a connection after a complete exchange; false when it was closed instead. */
  release(conn: UpstreamConnection, now: number): boolean {
    this.inUse--;
    if (this.#idle.length >= this.transport.maxIdleConnsPerHost || this.evicted) {
      conn.destroy();
      return false;
    }
    conn.idleSince = now;
    this.#idle.push(conn);
    return true;
  }

  /** A connection stopped being usable: forget it (in use or idle). */
  forget(conn: UpstreamConnection, wasInUse: boolean): void {
    if (wasInUse) {
      this.inUse--;
      return;
    }
    const i = this.#idle.indexOf(conn);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  /** Close idle connections older than idleConnTimeout; returns whether the pool is now empty. */
  sweep(now: number): boolean {
    const limit = this.transport.idleConnTimeout;
    if (limit > 0) {
      const idle = this.#idle;
      // Oldest first: the bottom of the stack.
      while (idle.length > 0 && now - (idle[0] as UpstreamConnection).idleSince >= limit) {
        (idle.shift() as UpstreamConnection).destroy();
      }
    }
    const h2Empty = this.h2 === null || this.h2.sweep(now, limit);
    return this.#idle.length === 0 && this.inUse === 0 && h2Empty;
  }

  /** HTTP/2 sessions open (connecting, serving or draining). */
  get h2Sessions(): number {
    return this.h2 === null ? 0 : this.h2.size;
  }

  /** Close every idle connection (shutdown). Connections in use finish their exchange, then close. */
  close(): void {
    this.evicted = true;
    for (const conn of this.#idle.splice(0)) conn.destroy();
    this.h2?.close();
  }

  readonly #onSession = (session: Buffer): void => {
    this.#tlsSession = session;
  };
}
