/**
 * ResponseWriter over one node:http2 server stream.
 *
 * The head is built (hooks run, fields checked) in `writeHead` but sent with the first body bytes
 * or `end`, so that `end(undefined, trailers)` after a head and no body becomes one trailers-only
 * HEADERS frame with END_STREAM (how gRPC servers answer an error). A body written with `write`
 * is sent with node's `waitForTrailers`, so `end(chunk, trailers)` can still add a trailing
 * HEADERS block (without trailers the stream ends with an empty DATA frame). HEAD, 204, 205 and
 * 304 answers carry no body. `abort` resets only this stream (RST_STREAM INTERNAL_ERROR), never
 * the connection; the client resetting the stream before the end makes `clientGone` true.
 */
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } from '../../net/lazy-http2.js';
import { runHeadHooks, type Exchange, type HeadHook, type ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { ProxyError } from '../../errors/codes.js';
import type { ExchangeSink } from '../front-end.js';
import { textResponseHeaders } from '../response-headers.js';
import { mergeTrailers, responseHeaderBlock, trailerBlock } from './h2-headers.js';

/** Outcome recorded when the write timeout cut a response before its head went out. */
export const WRITE_TIMEOUT_STATUS = 504;
/** Outcome recorded when the client went away before the response head. */
export const CLIENT_GONE_STATUS = 499;


const enum HeadMode {
  End,
  Body,
  BodyThenTrailers,
}

function onWriteTimeout(w: Http2ResponseWriter): void {
  w.handleWriteTimeout();
}

export class Http2ResponseWriter implements ResponseWriter {
  readonly #stream: ServerHttp2Stream;
  readonly #sink: ExchangeSink;
  readonly #isHead: boolean;
  #exchange: Exchange | null = null;
  #hooks: HeadHook[] | null = null;
  #goneCallbacks: (() => void)[] | null = null;
  /** The HEADERS block built by writeHead, until it is sent. */
  #head: OutgoingHttpHeaders | null = null;
  #headBuilt = false;
  #headSent = false;
  #noBody = false;
  #trailers: OutgoingHttpHeaders | null = null;
  #ended = false;
  #gone = false;
  #aborted = false;
  #timedOut = false;
  #finished = false;
  #status = 0;
  #writeTimer: NodeJS.Timeout | null = null;

  constructor(stream: ServerHttp2Stream, sink: ExchangeSink, isHead: boolean, writeTimeout: number) {
    this.#stream = stream;
    this.#sink = sink;
    this.#isHead = isHead;
    stream.once('close', this.#onClose);
    if (writeTimeout > 0) {
      this.#writeTimer = setTimeout(onWriteTimeout, writeTimeout, this);
      this.#writeTimer.unref();
    }
  }

  /** Link the exchange this writer answers (reported to the sink when the stream is over). */
  attach(ex: Exchange): void {
    this.#exchange = ex;
  }

  get headersSent(): boolean {
    return this.#headBuilt;
  }

  get clientGone(): boolean {
    return this.#gone;
  }

  /** The status written (0 before writeHead). */
  get status(): number {
    return this.#status;
  }

  onHead(hook: HeadHook): void {
    if (this.#hooks === null) this.#hooks = [hook];
    else this.#hooks.push(hook);
  }

  writeHead(status: number, headers: HeaderList, _statusMessage?: string): void {
    if (this.#gone || this.#ended) return;
    if (this.#headBuilt) throw new ProxyError('TPK_ERR_INTERNAL', 'response head already sent');
    if (status >= 100 && status < 200) {
      this.#informational(status, headers);
      return;
    }
    const hooks = this.#hooks;
    if (hooks !== null) {
      this.#hooks = null;
      runHeadHooks(hooks, status, headers);
    }
    this.#head = responseHeaderBlock(status, headers.raw);
    this.#headBuilt = true;
    this.#status = status;
    this.#noBody = this.#isHead || status === 204 || status === 205 || status === 304;
  }

  /** 103 (its Link fields), 102 and 100 are relayed as interim HEADERS; 101 means nothing in HTTP/2. */
  #informational(status: number, headers: HeaderList): void {
    if (status !== 100 && status !== 102 && status !== 103) return;
    const block: OutgoingHttpHeaders = { ':status': status };
    if (status === 103) {
      const links = headers.getAll('link');
      if (links.length === 0) return;
      block['link'] = links;
    }
    try {
      this.#stream.additionalHeaders(block);
    } catch {
      // stream already closing: the final answer (or the reset) tells the rest
    }
  }

  /**
   * Send the head now: `End` when nothing follows, `Body` for a body that ends the stream with
   * its last DATA frame, `BodyThenTrailers` for a body that a trailing HEADERS block (maybe
   * empty) will end. False when the stream is already gone (reset by the client meanwhile).
   */
  #sendHead(mode: HeadMode): boolean {
    const head = this.#head as OutgoingHttpHeaders;
    this.#head = null;
    this.#headSent = true;
    const stream = this.#stream;
    if (stream.destroyed || stream.closed) return false;
    try {
      if (mode === HeadMode.End) {
        stream.respond(head, { endStream: true });
      } else if (mode === HeadMode.Body) {
        stream.respond(head, { endStream: false });
      } else {
        stream.respond(head, { waitForTrailers: true });
        stream.once('wantTrailers', this.#onWantTrailers);
      }
      return true;
    } catch {
      // The stream closed between the check and respond (or the head was refused): reset it.
      if (!stream.destroyed) stream.close(NGHTTP2_INTERNAL_ERROR);
      return false;
    }
  }

  readonly #onWantTrailers = (): void => {
    const trailers = this.#trailers ?? (Object.create(null) as OutgoingHttpHeaders);
    this.#trailers = null;
    try {
      this.#stream.sendTrailers(trailers);
    } catch {
      this.#stream.close(NGHTTP2_INTERNAL_ERROR);
    }
  };

  write(chunk: Buffer): boolean {
    if (this.#gone || this.#ended || this.#aborted) return true;
    if (!this.#headBuilt) this.writeHead(200, new HeaderList());
    if (!this.#headSent && !this.#sendHead(this.#noBody ? HeadMode.End : HeadMode.BodyThenTrailers)) return true;
    if (this.#noBody || chunk.length === 0) return true;
    return this.#stream.write(chunk);
  }

  onDrain(cb: () => void): void {
    this.#stream.once('drain', cb);
  }

  onClientGone(cb: () => void): void {
    if (this.#gone) {
      cb();
      return;
    }
    if (this.#goneCallbacks === null) this.#goneCallbacks = [cb];
    else this.#goneCallbacks.push(cb);
  }

  end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.#gone || this.#ended || this.#aborted) return;
    if (!this.#headBuilt) this.writeHead(200, new HeaderList());
    this.#ended = true;
    const stream = this.#stream;
    if (stream.destroyed) return;
    const block = this.#noBody ? null : trailerBlock(trailers);
    const hasChunk = chunk !== undefined && chunk.length > 0 && !this.#noBody;
    if (!this.#headSent) {
      if (!hasChunk) {
        // No body: the head ends the stream, carrying the trailers if any (trailers-only answer).
        if (block !== null) mergeTrailers(this.#head as OutgoingHttpHeaders, block);
        this.#sendHead(HeadMode.End);
        return;
      }
      this.#trailers = block;
      if (this.#sendHead(block === null ? HeadMode.Body : HeadMode.BodyThenTrailers)) stream.end(chunk);
      return;
    }
    if (this.#noBody) return; // respond() already ended the stream
    this.#trailers = block;
    if (hasChunk) stream.end(chunk);
    else stream.end();
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    if (!this.#stream.destroyed) this.#stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  sendText(status: number, text: string, headers?: HeaderList): void {
    if (this.#gone || this.#ended) return;
    const answer = textResponseHeaders(text, headers);
    this.writeHead(status, answer.headers);
    this.end(answer.body);
  }

  /** `writeTimeout` elapsed before the response ended: the stream is reset (as Go's http2 server). */
  handleWriteTimeout(): void {
    this.#writeTimer = null;
    if (this.#finished || (this.#ended && this.#stream.writableFinished)) return;
    this.#timedOut = true;
    if (!this.#stream.destroyed) this.#stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  /** The stream closed: the exchange is over, completed or cut (client reset, abort, timeout). */
  readonly #onClose = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#writeTimer !== null) {
      clearTimeout(this.#writeTimer);
      this.#writeTimer = null;
    }
    const complete = this.#ended && (this.#stream.rstCode === NGHTTP2_NO_ERROR || this.#stream.writableFinished);
    let status = this.#status;
    if (!complete) {
      this.#gone = true;
      if (!this.#headBuilt) status = this.#timedOut ? WRITE_TIMEOUT_STATUS : CLIENT_GONE_STATUS;
      const cbs = this.#goneCallbacks;
      this.#goneCallbacks = null;
      if (cbs !== null && !this.#aborted) for (const cb of cbs) cb();
    }
    const ex = this.#exchange;
    if (ex !== null) {
      this.#exchange = null;
      this.#sink.finished(ex, status);
    }
  };
}
