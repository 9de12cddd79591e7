/**
 * Response head parsing for the upstream client: status line and header block, validated strictly
 * on the raw bytes (see response-parser.ts for the rules), with hop-by-hop headers filtered out in
 * the same pass and the body framing decided (RFC 9112 §6.3).
 */
import { equalsLower } from '../exchange/headers.js';

export const enum Framing {
  /** No body: HEAD request, 204, 304. */
  None,
  Length,
  Chunked,
  /** No length and not chunked: the body ends when the server closes the connection. */
  UntilClose,
}

/** RFC 9110 tchar lookup. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** Bytes allowed in a header value or reason phrase: HTAB, SP..~ and obs-text (0x80-0xff). */
const VALUE = new Uint8Array(256);
VALUE[9] = 1;
for (let i = 32; i < 256; i++) if (i !== 127) VALUE[i] = 1;

const EMPTY: string[] = [];

/** The last parsed head; one instance per parser, overwritten by each `parse`. */
export class ResponseHead {
  status = 0;
  /** Headers to forward: hop-by-hop ones (and those named by Connection) removed. */
  headers: string[] = EMPTY;
  /** May the connection carry another exchange after this response? */
  keepAlive = false;
  framing = Framing.None;
  /** Body length when `framing` is Length. */
  contentLength = 0;
  /** Why `parse` returned false. */
  error = '';

  /**
   * Parse `buf[0..end)` (the head without its final CRLFCRLF). `noBody`: the request was HEAD.
   * Returns false, with `error` set, when the head is malformed.
   */
  parse(buf: Buffer, end: number, noBody: boolean): boolean {
    this.error = '';
    this.headers = EMPTY;
    this.contentLength = 0;
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
    this.status = status;
    // 1xx heads are validated too (garbage is never relayed), but their headers are not kept.
    return this.#scanHeaders(buf, i + 2, end, status, minor, noBody);
  }

  #scanHeaders(buf: Buffer, from: number, end: number, status: number, minor: number, noBody: boolean): boolean {
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
          if (value.length === 10 && equalsLower(value, 'keep-alive')) {
            connKeepAlive = true;
            continue;
          }
          if (value.length === 5 && equalsLower(value, 'close')) {
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
    if (status < 200) {
      this.headers = headers;
      return true;
    }
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
    this.headers = headers;
    if (noBody || status === 204 || status === 304) {
      this.framing = Framing.None;
    } else if (hasTe && chunked) {
      this.framing = Framing.Chunked;
    } else if (!hasTe && contentLength >= 0) {
      this.framing = Framing.Length;
      this.contentLength = contentLength;
    } else {
      this.framing = Framing.UntilClose;
      this.keepAlive = false;
    }
    return true;
  }

  #fail(reason: string): false {
    this.error = reason;
    return false;
  }
}

const enum Hop {
  No,
  Drop,
  Connection,
  ContentLength,
  TransferEncoding,
}

/** Hop-by-hop or framing field (dropped from forwarded heads and trailers). */
export function isHopByHop(name: string): boolean {
  return hopByHop(name) !== Hop.No || (name.length === 4 && equalsLower(name, 'host'));
}

/** Classify a response header name (Go ReverseProxy's hop-by-hop list plus framing). */
function hopByHop(name: string): Hop {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te') ? Hop.Drop : Hop.No;
    case 7:
      return equalsLower(name, 'trailer') || equalsLower(name, 'upgrade') ? Hop.Drop : Hop.No;
    case 10:
      if (equalsLower(name, 'connection')) return Hop.Connection;
      return equalsLower(name, 'keep-alive') ? Hop.Drop : Hop.No;
    case 14:
      return equalsLower(name, 'content-length') ? Hop.ContentLength : Hop.No;
    case 16:
      return equalsLower(name, 'proxy-connection') ? Hop.Drop : Hop.No;
    case 17:
      return equalsLower(name, 'transfer-encoding') ? Hop.TransferEncoding : Hop.No;
    case 18:
      return equalsLower(name, 'proxy-authenticate') ? Hop.Drop : Hop.No;
    case 19:
      return equalsLower(name, 'proxy-authorization') ? Hop.Drop : Hop.No;
    default:
      return Hop.No;
  }
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
  return last.length === 7 && equalsLower(last, 'chunked');
}

/** Remove every header whose lower-cased name is in `names`. */
function removeNamed(headers: string[], names: readonly string[]): void {
  for (let i = 0; i < headers.length; ) {
    if (names.includes((headers[i] as string).toLowerCase())) headers.splice(i, 2);
    else i += 2;
  }
}
