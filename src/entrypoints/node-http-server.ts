/**
 * The HTTP/1.1 front end built on node:http: sockets, parsing (llhttp, strict mode), timeouts,
 * limits and malformed-input answers. Each parsed request becomes an Exchange handed to the
 * entry point's sink. A later front end (raw sockets + own parser) replaces this file and
 * `node-http-exchange.ts` and nothing else.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { HeaderList, equalsLower } from '../exchange/headers.js';
import type { ExchangeSink, FrontEnd, FrontEndOptions, ListenAddress } from './front-end.js';
import { listenOn } from './listen.js';
import { NodeHttpExchange, NodeResponseWriter, TurnpikeServerResponse } from './node-http-exchange.js';
import { RawResponseWriter, SocketUpgrade } from './raw-response-writer.js';
import { rawErrorResponse, reasonPhrase } from './response-headers.js';
import { prepareTarget, type PreparedTarget } from './routing-path.js';
import { destroyOnTimeout, markBusy } from './socket-idle.js';

/** Interval of node's sweep that enforces header/request timeouts: a fraction of the smallest one. */
function checkingInterval(opts: FrontEndOptions): number {
  let smallest = 30_000;
  if (opts.readTimeout > 0) smallest = Math.min(smallest, opts.readTimeout);
  if (opts.headersTimeout > 0) smallest = Math.min(smallest, opts.headersTimeout);
  return Math.max(20, Math.min(1000, Math.floor(smallest / 4)));
}

/** Status for a parse error reported by node's 'clientError' (codes are llhttp's / node's). */
export function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/** True when a response is already being written on this socket (node keeps it in `_httpMessage`). */
function responseInProgress(socket: Duplex): boolean {
  const msg: unknown = (socket as { _httpMessage?: unknown })._httpMessage;
  return typeof msg === 'object' && msg !== null && (msg as { headersSent?: unknown }).headersSent === true;
}

/** Answer a request the front end refuses (bad target, bad Host, too many headers) and close. */
function rejectResponse(res: TurnpikeServerResponse, status: number): void {
  const body = `${status} ${reasonPhrase(status)}`;
  res.shouldKeepAlive = false;
  res.writeHead(status, [
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    String(body.length),
    'Connection',
    'close',
  ]);
  res.end(body);
}

function rejectRaw(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Closed once the answer is flushed: a client that never closes its side cannot hold it open.
  socket.end(rawErrorResponse(status), () => socket.destroy());
}

function ignoreError(): void {}

/** Number of `Host` fields. */
function hostCount(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (equalsLower(raw[i] as string, 'host')) count++;
  return count;
}

/**
 * Go's server accepts exactly one Transfer-Encoding field whose value is `chunked`; anything
 * else (gzip, `gzip, chunked`, two fields) is answered 501. No field at all is fine.
 */
function supportedTransferEncoding(raw: readonly string[]): boolean {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    if (!equalsLower(raw[i] as string, 'transfer-encoding')) continue;
    if (seen || !equalsLower((raw[i + 1] as string).trim(), 'chunked')) return false;
    seen = true;
  }
  return true;
}

export class NodeHttpFrontEnd implements FrontEnd {
  readonly #opts: FrontEndOptions;
  readonly #sink: ExchangeSink;
  readonly #server: Server<typeof IncomingMessage, typeof TurnpikeServerResponse>;
  readonly #sockets = new Set<Socket>();
  readonly #closed: Promise<void>;
  /** Bound on a fresh connection's silence before its first byte (Go: read deadline set before the first read). */
  readonly #firstTimeout: number;
  /** Keep-alive idle bound between requests (Go's `idleTimeout()`: idleTimeout, else readTimeout). */
  readonly #idleTimeout: number;

  constructor(opts: FrontEndOptions, sink: ExchangeSink) {
    this.#opts = opts;
    this.#sink = sink;
    this.#firstTimeout = opts.readTimeout > 0 ? opts.readTimeout : opts.idleTimeout;
    this.#idleTimeout = opts.idleTimeout > 0 ? opts.idleTimeout : opts.readTimeout;
    const requestTimeout = opts.readTimeout;
    let headersTimeout = opts.headersTimeout;
    if (requestTimeout > 0 && (headersTimeout === 0 || headersTimeout > requestTimeout)) headersTimeout = requestTimeout;
    const server = createServer<typeof IncomingMessage, typeof TurnpikeServerResponse>({
      ServerResponse: TurnpikeServerResponse,
      maxHeaderSize: opts.maxHeaderBytes,
      requestTimeout,
      headersTimeout,
      // Idle connections are timed by us (socket-idle.ts): node's own keep-alive timer adds a
      // 1 s buffer to the value (1 s configured -> 2 s) and never covers a fresh connection.
      keepAliveTimeout: 0,
      connectionsCheckingInterval: checkingInterval(opts),
      insecureHTTPParser: false,
      requireHostHeader: false, // checked in prepareTarget, with Go's answers
      noDelay: true,
    });
    // One more than the limit, so that going over it is visible instead of silently truncated.
    server.maxHeadersCount = opts.maxHeadersCount + 1;
    server.on('request', (req: IncomingMessage, res: TurnpikeServerResponse) => this.#onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    server.on('connect', (_req: IncomingMessage, socket: Duplex) => rejectRaw(socket, 400));
    server.on('clientError', (err: Error, socket: Duplex) => this.#onClientError(err, socket));
    server.on('connection', (socket: Socket) => this.#track(socket));
    // Accept errors once listening (EMFILE, ...) must not become uncaught exceptions; the listener
    // keeps running. listen() reports its own errors separately.
    server.on('error', ignoreError);
    this.#server = server;
    this.#closed = new Promise((resolve) => server.once('close', () => resolve()));
  }

  listen(host: string, port: number): Promise<ListenAddress> {
    return listenOn(this.#server, host, port);
  }

  stopAccepting(): void {
    this.#server.close(); // emits 'close' once every connection is gone, listening or not
    this.#server.closeIdleConnections();
  }

  closeIdle(): void {
    this.#server.closeIdleConnections();
  }

  /** node:http closes new connections with the idle ones (closeIdleConnections): none is awaited. */
  awaitingFirstRequest(): number {
    return 0;
  }

  destroyAll(): void {
    this.#server.closeAllConnections();
    for (const s of this.#sockets) s.destroy();
  }

  closed(): Promise<void> {
    return this.#closed;
  }

  get connectionCount(): number {
    return this.#sockets.size;
  }

  #track(socket: Socket): void {
    const sockets = this.#sockets;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Only armed while no request is in progress (here: before the first byte of the first one).
    socket.on('timeout', destroyOnTimeout);
    if (this.#firstTimeout > 0) socket.setTimeout(this.#firstTimeout);
  }

  /** Common head checks; returns the prepared target or the status to refuse the request with. */
  #prepare(req: IncomingMessage, headers: HeaderList): PreparedTarget | number {
    if (headers.size > this.#opts.maxHeadersCount) return 431;
    // HTTP/0.9 (llhttp's reading of a request line without a version) is malformed; 2.0+ unsupported.
    if (req.httpVersionMajor !== 1) return req.httpVersionMajor === 0 ? 400 : 505;
    if (!supportedTransferEncoding(headers.raw)) return 501;
    return prepareTarget(req.url ?? '', headers.get('host'), hostCount(headers.raw), req.httpVersionMinor === 1, this.#opts);
  }

  #onRequest(req: IncomingMessage, res: TurnpikeServerResponse): void {
    try {
      this.#request(req, res);
    } catch {
      // A bug on our side must cost one connection, never the process.
      res.destroy();
    }
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      this.#upgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
  }

  #request(req: IncomingMessage, res: TurnpikeServerResponse): void {
    const startedAt = performance.now();
    markBusy(req.socket);
    const headers = new HeaderList(req.rawHeaders);
    const target = this.#prepare(req, headers);
    if (typeof target === 'number') {
      rejectResponse(res, target);
      return;
    }
    const writer = new NodeResponseWriter(res, this.#sink, this.#opts.writeTimeout, req.socket, this.#idleTimeout);
    const ex = new NodeHttpExchange(req, headers, target, this.#opts.entryPoint, writer, null, startedAt);
    writer.attach(ex);
    this.#sink.dispatch(ex);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const startedAt = performance.now();
    // The socket left node:http: no idle timing on it any more (its new owner times it).
    markBusy(req.socket);
    req.socket.removeListener('timeout', destroyOnTimeout);
    const headers = new HeaderList(req.rawHeaders);
    const target = this.#prepare(req, headers);
    if (typeof target === 'number') {
      rejectRaw(socket, target);
      return;
    }
    const writer = new RawResponseWriter(socket, this.#sink, req.method === 'HEAD');
    const upgrade = new SocketUpgrade(headers.get('upgrade') ?? '', writer, head);
    const ex = new NodeHttpExchange(req, headers, target, this.#opts.entryPoint, writer, upgrade, startedAt);
    writer.attach(ex);
    this.#sink.dispatch(ex);
  }

  #onClientError(err: Error, socket: Duplex): void {
    const code = errorCode(err);
    if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable || responseInProgress(socket)) {
      socket.destroy();
      return;
    }
    rejectRaw(socket, clientErrorStatus(code));
  }
}
