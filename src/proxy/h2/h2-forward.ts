/**
 * One exchange forwarded as one HTTP/2 stream, and its answer relayed to `ex.response`:
 * - the request body streams with backpressure (paused while the stream's window is full), and
 *   only once the session is up: a request that never left can still be re-sent; no body = the
 *   HEADERS frame carries END_STREAM;
 * - the response head goes to `writeHead` (102/103 relayed as informational heads), DATA to
 *   `write`/`onDrain`, trailers to `end(undefined, trailers)`; a trailers-only answer (HEADERS with
 *   END_STREAM, gRPC's error form) is a head followed by `end()`;
 * - the client going away cancels the stream (RST_STREAM CANCEL).
 *
 * Failures map as for HTTP/1.1 (errors.ts): the session could not be set up -> dial error (502, or
 * 504 on dialTimeout; nothing was sent); responseHeaderTimeout -> 504; the stream reset or the
 * session lost before the head -> 502; after the head -> the client response is aborted. A stream
 * the server refused unprocessed (REFUSED_STREAM, or beyond a GOAWAY's last stream) is re-sent
 * once when its request had no body, as Go's transport does.
 */
import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from 'node:http2';
import { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } from '../../net/lazy-http2.js';
import type { Readable } from 'node:stream';
import type { Exchange } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { ProxyError } from '../../errors/codes.js';
import { dialError, exchangeError, type ForwardErrorHandler } from '../errors.js';
import type { ServerTarget } from '../server-target.js';
import type { H2Origin } from './h2-origin.js';
import type { H2Session } from './h2-session.js';

/** Forward again (a refused stream, or an origin that left HTTP/2): the forwarder itself. */
export type Redo = (ex: Exchange, server: ServerTarget) => void;

/** Exchanges re-sent once already after a refused stream (never twice). */
const resent = new WeakSet<Exchange>();

/** Send `ex` on a stream of one of `h2`'s sessions. Completes through `ex.response`; failures go to `onError`. */
export function forwardH2(ex: Exchange, server: ServerTarget, h2: H2Origin, headers: OutgoingHttpHeaders, onError: ForwardErrorHandler, redo: Redo, now: number): void {
  const session = h2.pick(now);
  let stream: ClientHttp2Stream;
  try {
    stream = session.request(headers, ex.body === null);
  } catch (err) {
    // node:http2 refused the header block (a value it will not send) or the session just closed.
    onError(ex, exchangeError(server.origin, err instanceof Error ? err : null, 'cannot open an HTTP/2 stream'));
    return;
  }
  new H2Relay(ex, server, session, stream, onError, redo, h2.pool.transport.responseHeaderTimeout).start();
}

class H2Relay {
  readonly #ex: Exchange;
  readonly #server: ServerTarget;
  readonly #session: H2Session;
  readonly #stream: ClientHttp2Stream;
  readonly #onError: ForwardErrorHandler;
  readonly #redo: Redo;
  readonly #headerTimeout: number;
  #body: Readable | null = null;
  #bodyStarted = false;
  #bodyPaused = false;
  #headSent = false;
  #trailers: HeaderList | undefined = undefined;
  /** The exchange is over for us (answered, failed or handed on). */
  #done = false;
  #headerTimer: NodeJS.Timeout | null = null;
  #headerTimedOut = false;
  #waitingClientDrain = false;
  #streamError: Error | null = null;

  constructor(ex: Exchange, server: ServerTarget, session: H2Session, stream: ClientHttp2Stream, onError: ForwardErrorHandler, redo: Redo, headerTimeout: number) {
    this.#ex = ex;
    this.#server = server;
    this.#session = session;
    this.#stream = stream;
    this.#onError = onError;
    this.#redo = redo;
    this.#headerTimeout = headerTimeout;
  }

  start(): void {
    const stream = this.#stream;
    stream.on('response', this.#onResponse);
    stream.on('headers', this.#onInfo);
    stream.on('data', this.#onData);
    stream.on('trailers', this.#onTrailers);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onStreamError);
    stream.on('close', this.#onClose);
    const ex = this.#ex;
    ex.response.onClientGone(this.#onClientGone);
    if (this.#done) return;
    if (ex.body === null) this.#requestWritten();
    else if (stream.pending) stream.once('ready', this.#startBody);
    else this.#startBody();
  }

  readonly #startBody = (): void => {
    const body = this.#ex.body;
    if (this.#done || body === null) return;
    this.#bodyStarted = true;
    if (body.readableEnded) {
      this.#stream.end();
      this.#requestWritten();
      return;
    }
    this.#body = body;
    body.on('data', this.#onBodyData);
    body.on('end', this.#onBodyEnd);
    body.on('error', this.#onBodyAbort);
    body.on('close', this.#onBodyAbort);
    this.#stream.on('drain', this.#onStreamDrain);
  };

  readonly #onBodyData = (chunk: Buffer): void => {
    if (!this.#stream.write(chunk) && !this.#bodyPaused && this.#body !== null) {
      this.#bodyPaused = true;
      this.#body.pause();
    }
  };

  readonly #onStreamDrain = (): void => {
    if (this.#bodyPaused && this.#body !== null) {
      this.#bodyPaused = false;
      this.#body.resume();
    }
  };

  readonly #onBodyEnd = (): void => {
    this.#detachBody();
    this.#stream.end();
    this.#requestWritten();
  };

  /** The upload stopped before its end: the client went away. */
  readonly #onBodyAbort = (): void => {
    if (this.#body !== null) this.#cancel(new ProxyError('TPK_ERR_CLIENT_GONE', 'client closed the connection'));
  };

  #detachBody(): void {
    const body = this.#body;
    if (body === null) return;
    this.#body = null;
    body.off('data', this.#onBodyData);
    body.off('end', this.#onBodyEnd);
    body.off('error', this.#onBodyAbort);
    body.off('close', this.#onBodyAbort);
    this.#stream.off('drain', this.#onStreamDrain);
    if (this.#bodyPaused) {
      this.#bodyPaused = false;
      body.resume();
    }
  }

  #requestWritten(): void {
    const ms = this.#headerTimeout;
    if (ms > 0 && !this.#headSent && !this.#done) this.#headerTimer = setTimeout(this.#onHeaderTimeout, ms);
  }

  readonly #onHeaderTimeout = (): void => {
    this.#headerTimer = null;
    if (this.#headSent || this.#done) return;
    this.#headerTimedOut = true;
    this.#stream.close(NGHTTP2_CANCEL);
  };

  readonly #onResponse = (headers: IncomingHttpHeaders & IncomingHttpStatusHeader, _flags: number, raw?: string[]): void => {
    if (this.#done) return;
    this.#clearHeaderTimer();
    this.#headSent = true;
    this.#ex.response.writeHead(headers[':status'] ?? 502, toHeaderList(raw, headers));
  };

  /** Informational heads (1xx): 102 and 103 are relayed, as for HTTP/1.1. */
  readonly #onInfo = (headers: IncomingHttpHeaders & IncomingHttpStatusHeader, _flags: number, raw?: string[]): void => {
    const status = headers[':status'];
    if (this.#done || (status !== 102 && status !== 103)) return;
    this.#ex.response.writeHead(status, toHeaderList(raw, headers));
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#done) return;
    const res = this.#ex.response;
    if (!res.write(chunk) && !this.#waitingClientDrain) {
      this.#waitingClientDrain = true;
      this.#stream.pause();
      res.onDrain(this.#onClientDrain);
    }
  };

  readonly #onClientDrain = (): void => {
    this.#waitingClientDrain = false;
    if (!this.#done) this.#stream.resume();
  };

  readonly #onTrailers = (headers: IncomingHttpHeaders, _flags: number, raw?: string[]): void => {
    this.#trailers = toHeaderList(raw, headers);
  };

  readonly #onEnd = (): void => {
    if (this.#done || !this.#headSent) return;
    this.#finish();
    this.#ex.response.end(undefined, this.#trailers);
  };

  readonly #onStreamError = (err: Error): void => {
    this.#streamError ??= err;
  };

  readonly #onClose = (): void => {
    this.#session.streamClosed(performance.now());
    if (this.#done) return;
    const ex = this.#ex;
    const server = this.#server;
    const session = this.#session;
    const err = this.#streamError;
    this.#finish();
    if (!session.connected) {
      // Nothing left: re-send over HTTP/1.1 when the server stopped speaking h2, else a dial error.
      if (session.notH2) this.#redo(ex, server);
      else this.#onError(ex, dialError(server.origin, session.dialError ?? err, session.dialTimedOut));
      return;
    }
    if (this.#headerTimedOut) {
      this.#onError(ex, new ProxyError('TPK_ERR_UPSTREAM_TIMEOUT', `${server.origin}: timeout awaiting response headers`));
      return;
    }
    const code = this.#stream.rstCode;
    if (!this.#headSent && code === NGHTTP2_REFUSED_STREAM && !this.#bodyStarted && !resent.has(ex) && !ex.response.clientGone) {
      // The server did not process it (RFC 9113 §8.7): safe to send again, once.
      resent.add(ex);
      this.#redo(ex, server);
      return;
    }
    const what = this.#headSent ? 'stream lost mid-body' : 'stream closed before a response';
    this.#onError(ex, exchangeError(server.origin, err, code === undefined || code === 0 ? what : `${what} (${rstName(code)})`));
  };

  readonly #onClientGone = (): void => {
    if (!this.#done) this.#cancel(new ProxyError('TPK_ERR_CLIENT_GONE', 'client closed the connection'));
  };

  /** Give up on the exchange: RST_STREAM CANCEL, then report `err`. */
  #cancel(err: ProxyError): void {
    this.#finish();
    this.#stream.close(NGHTTP2_CANCEL);
    this.#onError(this.#ex, err);
  }

  #finish(): void {
    this.#done = true;
    this.#stream.off('ready', this.#startBody);
    this.#clearHeaderTimer();
    this.#detachBody();
    if (this.#waitingClientDrain) {
      this.#waitingClientDrain = false;
      this.#stream.resume();
    }
  }

  #clearHeaderTimer(): void {
    if (this.#headerTimer !== null) {
      clearTimeout(this.#headerTimer);
      this.#headerTimer = null;
    }
  }
}

/**
 * An HTTP/2 header block as a HeaderList without pseudo-headers and without the hop-by-hop
 * fields the HTTP/1.1 path drops too. `raw` (node:http2's flat list, in wire order) when given.
 */
function toHeaderList(raw: string[] | undefined, headers: IncomingHttpHeaders): HeaderList {
  const out: string[] = [];
  if (raw !== undefined) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (keep(name)) out.push(name, raw[i + 1] as string);
    }
  } else {
    for (const name of Object.keys(headers)) {
      if (!keep(name)) continue;
      const v = headers[name];
      if (Array.isArray(v)) for (const one of v) out.push(name, one);
      else if (v !== undefined) out.push(name, v);
    }
  }
  return new HeaderList(out);
}

function keep(name: string): boolean {
  if (name.charCodeAt(0) === 58) return false; // ':'
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'te':
    case 'trailer':
      return false;
    default:
      return true;
  }
}

const RST_NAMES: Record<number, string> = {
  1: 'PROTOCOL_ERROR',
  2: 'INTERNAL_ERROR',
  3: 'FLOW_CONTROL_ERROR',
  5: 'STREAM_CLOSED',
  6: 'FRAME_SIZE_ERROR',
  7: 'REFUSED_STREAM',
  8: 'CANCEL',
  9: 'COMPRESSION_ERROR',
  11: 'ENHANCE_YOUR_CALM',
  12: 'INADEQUATE_SECURITY',
  13: 'HTTP_1_1_REQUIRED',
};

function rstName(code: number): string {
  return RST_NAMES[code] ?? `error code ${code}`;
}
