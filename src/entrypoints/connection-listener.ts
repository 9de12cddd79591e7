/**
 * The entry point's listener: one TCP port serving plain HTTP and TLS. It accepts each connection
 * and looks at its first bytes before any front end sees it:
 *
 * - a TLS handshake record (0x16): the ClientHello is read (not consumed) for its SNI, which picks
 *   the TLS options (tls-state.ts) and so the client authentication, versions and ALPN; then the
 *   TLS handshake runs (a node:tls server per options, fed the socket, SNI -> certificate) and,
 *   once it is done, ALPN picks the front end: `h2` -> HTTP/2, anything else -> HTTP/1.1;
 * - the HTTP/2 cleartext preface (`PRI * HTTP/2.0...`): the HTTP/2 front end (h2c, prior knowledge);
 * - anything else: the HTTP/1.1 front end, with the bytes read so far as `head`.
 *
 * The plain HTTP/1.1 path costs one 'data' listener for the first chunk per connection; nothing
 * per request. Silence before the first byte is bounded (firstByteTimeout), and so is the time
 * from the first byte to the end of the TLS handshake (handshakeTimeout). Go's rule for a graceful
 * stop applies to connections here too: a new one younger than 5 s is left to send its request.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { tls } from '../net/lazy-tls.js';
import { parseClientHello, TLS_HANDSHAKE_RECORD } from '../tls/client-hello.js';
import type { StoredCertificate } from '../tls/certificate-store.js';
import type { TlsSource } from '../tls/tls-manager.js';
import { clientCertificateAccepted, type BuiltTlsOptions } from '../tls/tls-options.js';
import type { TlsState } from '../tls/tls-state.js';
import type { ConnectionFrontEnd, FrontEnd, ListenAddress } from './front-end.js';
import { listenOn } from './listen.js';

/**
 * Where the HTTP/2 front end plugs in (issue 5, worker E1): its ConnectionFrontEnd and the check
 * for the cleartext preface on a plain connection's first chunk. Without it, TLS offers only
 * http/1.1 in ALPN and a preface goes to the HTTP/1.1 front end (which refuses it).
 */
export interface Http2PlugIn {
  readonly frontEnd: ConnectionFrontEnd;
  /** True when `chunk` starts with (or is a prefix of) "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
  isPreface(chunk: Buffer): boolean;
}

export interface ConnectionListenerOptions {
  readonly entryPoint: string;
  readonly http1: ConnectionFrontEnd;
  readonly http2?: Http2PlugIn | undefined;
  /** The TLS state source; undefined = plain connections only (a 0x16 byte goes to HTTP/1.1). */
  readonly tls?: TlsSource | undefined;
  /** Silence allowed before the first byte (ms, 0 = none): Go's readTimeout, else idleTimeout. */
  readonly firstByteTimeout: number;
  /** From the first byte to the end of the TLS handshake (ms, 0 = 60 s). */
  readonly handshakeTimeout: number;
}

/** Go's http.Server.Shutdown leaves a connection younger than this alone (its request may be on the way). */
const NEW_CONNECTION_GRACE_MS = 5_000;
const DEFAULT_HANDSHAKE_TIMEOUT = 60_000;
const EMPTY = Buffer.alloc(0);

function ignoreError(): void {}

/** A connection whose protocol is not known yet (or whose TLS handshake is running). */
class Pending {
  readonly socket: Socket;
  readonly since = performance.now();
  /** performance.now() bound; 0 = none. */
  deadline: number;
  /** Bytes read so far from a TLS connection (the ClientHello may come in pieces). */
  chunks: Buffer[] | null = null;
  size = 0;
  /** Handed to a node:tls server: the handshake runs. */
  handshaking = false;
  onData: (chunk: Buffer) => void = ignoreError;
  onEnd: () => void = ignoreError;

  constructor(socket: Socket, timeout: number) {
    this.socket = socket;
    this.deadline = timeout > 0 ? this.since + timeout : 0;
  }
}

/** The plain socket a TLS socket wraps (node:tls keeps it as `_parent`). */
function parentOf(socket: TLSSocket): Socket | undefined {
  const parent = (socket as unknown as { _parent?: unknown })._parent;
  return parent !== null && typeof parent === 'object' ? (parent as Socket) : undefined;
}

export class ConnectionListener implements FrontEnd {
  readonly #opts: ConnectionListenerOptions;
  readonly #server: Server;
  readonly #pending = new Map<Socket, Pending>();
  readonly #closed: Promise<void>;
  readonly #handshakeTimeout: number;
  readonly #alpnServed: readonly string[];
  #sweep: NodeJS.Timeout | null = null;
  /**
   * node:tls servers by options and certificate, for the state they were made from: the
   * certificate is chosen from the ClientHello before the handshake, so no SNI callback runs.
   */
  #tlsServers = new Map<BuiltTlsOptions, Map<StoredCertificate, TlsServer>>();
  #tlsServersState: TlsState | null = null;

  constructor(opts: ConnectionListenerOptions) {
    this.#opts = opts;
    this.#handshakeTimeout = opts.handshakeTimeout > 0 ? opts.handshakeTimeout : DEFAULT_HANDSHAKE_TIMEOUT;
    this.#alpnServed = opts.http2 !== undefined ? ['h2', 'http/1.1'] : ['http/1.1'];
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => this.#accept(socket));
    server.on('error', ignoreError);
    this.#server = server;
    this.#closed = new Promise((resolve) =>
      server.once('close', () => {
        if (this.#sweep !== null) clearInterval(this.#sweep);
        this.#sweep = null;
        resolve();
      }),
    );
  }

  async listen(host: string, port: number): Promise<ListenAddress> {
    const addr = await listenOn(this.#server, host, port);
    const smallest = Math.min(...[this.#opts.firstByteTimeout, this.#handshakeTimeout].filter((t) => t > 0), 30_000);
    this.#sweep = setInterval(() => this.#check(), Math.max(10, Math.min(250, Math.floor(smallest / 16))));
    this.#sweep.unref();
    return addr;
  }

  stopAccepting(): void {
    this.#server.close(); // 'close' once every connection is gone
    this.closeIdle();
  }

  closeIdle(): void {
    const now = performance.now();
    for (const p of this.#pending.values()) if (now - p.since >= NEW_CONNECTION_GRACE_MS) p.socket.destroy();
    this.#opts.http1.closeIdle();
    this.#opts.http2?.frontEnd.closeIdle();
  }

  awaitingFirstRequest(): number {
    const now = performance.now();
    let n = 0;
    for (const p of this.#pending.values()) if (now - p.since < NEW_CONNECTION_GRACE_MS) n++;
    n += this.#opts.http1.awaitingFirstRequest();
    if (this.#opts.http2 !== undefined) n += this.#opts.http2.frontEnd.awaitingFirstRequest();
    return n;
  }

  destroyAll(): void {
    for (const p of this.#pending.values()) p.socket.destroy();
    this.#pending.clear();
    this.#opts.http1.destroyAll();
    this.#opts.http2?.frontEnd.destroyAll();
  }

  closed(): Promise<void> {
    return this.#closed;
  }

  /** Client connections open now: pending ones plus those the front ends serve. */
  get connectionCount(): number {
    return this.#pending.size + this.#opts.http1.connectionCount + (this.#opts.http2?.frontEnd.connectionCount ?? 0);
  }

  /** Connections not handed to a front end yet (sniffing or in their TLS handshake). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  #accept(socket: Socket): void {
    const p = new Pending(socket, this.#opts.firstByteTimeout);
    this.#pending.set(socket, p);
    p.onData = (chunk: Buffer): void => this.#first(p, chunk);
    p.onEnd = (): void => this.#drop(p);
    socket.on('data', p.onData);
    socket.on('end', p.onEnd);
    socket.on('error', ignoreError);
    socket.once('close', () => this.#pending.delete(socket));
  }

  #drop(p: Pending): void {
    this.#pending.delete(p.socket);
    p.socket.destroy();
  }

  #release(p: Pending): void {
    const socket = p.socket;
    socket.removeListener('data', p.onData);
    socket.removeListener('end', p.onEnd);
  }

  #first(p: Pending, chunk: Buffer): void {
    if (chunk.length === 0) return;
    const socket = p.socket;
    if (chunk[0] === TLS_HANDSHAKE_RECORD && this.#opts.tls !== undefined) {
      p.chunks = [chunk];
      p.size = chunk.length;
      p.deadline = performance.now() + this.#handshakeTimeout;
      socket.removeListener('data', p.onData);
      p.onData = (more: Buffer): void => this.#more(p, more);
      socket.on('data', p.onData);
      this.#hello(p);
      return;
    }
    this.#release(p);
    this.#pending.delete(socket);
    const h2 = this.#opts.http2;
    // HTTP/2 with prior knowledge (h2c): the connection preface instead of a request line.
    if (h2 !== undefined && chunk[0] === 0x50 && h2.isPreface(chunk)) h2.frontEnd.accept(socket, chunk);
    else this.#opts.http1.accept(socket, chunk);
  }

  #more(p: Pending, chunk: Buffer): void {
    (p.chunks as Buffer[]).push(chunk);
    p.size += chunk.length;
    this.#hello(p);
  }

  #hello(p: Pending): void {
    const chunks = p.chunks as Buffer[];
    const buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, p.size);
    if (chunks.length > 1) p.chunks = [buf];
    const hello = parseClientHello(buf);
    if (hello.kind === 'incomplete') return;
    if (hello.kind === 'invalid') {
      this.#drop(p);
      return;
    }
    // Stop reading until node:tls takes the socket over (the bytes go back into it first).
    p.socket.pause();
    this.#release(p);
    const tls = this.#opts.tls as TlsSource;
    const state = tls.state;
    const options = state.optionsFor(this.#opts.entryPoint, hello.serverName);
    // No options (a host whose routers name unknown options) or broken ones: refuse.
    if (options === undefined || options.broken !== undefined) {
      this.#drop(p);
      return;
    }
    const name = hello.serverName;
    const cert = name !== undefined ? state.store.lookup(name) : this.#byLocalAddress(state, p.socket);
    // sniStrict: an unknown (or missing) server name is refused (Traefik: "strict SNI enabled").
    if (cert === undefined && options.sniStrict) {
      this.#drop(p);
      return;
    }
    // The certificate served: the one for the SNI (or, without SNI, for the local address), else
    // the store's default (configured, or the generated one).
    const base = cert ?? state.configuredDefault;
    if (base !== undefined) {
      this.#handshake(p, state, options, base, buf);
      return;
    }
    const generated = tls.generatedDefault();
    if (!(generated instanceof Promise)) {
      this.#handshake(p, state, options, generated, buf);
      return;
    }
    generated.then(
      (c) => {
        if (p.socket.destroyed) return;
        this.#handshake(p, state, options, c, buf);
      },
      () => this.#drop(p),
    );
  }

  #byLocalAddress(state: TlsState, socket: Socket): StoredCertificate | undefined {
    const local = socket.localAddress;
    if (local === undefined) return undefined;
    return state.store.lookup(local.startsWith('::ffff:') ? local.slice(7) : local);
  }

  #handshake(p: Pending, state: TlsState, options: BuiltTlsOptions, base: StoredCertificate, bytes: Buffer): void {
    let server: TlsServer;
    try {
      server = this.#tlsServer(state, options, base);
    } catch {
      this.#drop(p);
      return;
    }
    p.chunks = null;
    p.handshaking = true;
    const socket = p.socket;
    socket.unshift(bytes.length > 0 ? bytes : EMPTY);
    server.emit('connection', socket);
  }

  #tlsServer(state: TlsState, options: BuiltTlsOptions, base: StoredCertificate): TlsServer {
    if (state !== this.#tlsServersState) {
      this.#tlsServers = new Map();
      this.#tlsServersState = state;
    }
    let byCert = this.#tlsServers.get(options);
    if (byCert === undefined) this.#tlsServers.set(options, (byCert = new Map<StoredCertificate, TlsServer>()));
    let server = byCert.get(base);
    if (server !== undefined) return server;
    const offered = options.config.alpnProtocols.filter((a) => this.#alpnServed.includes(a));
    server = tls().createServer({
      // node:tls builds the server's own context from these (it ignores a `secureContext`).
      ...options.context,
      cert: base.cert,
      key: base.key,
      requestCert: options.requestCert,
      rejectUnauthorized: options.rejectUnauthorized,
      ...(offered.length > 0 ? { ALPNProtocols: offered } : {}),
      handshakeTimeout: this.#handshakeTimeout,
    });
    server.on('secureConnection', (socket: TLSSocket) => this.#secure(socket, options));
    server.on('tlsClientError', (_err: Error, socket: TLSSocket) => socket.destroy());
    byCert.set(base, server);
    return server;
  }

  #secure(socket: TLSSocket, options: BuiltTlsOptions): void {
    const parent = parentOf(socket);
    if (parent !== undefined) this.#pending.delete(parent);
    socket.on('error', ignoreError);
    if (options.requestCert) {
      // Not getPeerX509Certificate(): in Node 20 calling it first makes a later
      // getPeerCertificate(true) (passTLSClientCert's chain) lose the issuer chain.
      const hasCert = Buffer.isBuffer(socket.getPeerCertificate().raw);
      if (!clientCertificateAccepted(options.clientAuth, hasCert, socket.authorized)) {
        socket.destroy();
        return;
      }
    }
    const h2 = this.#opts.http2;
    if (h2 !== undefined && socket.alpnProtocol === 'h2') h2.frontEnd.accept(socket);
    else this.#opts.http1.accept(socket);
  }

  #check(): void {
    if (this.#pending.size === 0) return;
    const now = performance.now();
    for (const p of this.#pending.values()) {
      // A handshake in progress is bounded by node:tls (handshakeTimeout).
      if (!p.handshaking && p.deadline > 0 && now >= p.deadline) this.#drop(p);
    }
  }
}
