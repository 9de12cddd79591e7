/**
 * The Exchange over node:http: the request side reads IncomingMessage without copying (headers are
 * its rawHeaders array, the body is the request stream itself), the response side is a
 * ResponseWriter over ServerResponse. Only this file and `node-http-server.ts` touch node:http.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { runHeadHooks, type Exchange, type HeadHook, type PeerInfo, type ResponseWriter, type TlsInfo, type UpgradeInfo } from '../exchange/exchange.js';
import { equalsLower, HeaderList } from '../exchange/headers.js';
import type { ExchangeSink } from './front-end.js';
import type { PreparedTarget } from './routing-path.js';
import { textResponseHeaders, withoutHopByHop } from './response-headers.js';
import { markIdle } from './socket-idle.js';
import { validTrailer } from './trailers.js';
import type { RequestRecord } from '../observability/request-record.js';

/**
 * ServerResponse with a slot for its writer, so one module-level 'close' listener serves every
 * response (no closure per request). Passed to `http.createServer({ ServerResponse })`.
 */
export class TurnpikeServerResponse extends ServerResponse {
  writer: NodeResponseWriter | null = null;
}

function onResponseClose(this: TurnpikeServerResponse): void {
  const w = this.writer;
  if (w !== null) {
    this.writer = null;
    w.handleClose();
  }
}

function onWriteTimeout(w: NodeResponseWriter): void {
  w.handleWriteTimeout();
}

/** Outcome recorded when the write timeout cut a response before its head went out. */
const WRITE_TIMEOUT_STATUS = 504;
/** Outcome recorded when the client went away before the response head. */
const CLIENT_GONE_STATUS = 499;


/** ResponseWriter over a node:http ServerResponse. */
export class NodeResponseWriter implements ResponseWriter {
  readonly #res: TurnpikeServerResponse;
  readonly #sink: ExchangeSink;
  #exchange: Exchange | null = null;
  #hooks: HeadHook[] | null = null;
  #goneCallbacks: (() => void)[] | null = null;
  #gone = false;
  #aborted = false;
  #timedOut = false;
  #status = 0;
  #timer: NodeJS.Timeout | null = null;
  readonly #socket: Socket;
  readonly #idleTimeout: number;

  /**
   * `socket` is the request's connection (a pipelined response gets its socket only later);
   * `idleTimeout` (ms, 0 = none) is armed on it once this response is over and nothing else waits.
   */
  constructor(res: TurnpikeServerResponse, sink: ExchangeSink, writeTimeout: number, socket: Socket, idleTimeout: number) {
    this.#res = res;
    this.#sink = sink;
    this.#socket = socket;
    this.#idleTimeout = idleTimeout;
    res.writer = this;
    // 'close' fires once per response; `on` avoids the wrapper closure `once` would allocate.
    res.on('close', onResponseClose);
    if (writeTimeout > 0) {
      this.#timer = setTimeout(onWriteTimeout, writeTimeout, this);
      this.#timer.unref();
    }
  }

  /** Link the exchange this writer answers (reported to the sink when the response is over). */
  attach(ex: Exchange): void {
    this.#exchange = ex;
  }

  get headersSent(): boolean {
    return this.#res.headersSent;
  }

  get clientGone(): boolean {
    return this.#gone;
  }

  onHead(hook: HeadHook): void {
    if (this.#hooks === null) this.#hooks = [hook];
    else this.#hooks.push(hook);
  }

  writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (this.#gone) return;
    const res = this.#res;
    if (status < 200 && status >= 100) {
      writeInformational(res, status, headers);
      return;
    }
    const hooks = this.#hooks;
    if (hooks !== null) {
      this.#hooks = null;
      runHeadHooks(hooks, status, headers);
    }
    if (this.#sink.draining) res.shouldKeepAlive = false;
    const raw = withoutHopByHop(headers.raw);
    try {
      if (statusMessage === undefined) res.writeHead(status, raw);
      else res.writeHead(status, statusMessage, raw);
    } catch (err) {
      // node refuses a `Trailer` field on a response it cannot chunk (HTTP/1.0, HEAD): the
      // trailers will be dropped anyway, so their announcement goes too.
      if ((err as { code?: unknown }).code !== 'ERR_HTTP_TRAILER_INVALID') throw err;
      const kept = withoutField(raw, 'trailer');
      if (statusMessage === undefined) res.writeHead(status, kept);
      else res.writeHead(status, statusMessage, kept);
    }
    this.#status = status;
  }

  write(chunk: Buffer): boolean {
    if (this.#gone) return true;
    if (!this.#res.headersSent) this.writeHead(200, new HeaderList());
    return this.#res.write(chunk);
  }

  onDrain(cb: () => void): void {
    this.#res.once('drain', cb);
  }

  onClientGone(cb: () => void): void {
    if (this.#gone) {
      cb();
      return;
    }
    if (this.#goneCallbacks === null) this.#goneCallbacks = [cb];
    else this.#goneCallbacks.push(cb);
  }

  /** Trailers go out after the last chunk when node frames the body chunked; else they are dropped. */
  end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.#gone) return;
    if (!this.#res.headersSent) this.writeHead(200, new HeaderList());
    if (trailers !== undefined && trailers.raw.length > 0 && this.#res.chunkedEncoding) {
      const pairs: [string, string][] = [];
      trailers.forEach((name, value) => {
        if (validTrailer(name, value)) pairs.push([name, value]);
      });
      if (pairs.length > 0) this.#res.addTrailers(pairs);
    }
    if (chunk === undefined) this.#res.end();
    else this.#res.end(chunk);
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#res.destroy();
  }

  sendText(status: number, text: string, headers?: HeaderList): void {
    if (this.#gone) return;
    const answer = textResponseHeaders(text, headers);
    this.writeHead(status, answer.headers);
    this.#res.end(answer.body);
  }

  /** The response's 'close' event: finished normally, or the connection went away first. */
  handleClose(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const res = this.#res;
    let status = this.#status;
    if (!res.writableFinished) {
      this.#gone = true;
      if (!res.headersSent) status = this.#timedOut ? WRITE_TIMEOUT_STATUS : CLIENT_GONE_STATUS;
      const cbs = this.#goneCallbacks;
      this.#goneCallbacks = null;
      if (cbs !== null && !this.#aborted) for (const cb of cbs) cb();
    }
    markIdle(this.#socket, this.#idleTimeout);
    const ex = this.#exchange;
    if (ex !== null) {
      this.#exchange = null;
      this.#sink.finished(ex, status);
    }
  }

  /** `writeTimeout` elapsed before the response ended: the connection is closed (as Go does). */
  handleWriteTimeout(): void {
    this.#timer = null;
    if (this.#res.writableFinished) return;
    this.#timedOut = true;
    this.#res.destroy();
  }
}

/** `raw` without the fields named `lower`. */
function withoutField(raw: readonly string[], lower: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!equalsLower(raw[i] as string, lower)) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

/**
 * Interim (1xx) responses from upstream: 103 Early Hints is relayed (its Link headers), 102 too;
 * 100 Continue was already sent by node when the request asked for it; other 1xx are dropped,
 * as node:http cannot write them. None of them counts as the response head.
 */
function writeInformational(res: ServerResponse, status: number, headers: HeaderList): void {
  if (status === 103) {
    const links = headers.getAll('link');
    if (links.length > 0) res.writeEarlyHints({ link: links });
  } else if (status === 102) {
    res.writeProcessing();
  }
}

/**
 * The request side. A plain class with fields (one hidden class for every request); the
 * routing inputs come pre-checked from `prepareTarget`.
 */
export class NodeHttpExchange implements Exchange {
  method: string;
  path: string;
  query: string | null;
  readonly routingPath: string;
  host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: HeaderList;
  readonly body: Readable | null;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly entryPoint: string;
  readonly upgrade: UpgradeInfo | null;
  response: ResponseWriter;
  routerName: string | undefined;
  record: RequestRecord | null;
  readonly startedAt: number;

  constructor(
    req: IncomingMessage,
    headers: HeaderList,
    target: PreparedTarget,
    entryPoint: string,
    response: ResponseWriter,
    upgrade: UpgradeInfo | null,
    startedAt: number,
  ) {
    this.method = req.method ?? 'GET';
    this.path = target.path;
    this.query = target.query;
    this.routingPath = target.routingPath;
    this.host = target.host;
    this.httpVersion = req.httpVersionMinor === 0 ? '1.0' : '1.1';
    this.headers = headers;
    this.body = upgrade === null && hasBody(headers) ? req : null;
    this.peer = peerOf(req.socket.remoteAddress, req.socket.remotePort);
    this.tls = null;
    this.entryPoint = entryPoint;
    this.upgrade = upgrade;
    this.response = response;
    this.routerName = undefined;
    this.record = null;
    this.startedAt = startedAt;
  }
}

/** A request has a body when it is chunked or declares Content-Length > 0. */
export function hasBody(headers: HeaderList): boolean {
  if (headers.has('transfer-encoding')) return true;
  const cl = headers.get('content-length');
  return cl !== undefined && cl !== '0' && cl.trim() !== '0';
}

/** Peer address as Traefik reports it: IPv4-mapped IPv6 unwrapped, IPv6 zone stripped. */
export function peerOf(address: string | undefined, port: number | undefined): PeerInfo {
  return { address: normalizeAddress(address ?? ''), port: port ?? 0 };
}

export function normalizeAddress(address: string): string {
  let a = address;
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.length > 7 && a.charCodeAt(0) === 58 && a.indexOf('.') > 0 && a.slice(0, 7).toLowerCase() === '::ffff:') {
    a = a.slice(7);
  }
  return a;
}
