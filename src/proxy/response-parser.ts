/**
 * A small strict HTTP/1.x RESPONSE parser for the upstream client (the proxy's hot path).
 *
 * Why hand-written rather than Node's llhttp (`_http_common`): llhttp is reachable only through an
 * internal module, copies every body chunk into a new Buffer, and needs a JS callback per header
 * batch; this parser decodes the head with one latin1 slice, hands out body chunks as zero-copy
 * subarrays of the socket's read buffer, and filters hop-by-hop headers while it parses (one pass).
 *
 * Strictness (RFC 9112), a bad response is rejected rather than guessed at, because what we accept
 * here is written to the client:
 * - lines end in CRLF; a bare CR or LF, or any other control character (HTAB excepted) in a header
 *   value or reason phrase is an error; header names are RFC 9110 tokens; obs-fold is an error.
 * - Content-Length must be digits; several differing values are an error.
 * - Transfer-Encoding wins over Content-Length, and then the connection is not reused.
 * - Chunk sizes are hex (at most 12 digits); chunk extensions are skipped; trailers (at most 64 KiB)
 *   are handed on as a header list (hop-by-hop and framing fields dropped), a malformed one is an error.
 * - 102 and 103 informational heads are handed on (Go's ReverseProxy relays them), 100 is
 *   skipped (we never wait for it); 101 hands the raw head and the bytes after it over.
 * - Responses to HEAD, 204 and 304 have no body whatever their headers say.
 */

import { Framing, ResponseHead, isHopByHop } from './response-head.js';

export { parseContentLength } from './response-head.js';

export interface ResponseSink {
  /** A final (non-1xx) response head; `headers` is the flat list without hop-by-hop headers. */
  onResponseHead(status: number, headers: string[]): void;
  /** A 102 Processing or 103 Early Hints head (more heads follow). */
  onResponseInfo(status: number, headers: string[]): void;
  /** A piece of the (de-chunked) body: a view of the socket's buffer, valid to keep. */
  onResponseBody(chunk: Buffer): void;
  /** Trailer fields of a chunked body (flat [name, value, ...]), just before `onResponseComplete`. */
  onResponseTrailers(trailers: string[]): void;
  /** The message is complete. Bytes after it (a misbehaving server) set `trailingData`. */
  onResponseComplete(): void;
  /** 101 Switching Protocols: the raw head (through the blank line) and whatever followed it. */
  onResponseUpgrade(rawHead: Buffer, rest: Buffer): void;
}

const enum State {
  Head,
  BodyLength,
  BodyClose,
  ChunkSize,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerLineLf,
  TrailerEndLf,
  Done,
  Failed,
}

/** Longest response head accepted (Go's transport allows 10 MiB; 1 MiB is plenty for real servers). */
export const MAX_RESPONSE_HEAD = 1024 * 1024;
const MAX_TRAILERS = 64 * 1024;
const MAX_CHUNK_SIZE_DIGITS = 12;

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** RFC 9110 tchar lookup (trailer names). */
const TOKEN = new Uint8Array(256);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[ch.charCodeAt(0)] = 1;

/** Hex digit values, -1 for others. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

export class ResponseParser {
  #sink: ResponseSink;
  #state = State.Head;
  #head: Buffer | null = null;
  #noBody = false;
  #remaining = 0;
  #count = 0;
  /** The trailer line being read, and the trailer fields read so far (null: none). */
  #trailerLine = '';
  #trailers: string[] | null = null;
  readonly #parsed = new ResponseHead();
  /** Set when the head was parsed: may the connection carry another request afterwards? */
  keepAlive = false;
  /** True once any byte of the current response arrived. */
  started = false;
  /** Bytes arrived after a complete response (the connection must not be reused). */
  trailingData = false;
  /** Why the response was rejected, when `execute` returned false. */
  error = '';

  constructor(sink: ResponseSink) {
    this.#sink = sink;
  }

  /** Prepare for the next response; `noBody` for a HEAD request. */
  reset(noBody: boolean): void {
    this.#state = State.Head;
    this.#head = null;
    this.#noBody = noBody;
    this.#remaining = 0;
    this.#count = 0;
    this.#trailerLine = '';
    this.#trailers = null;
    this.keepAlive = false;
    this.started = false;
    this.trailingData = false;
    this.error = '';
  }

  /** Stop delivering events (the exchange was abandoned). */
  stop(): void {
    this.#state = State.Failed;
  }

  get complete(): boolean {
    return this.#state === State.Done;
  }

  /** True while reading a body that ends when the server closes the connection. */
  get readsUntilClose(): boolean {
    return this.#state === State.BodyClose;
  }

  /** The server closed the connection: completes a close-delimited body. */
  finish(): void {
    if (this.#state === State.BodyClose) {
      this.#state = State.Done;
      this.#sink.onResponseComplete();
    }
  }

  /** Feed bytes; returns false (and sets `error`) when the response is malformed. */
  execute(buf: Buffer): boolean {
    this.started = true;
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      switch (this.#state) {
        case State.Head: {
          const used = this.#onHeadBytes(buf, pos);
          if (used < 0) return this.#current() !== State.Failed || this.error === '';
          pos = used;
          break;
        }
        case State.BodyLength: {
          const n = Math.min(this.#remaining, len - pos);
          this.#remaining -= n;
          const last = this.#remaining === 0;
          if (last) this.#state = State.Done;
          this.#sink.onResponseBody(pos === 0 && n === len ? buf : buf.subarray(pos, pos + n));
          pos += n;
          if (last && this.#state === State.Done) this.#sink.onResponseComplete();
          break;
        }
        case State.BodyClose:
          this.#sink.onResponseBody(pos === 0 ? buf : buf.subarray(pos));
          return true;
        case State.ChunkData: {
          const n = Math.min(this.#remaining, len - pos);
          this.#remaining -= n;
          if (this.#remaining === 0) this.#state = State.ChunkDataCr;
          this.#sink.onResponseBody(buf.subarray(pos, pos + n));
          pos += n;
          break;
        }
        case State.Done:
          this.trailingData = true;
          return true;
        case State.Failed:
          return this.error === '';
        case State.ChunkSize:
        case State.ChunkExt:
        case State.ChunkSizeLf:
        case State.ChunkDataCr:
        case State.ChunkDataLf:
        case State.TrailerLineStart:
        case State.TrailerLine:
        case State.TrailerLineLf:
        case State.TrailerEndLf: {
          const r = this.#chunkFraming(buf, pos);
          if (r < 0) return false;
          pos = r;
          if (this.#current() === State.Done) this.#sink.onResponseComplete();
        }
      }
    }
    return true;
  }

  /** Chunked framing bytes (everything but chunk data); returns the new position or -1. */
  #chunkFraming(buf: Buffer, pos: number): number {
    const c = buf[pos] as number;
    switch (this.#state) {
      case State.ChunkSize: {
        const h = HEX[c] as number;
        if (h >= 0) {
          if (this.#count++ >= MAX_CHUNK_SIZE_DIGITS) return this.#fail('chunk size too long');
          this.#remaining = this.#remaining * 16 + h;
          return pos + 1;
        }
        if (this.#count === 0) return this.#fail('bad chunk size');
        if (c === 13) this.#state = State.ChunkSizeLf;
        else if (c === 59 || c === 32 || c === 9) this.#state = State.ChunkExt; // ';' or BWS
        else return this.#fail('bad chunk size');
        return pos + 1;
      }
      case State.ChunkExt:
        if (c === 13) this.#state = State.ChunkSizeLf;
        else if ((c < 32 && c !== 9) || c === 127) return this.#fail('bad chunk extension');
        return pos + 1;
      case State.ChunkSizeLf:
        if (c !== 10) return this.#fail('bad chunk size line');
        this.#count = 0;
        this.#state = this.#remaining === 0 ? State.TrailerLineStart : State.ChunkData;
        return pos + 1;
      case State.ChunkDataCr:
        if (c !== 13) return this.#fail('chunk data longer than its size');
        this.#state = State.ChunkDataLf;
        return pos + 1;
      case State.ChunkDataLf:
        if (c !== 10) return this.#fail('chunk data longer than its size');
        this.#state = State.ChunkSize;
        this.#remaining = 0;
        this.#count = 0;
        return pos + 1;
      case State.TrailerLineStart:
        if (c === 13) this.#state = State.TrailerEndLf;
        else if (c === 10 || (c < 32 && c !== 9) || c === 127) return this.#fail('bad trailer');
        else {
          this.#state = State.TrailerLine;
          this.#trailerLine = String.fromCharCode(c);
        }
        return this.#countTrailer(pos);
      case State.TrailerLine:
        if (c === 13) this.#state = State.TrailerLineLf;
        else if (c === 10 || (c < 32 && c !== 9) || c === 127) return this.#fail('bad trailer');
        else this.#trailerLine += String.fromCharCode(c);
        return this.#countTrailer(pos);
      case State.TrailerLineLf:
        if (c !== 10 || !this.#addTrailer()) return this.#fail('bad trailer');
        this.#state = State.TrailerLineStart;
        return this.#countTrailer(pos);
      case State.TrailerEndLf:
        if (c !== 10) return this.#fail('bad end of chunked body');
        this.#state = State.Done;
        if (this.#trailers !== null) {
          const trailers = this.#trailers;
          this.#trailers = null;
          this.#sink.onResponseTrailers(trailers);
        }
        return pos + 1;
      case State.Head:
      case State.BodyLength:
      case State.BodyClose:
      case State.ChunkData:
      case State.Done:
      case State.Failed:
        return this.#fail('parser state');
    }
  }

  /** The state as of now (sink callbacks may have changed it; defeats narrowing on purpose). */
  #current(): State {
    return this.#state;
  }

  /** One trailer line read (`name: value`); false when malformed. */
  #addTrailer(): boolean {
    const line = this.#trailerLine;
    this.#trailerLine = '';
    const colon = line.indexOf(':');
    if (colon <= 0) return false;
    for (let i = 0; i < colon; i++) if (TOKEN[line.charCodeAt(i)] !== 1) return false;
    const name = line.slice(0, colon);
    if (isHopByHop(name)) return true;
    (this.#trailers ??= []).push(name, line.slice(colon + 1).trim());
    return true;
  }

  #countTrailer(pos: number): number {
    if (++this.#count > MAX_TRAILERS) return this.#fail('trailers too large');
    return pos + 1;
  }

  #fail(reason: string): number {
    this.#state = State.Failed;
    this.error = reason;
    return -1;
  }

  /**
   * Accumulate head bytes from `buf[pos..]`; parse once the blank line is there. Returns the
   * position after the head, or -1 when more bytes are needed (or on failure / upgrade).
   */
  #onHeadBytes(input: Buffer, pos: number): number {
    let buf = pos === 0 ? input : input.subarray(pos);
    let from = 0;
    if (this.#head !== null) {
      from = Math.max(0, this.#head.length - 3);
      buf = Buffer.concat([this.#head, buf]);
    }
    const end = buf.indexOf(CRLFCRLF, from);
    if (end < 0) {
      if (buf.length > MAX_RESPONSE_HEAD) return this.#fail('response head too large');
      // Copy the first piece so a big socket read buffer is not retained for a few bytes.
      this.#head = this.#head === null ? Buffer.from(buf) : buf;
      return -1;
    }
    if (end > MAX_RESPONSE_HEAD) return this.#fail('response head too large');
    const prior = this.#head === null ? 0 : this.#head.length;
    this.#head = null;
    const bodyStart = end + 4;
    const h = this.#parsed;
    if (!h.parse(buf, end, this.#noBody)) return this.#fail(h.error);
    const status = h.status;
    if (status === 101) {
      this.#state = State.Done;
      this.#sink.onResponseUpgrade(buf.subarray(0, bodyStart), buf.subarray(bodyStart));
      return -1;
    }
    // Position in `input` right after the head.
    const next = pos + bodyStart - prior;
    // A 1xx informational head: relayed (102, 103) or skipped; the next head follows.
    if (status < 200) {
      if (status === 102 || status === 103) this.#sink.onResponseInfo(status, h.headers);
      return next;
    }
    this.keepAlive = h.keepAlive;
    switch (h.framing) {
      case Framing.None:
        this.#state = State.Done;
        break;
      case Framing.Length:
        this.#remaining = h.contentLength;
        this.#state = h.contentLength === 0 ? State.Done : State.BodyLength;
        break;
      case Framing.Chunked:
        this.#state = State.ChunkSize;
        this.#remaining = 0;
        this.#count = 0;
        break;
      case Framing.UntilClose:
        this.#state = State.BodyClose;
        break;
    }
    const done = this.#state === State.Done;
    this.#sink.onResponseHead(status, h.headers);
    if (done && this.#current() === State.Done) this.#sink.onResponseComplete();
    return next;
  }
}
