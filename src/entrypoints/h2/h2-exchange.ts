/**
 * The Exchange of the HTTP/2 front end (same fields, same meaning as the HTTP/1.1 ones) and its
 * request body: a Readable of its own fed from the stream's DATA frames, so a consumer that
 * destroys the body does not reset the response, and flow control follows the consumer (the
 * stream is paused, so no WINDOW_UPDATE goes out, while the body's buffer is full).
 */
import { Readable } from 'node:stream';
import type { ServerHttp2Stream } from 'node:http2';
import { NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } from '../../net/lazy-http2.js';
import type { Exchange, PeerInfo, ResponseWriter, TlsInfo, UpgradeInfo } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import { ProxyError } from '../../errors/codes.js';
import type { PreparedTarget } from '../routing-path.js';
import type { RequestRecord } from '../../observability/request-record.js';

function ignoreError(): void {}

function onReadTimeout(body: Http2RequestBody): void {
  body.handleReadTimeout();
}


/**
 * A request body read from an HTTP/2 stream. `expectContinue`: the client sent
 * `Expect: 100-continue`, so an interim 100 goes out when the body is first read (as Go does).
 */
export class Http2RequestBody extends Readable {
  readonly #stream: ServerHttp2Stream;
  #started = false;
  #expectContinue: boolean;
  #complete = false;
  #timer: NodeJS.Timeout | null = null;
  /** The request this body belongs to (set once dispatched): observability counts its bytes. */
  exchange: Pick<Exchange, 'record'> | null = null;

  /** `readTimeout` (ms, 0 = none): the whole body must arrive within it from the request's start. */
  constructor(stream: ServerHttp2Stream, expectContinue: boolean, readTimeout: number) {
    super();
    this.#stream = stream;
    this.#expectContinue = expectContinue;
    stream.once('close', this.#onStreamClose);
    // A cut upload nobody reads must not become an uncaught 'error'.
    this.on('error', ignoreError);
    if (readTimeout > 0) {
      this.#timer = setTimeout(onReadTimeout, readTimeout, this);
      this.#timer.unref();
    }
  }

  /** True once every DATA frame of the request arrived. */
  get complete(): boolean {
    return this.#complete;
  }

  override _read(): void {
    const stream = this.#stream;
    if (!this.#started) {
      this.#started = true;
      if (this.#expectContinue) {
        this.#expectContinue = false;
        try {
          stream.additionalHeaders({ ':status': 100 });
        } catch {
          // stream closing: the close handler ends the body
        }
      }
      stream.on('data', this.#onData);
      stream.once('end', this.#onEnd);
      return;
    }
    stream.resume();
  }

  readonly #onData = (chunk: Buffer): void => {
    const ex = this.exchange;
    if (ex !== null && ex.record !== null) ex.record.requestContentSize += chunk.length;
    if (!this.push(chunk)) this.#stream.pause();
  };

  readonly #onEnd = (): void => {
    // node:http2 also ends the readable side of a stream the client reset: that is a cut upload.
    const stream = this.#stream;
    const code = stream.rstCode;
    if (stream.aborted || (code !== undefined && code !== NGHTTP2_NO_ERROR)) {
      this.#onStreamClose();
      return;
    }
    this.#complete = true;
    this.#clearTimer();
    this.push(null);
  };

  /** The stream closed before its last DATA frame: the upload was cut (client reset, timeout). */
  readonly #onStreamClose = (): void => {
    this.#clearTimer();
    if (this.#complete || this.destroyed) return;
    this.destroy(new ProxyError('TPK_ERR_CLIENT_GONE', 'client reset the stream before the end of the request body'));
  };

  handleReadTimeout(): void {
    this.#timer = null;
    if (this.#complete) return;
    // Go's http2 server resets the stream when the body misses the read deadline.
    if (!this.#stream.destroyed) this.#stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.#clearTimer();
    const stream = this.#stream;
    stream.off('data', this.#onData);
    cb(err);
  }
}

export class Http2Exchange implements Exchange {
  method: string;
  path: string;
  query: string | null;
  readonly routingPath: string;
  host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: HeaderList;
  body: Readable | null;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly entryPoint: string;
  readonly upgrade: UpgradeInfo | null;
  response: ResponseWriter;
  routerName: string | undefined;
  record: RequestRecord | null;
  readonly startedAt: number;

  constructor(
    method: string,
    headers: HeaderList,
    target: PreparedTarget,
    body: Readable | null,
    peer: PeerInfo,
    tls: TlsInfo | null,
    entryPoint: string,
    response: ResponseWriter,
    startedAt: number,
  ) {
    this.method = method;
    this.path = target.path;
    this.query = target.query;
    this.routingPath = target.routingPath;
    this.host = target.host;
    this.httpVersion = '2.0';
    this.headers = headers;
    this.body = body;
    this.peer = peer;
    this.tls = tls;
    this.entryPoint = entryPoint;
    this.upgrade = null;
    this.response = response;
    this.routerName = undefined;
    this.record = null;
    this.startedAt = startedAt;
  }
}
