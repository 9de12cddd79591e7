/**
 * Keep-alive connections to one origin (scheme, host, port) through one transport. Idle
 * connections form a LIFO stack (the most recently used first, so a hot set stays warm and the
 * rest age out); at most `maxIdleConnsPerHost` are kept. The number of connections in use is not
 * limited (Go's MaxConnsPerHost 0). Idle expiry is done by the owning UpstreamPools' sweeper.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ResolvedTransport } from './transport.js';
import type { ServerTarget } from './server-target.js';
import { UpstreamConnection } from './upstream-connection.js';

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
  readonly #idle: UpstreamConnection[] = [];
  #tlsSession: Buffer | undefined;

  constructor(key: string, target: ServerTarget, transport: ResolvedTransport) {
    this.key = key;
    this.target = target;
    this.transport = transport;
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
    const { target, transport } = this;
    let socket: Socket;
    if (target.scheme === 'https') {
      const servername = transport.serverName ?? (isIP(target.host) === 0 ? target.host : undefined);
      const tls: TLSSocket = tlsConnect({
        host: target.host,
        port: target.port,
        ...(servername === undefined ? {} : { servername }),
        rejectUnauthorized: !transport.insecureSkipVerify,
        ...(transport.ca === undefined ? {} : { ca: transport.ca as string[] }),
        ALPNProtocols: ['http/1.1'],
        ...(this.#tlsSession === undefined ? {} : { session: this.#tlsSession }),
      });
      tls.on('session', this.#onSession);
      socket = tls;
    } else {
      socket = netConnect({ host: target.host, port: target.port });
    }
    socket.setNoDelay(true);
    return new UpstreamConnection(this, socket, pooled);
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
    return this.#idle.length === 0 && this.inUse === 0;
  }

  /** Close every idle connection (shutdown). Connections in use finish their exchange, then close. */
  close(): void {
    this.evicted = true;
    for (const conn of this.#idle.splice(0)) conn.destroy();
  }

  readonly #onSession = (session: Buffer): void => {
    this.#tlsSession = session;
  };
}
