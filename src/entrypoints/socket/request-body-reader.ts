/**
 * Reads one request body off a connection's bytes (Content-Length or chunked) into the
 * exchange's body stream, with backpressure: when the stream's buffer is full the socket is
 * paused until the consumer asks for more. The first read also sends the 100 Continue a
 * client asked for (as Go does: only once the handler actually wants the body).
 */
import type { Socket } from 'node:net';
import { ChunkedDecoder, type ChunkSink } from './chunked-decoder.js';
import { RequestBody, type BodySource } from './socket-exchange.js';
import type { Exchange } from '../../exchange/exchange.js';

/** What the reader needs from its connection. */
export interface BodyOwner {
  readonly socket: Socket;
  /** The socket is paused for another reason (pipelined bytes wait): do not resume it here. */
  readonly readPaused: boolean;
  /** A 100 Continue may still go out (no response head yet, socket writable). */
  readonly canContinue: boolean;
}

/** `feed` results. */
export const enum Feed {
  More,
  Done,
  Malformed,
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

export class RequestBodyReader implements ChunkSink, BodySource {
  readonly stream: RequestBody;
  /** Bytes of the input past the body, after `feed` returned Done (else null). */
  rest: Buffer | null = null;
  readonly #owner: BodyOwner;
  #left: number;
  readonly #chunked: ChunkedDecoder | null;
  #paused = false;
  #continueOwed: boolean;
  /** The request this body belongs to (set once dispatched): observability counts its bytes. */
  exchange: Pick<Exchange, 'record'> | null = null;

  /** `contentLength` is ignored when `chunked`. */
  constructor(owner: BodyOwner, contentLength: number, chunked: boolean, maxTrailerBytes: number, expectContinue: boolean) {
    this.#owner = owner;
    this.#left = contentLength;
    this.#chunked = chunked ? new ChunkedDecoder(maxTrailerBytes) : null;
    this.#continueOwed = expectContinue;
    this.stream = new RequestBody(this);
  }

  /** True while the socket is paused because the consumer is slow. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Take body bytes from `buf`. */
  feed(buf: Buffer): Feed {
    const dec = this.#chunked;
    let rest: Buffer | null;
    if (dec !== null) {
      const stop = dec.decode(buf, 0, buf.length, this);
      if (stop < 0) return Feed.Malformed;
      rest = stop < buf.length ? buf.subarray(stop) : null;
      if (!dec.done) return Feed.More;
    } else {
      const n = Math.min(this.#left, buf.length);
      this.pushBody(n === buf.length ? buf : buf.subarray(0, n));
      this.#left -= n;
      if (this.#left > 0) return Feed.More;
      rest = n < buf.length ? buf.subarray(n) : null;
    }
    this.rest = rest;
    this.#continueOwed = false;
    const body = this.stream;
    if (!body.destroyed) body.push(null);
    return Feed.Done;
  }

  pushBody(chunk: Buffer): void {
    const body = this.stream;
    if (body.destroyed) return;
    const ex = this.exchange;
    if (ex !== null && ex.record !== null) ex.record.requestContentSize += chunk.length;
    if (!body.push(chunk) && !this.#paused) {
      this.#paused = true;
      this.#owner.socket.pause();
    }
  }

  bodyWanted(): void {
    const owner = this.#owner;
    if (this.#continueOwed) {
      this.#continueOwed = false;
      if (owner.canContinue) owner.socket.write(CONTINUE, 'latin1');
    }
    if (this.#paused) {
      this.#paused = false;
      if (!owner.readPaused) owner.socket.resume();
    }
  }

  /** The body will not complete (client gone, malformed, connection closing): end the stream. */
  destroy(): void {
    const body = this.stream;
    // No error: consumers see 'close' before 'end' (an 'error' could find its listener gone).
    if (!body.destroyed && !body.readableEnded) body.destroy();
  }
}
