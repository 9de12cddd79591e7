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
 * - Chunk sizes are hex (at most 12 digits); chunk extensions are skipped; trailers are read and dropped.
 * - 1xx responses other than 101 are skipped; 101 hands the raw head and the bytes after it over.
 * - Responses to HEAD, 204 and 304 have no body whatever their headers say.
 */

export interface ResponseSink {
  /** A final (non-1xx) response head; `headers` is the flat list without hop-by-hop headers. */
  onResponseHead(status: number, headers: string[]): void;
  /** A piece of the (de-chunked) body: a view of the socket's buffer, valid to keep. */
  onResponseBody(chunk: Buffer): void;
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

/** RFC 9110 tchar lookup. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** Bytes allowed in a header value or reason phrase: HTAB, SP..~ and obs-text (0x80-0xff). */
const VALUE = new Uint8Array(256);
VALUE[9] = 1;
for (let i = 32; i < 256; i++) if (i !== 127) VALUE[i] = 1;

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
        else this.#state = State.TrailerLine;
        return this.#countTrailer(pos);
      case State.TrailerLine:
        if (c === 13) this.#state = State.TrailerLineLf;
        else if (c === 10 || (c < 32 && c !== 9) || c === 127) return this.#fail('bad trailer');
        return this.#countTrailer(pos);
      case State.TrailerLineLf:
        if (c !== 10) return this.#fail('bad trailer');
        this.#state = State.TrailerLineStart;
        return this.#countTrailer(pos);
      case State.TrailerEndLf:
        if (c !== 10) return this.#fail('bad end of chunked body');
        this.#state = State.Done;
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
    const status = this.#parseHead(buf, end);
    if (status < 0) return -1;
    if (status === 101) {
      this.#state = State.Done;
      this.#sink.onResponseUpgrade(buf.subarray(0, bodyStart), buf.subarray(bodyStart));
      return -1;
    }
    // Position in `input` right after the head.
    const next = pos + bodyStart - prior;
    // A 1xx informational head left the state at Head: the next head follows.
    return next;
  }

  /** Parse the head `buf[0..end)` (without the final CRLFCRLF); returns the status or -1. */
  #parseHead(buf: Buffer, end: number): number {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    if (
      end < 12 ||
      buf[0] !== 72 || buf[1] !== 84 || buf[2] !== 84 || buf[3] !== 80 || buf[4] !== 47 || buf[5] !== 49 || buf[6] !== 46 ||
      buf[8] !== 32
    ) {
      return this.#fail('bad status line');
    }
    const minor = (buf[7] as number) - 48;
    const d0 = (buf[9] as number) - 48;
    const d1 = (buf[10] as number) - 48;
    const d2 = (buf[11] as number) - 48;
    if (minor < 0 || minor > 1 || d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
      return this.#fail('bad status line');
    }
    let i = 12;
    if (i < end && buf[i] !== 13) {
      if (buf[i] !== 32) return this.#fail('bad status line');
      i++;
      while (i < end && VALUE[buf[i] as number] === 1) i++;
    }
    if (i < end && (buf[i] !== 13 || buf[i + 1] !== 10)) return this.#fail('bad reason phrase');
    const status = d0 * 100 + d1 * 10 + d2;
    // 1xx heads are validated too (garbage is never relayed), but their headers are not kept.
    return this.#scanHeaders(buf, i + 2, end, status, minor, status < 200);
  }

  #scanHeaders(buf: Buffer, from: number, end: number, status: number, minor: number, discard: boolean): number {
    // One latin1 string for the head; names and values are slices of it (cheap).
    const head = buf.toString('latin1', 0, end);
    const headers: string[] = [];
    let contentLength = -1;
    let chunked = false;
    let hasTe = false;
    let connClose = false;
    let connKeepAlive = false;
    let connTokens: string[] | null = null;
    let pos = from;
    while (pos < end) {
      // Name: token characters up to ':' (no whitespace before the colon, no obs-fold).
      let i = pos;
      while (i < end && TOKEN[buf[i] as number] === 1) i++;
      if (i === pos || i === end || buf[i] !== 58) return this.#fail('bad header line');
      // Value: optional whitespace trimmed; HTAB, visible ASCII and obs-text only; CRLF ends it.
      let vs = i + 1;
      while (vs < end && (buf[vs] === 32 || buf[vs] === 9)) vs++;
      let eol = vs;
      while (eol < end && VALUE[buf[eol] as number] === 1) eol++;
      if (eol < end && (buf[eol] !== 13 || buf[eol + 1] !== 10)) return this.#fail('bad header value');
      let ve = eol;
      while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
      const name = head.slice(pos, i);
      const value = head.slice(vs, ve);
      pos = eol + 2;
      switch (hopByHop(name)) {
        case Hop.No:
          headers.push(name, value);
          continue;
        case Hop.ContentLength: {
          const cl = parseContentLength(value);
          if (cl < 0 || (contentLength >= 0 && cl !== contentLength)) return this.#fail('bad content-length');
          contentLength = cl;
          headers.push(name, value.length > 15 || value.includes(',') ? String(cl) : value);
          continue;
        }
        case Hop.TransferEncoding:
          hasTe = true;
          chunked = lastTokenIsChunked(value);
          continue;
        case Hop.Connection:
          if (value.length === 10 && eq(value, 'keep-alive')) {
            connKeepAlive = true;
            continue;
          }
          if (value.length === 5 && eq(value, 'close')) {
            connClose = true;
            continue;
          }
          for (const t of value.split(',')) {
            const tok = t.trim().toLowerCase();
            if (tok === 'close') connClose = true;
            else if (tok === 'keep-alive') connKeepAlive = true;
            else if (tok !== '' && tok !== 'upgrade') (connTokens ??= []).push(tok);
          }
          continue;
        case Hop.Drop:
          continue;
      }
    }
    if (discard) return status;
    if (connTokens !== null) removeNamed(headers, connTokens);
    this.keepAlive = !connClose && (minor === 1 || connKeepAlive);
    if (hasTe) {
      // TE + CL is a smuggling pattern: TE wins and the connection is not reused.
      if (contentLength >= 0) {
        this.keepAlive = false;
        removeNamed(headers, ['content-length']);
      }
      contentLength = -1;
    }
    const noBody = this.#noBody || status === 204 || status === 304;
    if (noBody) {
      this.#state = State.Done;
    } else if (hasTe && chunked) {
      this.#state = State.ChunkSize;
      this.#remaining = 0;
      this.#count = 0;
    } else if (!hasTe && contentLength >= 0) {
      this.#remaining = contentLength;
      this.#state = contentLength === 0 ? State.Done : State.BodyLength;
    } else {
      this.#state = State.BodyClose;
      this.keepAlive = false;
    }
    const state = this.#state;
    this.#sink.onResponseHead(status, headers);
    if (state === State.Done && this.#state === State.Done) this.#sink.onResponseComplete();
    return status;
  }
}

const enum Hop {
  No,
  Drop,
  Connection,
  ContentLength,
  TransferEncoding,
}

/** Classify a response header name (Go ReverseProxy's hop-by-hop list plus framing). */
function hopByHop(name: string): Hop {
  switch (name.length) {
    case 2:
      return eq(name, 'te') ? Hop.Drop : Hop.No;
    case 7:
      return eq(name, 'trailer') || eq(name, 'upgrade') ? Hop.Drop : Hop.No;
    case 10:
      if (eq(name, 'connection')) return Hop.Connection;
      return eq(name, 'keep-alive') ? Hop.Drop : Hop.No;
    case 14:
      return eq(name, 'content-length') ? Hop.ContentLength : Hop.No;
    case 16:
      return eq(name, 'proxy-connection') ? Hop.Drop : Hop.No;
    case 17:
      return eq(name, 'transfer-encoding') ? Hop.TransferEncoding : Hop.No;
    case 18:
      return eq(name, 'proxy-authenticate') ? Hop.Drop : Hop.No;
    case 19:
      return eq(name, 'proxy-authorization') ? Hop.Drop : Hop.No;
    default:
      return Hop.No;
  }
}

/** ASCII case-insensitive comparison against a lower-case literal of the same length. */
function eq(name: string, lower: string): boolean {
  if (name === lower) return true;
  for (let i = 0; i < lower.length; i++) {
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Digits only (a comma list of equal values allowed); -1 when invalid. */
export function parseContentLength(value: string): number {
  let result = -1;
  let cur = -1;
  for (let i = 0; i <= value.length; i++) {
    const c = i === value.length ? 44 : value.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      cur = (cur < 0 ? 0 : cur * 10) + (c - 48);
      if (cur > Number.MAX_SAFE_INTEGER) return -1;
    } else if (c === 44) {
      if (cur < 0 || (result >= 0 && result !== cur)) return -1;
      result = cur;
      cur = -1;
      while (i + 1 < value.length && (value.charCodeAt(i + 1) === 32 || value.charCodeAt(i + 1) === 9)) i++;
    } else {
      return -1;
    }
  }
  return result;
}

function lastTokenIsChunked(value: string): boolean {
  const comma = value.lastIndexOf(',');
  const last = (comma < 0 ? value : value.slice(comma + 1)).trim();
  return last.length === 7 && eq(last, 'chunked');
}

/** Remove every header whose lower-cased name is in `names`. */
function removeNamed(headers: string[], names: readonly string[]): void {
  for (let i = 0; i < headers.length; ) {
    if (names.includes((headers[i] as string).toLowerCase())) headers.splice(i, 2);
    else i += 2;
  }
}
