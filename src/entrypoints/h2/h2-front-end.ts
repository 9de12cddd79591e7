/**
 * The HTTP/2 front end: serves connections the entry point's listener hands over (h2 over TLS,
 * chosen by ALPN; h2c with prior knowledge, chosen by the preface) on node:http2, turning every
 * stream into an Exchange dispatched into the entry point's sink, as the HTTP/1.1 front ends do.
 *
 * One node:http2 server object, never listening, is fed the sockets (`emit('connection')`); it
 * works for plain sockets and for TLS sockets whose handshake is already done.
 *
 * Limits: `http2.maxConcurrentStreams` (SETTINGS_MAX_CONCURRENT_STREAMS; nghttp2 refuses streams
 * beyond it with RST_STREAM REFUSED_STREAM); `maxHeaderBytes` (announced as
 * SETTINGS_MAX_HEADER_LIST_SIZE; a larger header list is answered 431 without dispatch);
 * `maxHeadersCount` (more fields: node resets the stream with ENHANCE_YOUR_CALM); flow-control
 * windows of 1 MiB per stream and per connection (Go's http2 server defaults).
 *
 * Timeouts: `idleTimeout` closes (GOAWAY) a session with no stream open for that long (a fresh
 * session: readTimeout, else idleTimeout); `readTimeout` bounds each request body and
 * `writeTimeout` each response (the stream is reset with INTERNAL_ERROR, as Go's http2 server does).
 */
import type { Http2Server, IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import { http2 } from '../../net/lazy-http2.js';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { isTlsSocket } from '../../net/lazy-tls.js';
import type { EntryPointConfig } from '../../config/static/types.js';
import { SocketTlsInfo } from '../../tls/tls-info.js';
import type { PeerInfo, TlsInfo } from '../../exchange/exchange.js';
import type { ConnectionFrontEnd, ExchangeSink, FrontEndOptions } from '../front-end.js';
import { peerOf } from '../node-http-exchange.js';
import { reasonPhrase } from '../response-headers.js';
import { prepareTarget } from '../routing-path.js';
import { readRequestHead } from './h2-headers.js';
import { Http2Exchange, Http2RequestBody } from './h2-exchange.js';
import { Http2ResponseWriter } from './h2-response-writer.js';

/** HTTP/2 settings of an entry point (`entryPoints.<name>.http2`). */
export interface Http2Options {
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients. */
  readonly maxConcurrentStreams: number;
}

/** Traefik's `http2.maxConcurrentStreams` default. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 250;

/** The HTTP/2 options of an entry point, defaults filled. */
export function http2Options(cfg: EntryPointConfig): Http2Options {
  const n = cfg.http2?.maxConcurrentStreams;
  return { maxConcurrentStreams: n !== undefined && n > 0 ? n : DEFAULT_MAX_CONCURRENT_STREAMS };
}

/** Go's http2 server: 1 MiB receive windows for each stream and for the connection. */
const WINDOW_SIZE = 1 << 20;
/** Go's rule: a connection younger than this that sent no request yet is kept while draining. */
const NEW_CONNECTION_GRACE_MS = 5000;
/** The pseudo-header fields counted in node's maxHeaderListPairs besides the regular ones. */
const PSEUDO_FIELDS = 5;

function ignoreError(): void {}

function onIdle(conn: H2Connection): void {
  conn.idleTimer = null;
  if (conn.open === 0) conn.session.close();
}

/** One HTTP/2 session (connection) and its bookkeeping. */
class H2Connection {
  readonly session: ServerHttp2Session;
  readonly socket: Socket;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly acceptedAt: number;
  readonly #idleTimeout: number;
  /** Streams open now. */
  open = 0;
  /** Streams opened so far. */
  seen = 0;
  idleTimer: NodeJS.Timeout | null = null;

  constructor(session: ServerHttp2Session, socket: Socket, idleTimeout: number) {
    this.session = session;
    this.socket = socket;
    this.peer = peerOf(socket.remoteAddress, socket.remotePort);
    this.tls = isTlsSocket(socket) ? new SocketTlsInfo(socket) : null;
    this.acceptedAt = performance.now();
    this.#idleTimeout = idleTimeout;
  }

  armIdle(ms: number): void {
    this.clearIdle();
    if (ms <= 0) return;
    this.idleTimer = setTimeout(onIdle, ms, this);
    this.idleTimer.unref();
  }

  clearIdle(): void {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  streamOpened(): void {
    this.open++;
    this.seen++;
    if (this.open === 1) this.clearIdle();
  }

  /** Bound once per connection: the 'close' listener of each of its streams. */
  readonly streamClosed = (): void => {
    this.open--;
    if (this.open > 0 || this.session.closed || this.session.destroyed) return;
    this.armIdle(this.#idleTimeout);
  };

  awaitingFirstRequest(now: number): boolean {
    return this.seen === 0 && !this.session.closed && now - this.acceptedAt < NEW_CONNECTION_GRACE_MS;
  }
}

export class Http2FrontEnd implements ConnectionFrontEnd {
  readonly #opts: FrontEndOptions;
  readonly #sink: ExchangeSink;
  readonly #h2: Http2Options;
  /** Made on the first HTTP/2 connection (node:http2 loads then: see net/lazy-http2.ts). */
  #server: Http2Server | undefined;
  readonly #connections = new Set<H2Connection>();
  /** Fresh session's silence bound, then the idle bound between streams. */
  readonly #firstTimeout: number;
  readonly #idleTimeout: number;
  /** The socket being accepted, read by the 'session' listener (emit is synchronous). */
  #accepting: Socket | null = null;
  #allClosed: (() => void) | null = null;

  constructor(opts: FrontEndOptions, sink: ExchangeSink, h2: Http2Options = { maxConcurrentStreams: DEFAULT_MAX_CONCURRENT_STREAMS }) {
    this.#opts = opts;
    this.#sink = sink;
    this.#firstTimeout = opts.readTimeout > 0 ? opts.readTimeout : opts.idleTimeout;
    this.#idleTimeout = opts.idleTimeout > 0 ? opts.idleTimeout : opts.readTimeout;
    this.#h2 = h2;
  }

  #serverOf(): Http2Server {
    if (this.#server !== undefined) return this.#server;
    const opts = this.#opts;
    const server = http2().createServer({
      settings: {
        maxConcurrentStreams: this.#h2.maxConcurrentStreams,
        maxHeaderListSize: opts.maxHeaderBytes,
        initialWindowSize: WINDOW_SIZE,
      },
      maxHeaderListPairs: Math.max(4, opts.maxHeadersCount + PSEUDO_FIELDS),
    });
    server.on('session', (session: ServerHttp2Session) => this.#onSession(session));
    // A TLS socket whose ALPN is not h2 is the listener's mistake: drop it rather than hang.
    server.on('unknownProtocol', (socket: Socket) => socket.destroy());
    server.on('sessionError', ignoreError);
    server.on('error', ignoreError);
    this.#server = server;
    return server;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Serve `socket` over HTTP/2 from now on: a plain socket (h2c; `head` holds the bytes already
   * read, starting with the preface) or a TLS socket after its handshake, with ALPN 'h2'. The
   * caller must have removed its own 'data' listeners.
   */
  accept(socket: Socket, head?: Buffer): void {
    socket.pause();
    if (head !== undefined && head.length > 0) socket.unshift(head);
    // A server-side TLSSocket made with `new TLSSocket(socket, {isServer: true})` keeps
    // secureConnecting true after its handshake, and node:http2 would then wait for a
    // 'secureConnect' that never comes. The handshake is done by contract here.
    if (isTlsSocket(socket)) (socket as TLSSocket & { secureConnecting: boolean }).secureConnecting = false;
    this.#accepting = socket;
    try {
      this.#serverOf().emit('connection', socket);
    } catch {
      socket.destroy();
    } finally {
      this.#accepting = null;
    }
  }

  #onSession(session: ServerHttp2Session): void {
    const socket = this.#accepting;
    if (socket === null) {
      session.destroy();
      return;
    }
    const conn = new H2Connection(session, socket, this.#idleTimeout);
    this.#connections.add(conn);
    session.setLocalWindowSize(WINDOW_SIZE);
    session.on('error', ignoreError);
    session.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, raw?: string[]) =>
      this.#onStream(conn, stream, headers, raw),
    );
    session.once('close', () => this.#sessionClosed(conn));
    conn.armIdle(this.#firstTimeout);
  }

  #sessionClosed(conn: H2Connection): void {
    conn.clearIdle();
    this.#connections.delete(conn);
    if (!conn.socket.destroyed) conn.socket.destroy();
    if (this.#connections.size === 0 && this.#allClosed !== null) {
      const done = this.#allClosed;
      this.#allClosed = null;
      done();
    }
  }

  #onStream(conn: H2Connection, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, raw: string[] | undefined): void {
    const startedAt = performance.now();
    stream.on('error', ignoreError);
    conn.streamOpened();
    stream.once('close', conn.streamClosed);
    const head = readRequestHead(raw ?? rawOf(headers));
    const opts = this.#opts;
    // node:http2 announces SETTINGS_MAX_HEADER_LIST_SIZE but does not hold clients to it; Go answers 431.
    if (head.size > opts.maxHeaderBytes) {
      refuse(stream, 431);
      return;
    }
    if (head.method === 'CONNECT' || head.path === '') {
      refuse(stream, 400);
      return;
    }
    const hostHeader = head.authority ?? head.host;
    const target = prepareTarget(head.path, hostHeader, head.authority !== undefined ? 1 : head.hostCount, false, opts);
    if (typeof target === 'number') {
      refuse(stream, target);
      return;
    }
    const sink = this.#sink;
    const writer = new Http2ResponseWriter(stream, sink, head.method === 'HEAD', opts.writeTimeout);
    let body: Http2RequestBody | null = null;
    if (!stream.endAfterHeaders) {
      const expect = head.headers.get('expect');
      body = new Http2RequestBody(stream, expect !== undefined && expect.toLowerCase() === '100-continue', opts.readTimeout);
    }
    const ex = new Http2Exchange(head.method, head.headers, target, body, conn.peer, conn.tls, opts.entryPoint, writer, startedAt);
    if (body !== null) body.exchange = ex;
    writer.attach(ex);
    sink.dispatch(ex);
  }

  /**
   * GOAWAY to every session with no stream open (sessions still awaiting their first request
   * and younger than 5 s are kept, as Go does). While the entry point drains, busy sessions get
   * a GOAWAY too: they take no new stream and close once their open streams are done.
   */
  closeIdle(): void {
    const now = performance.now();
    const draining = this.#sink.draining;
    for (const conn of this.#connections) {
      const session = conn.session;
      if (session.closed || session.destroyed) continue;
      if (conn.open === 0) {
        if (!conn.awaitingFirstRequest(now)) session.close();
      } else if (draining) {
        session.close();
      }
    }
  }

  awaitingFirstRequest(): number {
    const now = performance.now();
    let n = 0;
    for (const conn of this.#connections) if (conn.awaitingFirstRequest(now)) n++;
    return n;
  }

  destroyAll(): void {
    for (const conn of this.#connections) {
      conn.session.destroy();
      conn.socket.destroy();
    }
  }

  /** Resolves once no connection is left (right away when none is open). */
  allClosed(): Promise<void> {
    if (this.#connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.#allClosed;
      this.#allClosed = () => {
        if (prev !== null) prev();
        resolve();
      };
    });
  }
}

/** Answer a request refused before dispatch (bad target or Host), as Go's server words it. */
function refuse(stream: ServerHttp2Stream, status: number): void {
  const text = `${status} ${reasonPhrase(status)}`;
  try {
    stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    stream.end(text);
  } catch {
    stream.close();
  }
}

/** A flat raw header array from node's header object (when the 'stream' event gave none). */
function rawOf(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(name, x);
    else out.push(name, String(v));
  }
  return out;
}
