/**
 * The HTTP/2 sessions of one origin (an `OriginPool` whose server speaks HTTP/2: `h2c://`, or
 * `https://` once the server picked h2 by ALPN). One session carries every stream while it can:
 * a new session is opened only when every session is at the peer's maxConcurrentStreams or is
 * going away (GOAWAY, closed) — Go's transport with StrictMaxConcurrentStreams false, which
 * Traefik uses. Sessions live as long as the pool (kept across reloads like HTTP/1.1
 * connections); one with no open stream for idleConnTimeout is closed by the pools' sweeper.
 */
import type { TLSSocket } from 'node:tls';
import type { OriginPool } from '../origin-pool.js';
import { H2Session, type H2SessionOwner } from './h2-session.js';

/**
 * Streams a new session may carry before the peer's SETTINGS arrive, until one session of the
 * origin told us its limit (Go's and nghttp2's default, 100). After that, new sessions start from
 * the limit the server announced last, so a burst does not pile streams on a session the server
 * will not let run them.
 */
const INITIAL_MAX_STREAMS = 100;

/** ALPN offer of a connection dialled for HTTP/2 (http/1.1 too, so a server that dropped h2 is detected, not refused). */
const ALPN_H2: readonly string[] = Object.freeze(['h2', 'http/1.1']);

export class H2Origin implements H2SessionOwner {
  readonly pool: OriginPool;
  /** `:scheme` of requests: 'http' for h2c, 'https' over TLS. */
  readonly scheme: 'http' | 'https';
  /** What node:http2 is given as the session's URL. */
  readonly #authority: string;
  readonly #sessions: H2Session[] = [];
  #peerMaxStreams = INITIAL_MAX_STREAMS;

  constructor(pool: OriginPool) {
    this.pool = pool;
    const t = pool.target;
    this.scheme = t.scheme === 'h2c' ? 'http' : 'https';
    this.#authority = `${this.scheme}://${t.origin.slice(t.origin.indexOf('://') + 3)}`;
  }

  /** Sessions open (connecting, serving or draining). */
  get size(): number {
    return this.#sessions.length;
  }

  /** A session that can take one more stream now, opening one when none can. */
  pick(now: number): H2Session {
    const list = this.#sessions;
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as H2Session;
      if (s.available) return s;
    }
    const pool = this.pool;
    pool.created++;
    const s = new H2Session(this, this.#authority, pool.dial(ALPN_H2), false, pool.transport, now, Math.max(1, this.#peerMaxStreams));
    list.push(s);
    return s;
  }

  /**
   * Take over an https connection on which the server picked h2. Closed instead when a session
   * that can take a stream exists already (it carries the request: one session per origin).
   */
  adopt(socket: TLSSocket, now: number): void {
    for (const s of this.#sessions) {
      if (s.available && s.connected) {
        socket.destroy();
        return;
      }
    }
    this.#sessions.push(new H2Session(this, this.#authority, socket, true, this.pool.transport, now, Math.max(1, this.#peerMaxStreams)));
  }

  /** Close sessions with no stream for `idleLimit` ms (0 = never); true when none is left. */
  sweep(now: number, idleLimit: number): boolean {
    if (idleLimit > 0) {
      for (const s of this.#sessions) {
        if (s.active === 0 && now - s.idleSince >= idleLimit) s.close();
      }
    }
    return this.#sessions.length === 0;
  }

  /** Close every session once its streams are done (shutdown, or the origin left HTTP/2). */
  close(): void {
    for (const s of this.#sessions) s.close();
  }

  sessionClosed(s: H2Session): void {
    const i = this.#sessions.indexOf(s);
    if (i >= 0) this.#sessions.splice(i, 1);
  }

  notH2(): void {
    this.pool.dropH2();
  }

  peerMaxStreams(n: number): void {
    this.#peerMaxStreams = n;
  }
}
