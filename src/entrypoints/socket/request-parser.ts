/**
 * A strict HTTP/1.1 request-head parser and chunked-body decoder for the raw-socket front end.
 *
 * Strict means: the method is an RFC 9110 token (any token, as Go accepts), the target holds no
 * space or control byte, the version is `HTTP/d.d`, header names are tokens followed directly by
 * `:`, header values hold no control byte but HTAB, every line ends in CRLF (a bare LF is refused:
 * it is a request-smuggling vector), obsolete line folding is refused, Content-Length is digits
 * only and appears once, and Content-Length next to Transfer-Encoding is refused.
 *
 * The head is found on the raw bytes (`scanHead`), then decoded once as latin1 (as node does for
 * `rawHeaders`) and split with `charCodeAt` scans: no regular expressions.
 */
import { equalsLower } from '../../exchange/headers.js';

/** RFC 9110 §5.6.2 token characters. */
const TCHAR = new Uint8Array(256);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[ch.charCodeAt(0)] = 1;
}
/** Field-value bytes: HTAB, SP, VCHAR and obs-text. */
const VALUE_OK = new Uint8Array(256);
/** Request-target bytes: VCHAR only (no space, no control, no 8-bit byte: llhttp refuses those too). */
const TARGET_OK = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c === 9 || (c >= 32 && c !== 127)) VALUE_OK[c] = 1;
  if (c > 32 && c < 127) TARGET_OK[c] = 1;
}

/** Result of `scanHead`: the head is not complete yet. */
export const HEAD_INCOMPLETE = -1;
/** Result of `scanHead`: a bare LF (not preceded by CR) was found. */
export const HEAD_BARE_LF = -2;

/**
 * Look for the end of a request head in `buf[start, end)`, resuming at `from` (a previous
 * call's scan position, or `start`). Returns the index just past the terminating CRLFCRLF, or
 * HEAD_INCOMPLETE / HEAD_BARE_LF. `start` must point past any leading empty lines.
 */
export function scanHead(buf: Buffer, start: number, from: number, end: number): number {
  let pos = from;
  for (;;) {
    const lf = buf.indexOf(10, pos);
    if (lf < 0 || lf >= end) return HEAD_INCOMPLETE;
    if (lf === start || buf[lf - 1] !== 13) return HEAD_BARE_LF;
    // An empty line (CRLF right after the previous LF) ends the head.
    if (lf - 2 > start && buf[lf - 2] === 10) return lf + 1;
    pos = lf + 1;
  }
}

/** Position where the scan may resume next time (past the last complete line). */
export function resumePoint(buf: Buffer, from: number, end: number): number {
  const lf = buf.lastIndexOf(10, end - 1);
  return lf >= from ? lf + 1 : from;
}

/** A parsed and framing-checked request head. */
export interface ParsedHead {
  readonly method: string;
  readonly target: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: number;
  /** Header pairs as received, `[name, value, ...]` (values trimmed of OWS). */
  readonly raw: string[];
  /** Declared Content-Length, -1 when none. */
  readonly contentLength: number;
  /** Exactly one Transfer-Encoding field with value `chunked`. */
  readonly chunked: boolean;
  /** Some Transfer-Encoding field is present (supported or not). */
  readonly hasTransferEncoding: boolean;
  readonly keepAlive: boolean;
  /** `Connection: upgrade` with an `Upgrade` field. */
  readonly upgrade: boolean;
  /** `Expect: 100-continue` on HTTP/1.1. */
  readonly expectContinue: boolean;
  /** An Expect field other than 100-continue (answered 417). */
  readonly unknownExpectation: boolean;
}

/** True when the comma-separated `list` holds `token` (lower case), case-insensitively. */
export function hasToken(list: string, token: string): boolean {
  let i = 0;
  const n = list.length;
  while (i < n) {
    let j = list.indexOf(',', i);
    if (j < 0) j = n;
    let s = i;
    let e = j;
    while (s < e && (list.charCodeAt(s) === 32 || list.charCodeAt(s) === 9)) s++;
    while (e > s && (list.charCodeAt(e - 1) === 32 || list.charCodeAt(e - 1) === 9)) e--;
    if (e - s === token.length && equalsLower(list.slice(s, e), token)) return true;
    i = j + 1;
  }
  return false;
}

function parseContentLength(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Parse the head `text` (latin1, the terminating CRLFCRLF included). Returns the head, or the
 * status to refuse it with: 400 malformed, 431 too many fields, 505 unsupported version.
 */
export function parseHead(text: string, maxHeadersCount: number): ParsedHead | number {
  const n = text.length - 2; // the final empty line's CRLF
  // Request line: method SP target SP HTTP/d.d CRLF
  let i = 0;
  while (i < n && TCHAR[text.charCodeAt(i)] === 1) i++;
  if (i === 0 || text.charCodeAt(i) !== 32) return 400;
  const method = text.slice(0, i);
  const ts = ++i;
  while (i < n && TARGET_OK[text.charCodeAt(i)] === 1) i++;
  if (i === ts || text.charCodeAt(i) !== 32) return 400;
  const target = text.slice(ts, i);
  i++;
  if (
    text.charCodeAt(i) !== 72 || // H
    text.charCodeAt(i + 1) !== 84 ||
    text.charCodeAt(i + 2) !== 84 ||
    text.charCodeAt(i + 3) !== 80 ||
    text.charCodeAt(i + 4) !== 47 || // /
    text.charCodeAt(i + 6) !== 46 || // .
    text.charCodeAt(i + 8) !== 13
  ) {
    return 400;
  }
  const major = text.charCodeAt(i + 5) - 48;
  const minor = text.charCodeAt(i + 7) - 48;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return 400;
  if (major !== 1) return major === 0 ? 400 : 505;
  if (minor > 1) return 400;
  i += 10; // past CRLF

  const raw: string[] = [];
  let contentLength = -1;
  let clCount = 0;
  let teCount = 0;
  let chunked = false;
  let close = false;
  let keepAliveToken = false;
  let upgradeToken = false;
  let upgradeField = false;
  let expectContinue = false;
  let unknownExpectation = false;
  while (i < n) {
    const ns = i;
    while (i < n && TCHAR[text.charCodeAt(i)] === 1) i++;
    if (i === ns || text.charCodeAt(i) !== 58) return 400; // empty name, bad char, space before ':', folding
    const name = text.slice(ns, i);
    i++;
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    const vs = i;
    let c = text.charCodeAt(i);
    while (VALUE_OK[c] === 1) c = text.charCodeAt(++i);
    if (c !== 13 || text.charCodeAt(i + 1) !== 10) return 400; // control byte in the value
    let ve = i;
    while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
    const value = text.slice(vs, ve);
    i += 2;
    if (raw.length >= maxHeadersCount * 2) return 431;
    raw.push(name, value);
    // Framing and connection fields (first letter filters most names cheaply).
    const f = name.charCodeAt(0) | 0x20;
    if (f === 99) {
      if (equalsLower(name, 'content-length')) {
        clCount++;
        contentLength = parseContentLength(value);
        if (contentLength < 0) return 400;
      } else if (equalsLower(name, 'connection')) {
        if (hasToken(value, 'close')) close = true;
        if (hasToken(value, 'keep-alive')) keepAliveToken = true;
        if (hasToken(value, 'upgrade')) upgradeToken = true;
      }
    } else if (f === 116) {
      if (equalsLower(name, 'transfer-encoding')) {
        teCount++;
        chunked = teCount === 1 && equalsLower(value, 'chunked');
      }
    } else if (f === 117) {
      if (equalsLower(name, 'upgrade')) upgradeField = true;
    } else if (f === 101) {
      if (equalsLower(name, 'expect')) {
        if (minor === 1 && equalsLower(value, '100-continue')) expectContinue = true;
        else unknownExpectation = true;
      }
    }
  }
  if (clCount > 1) return 400;
  if (teCount > 0 && clCount > 0) return 400;
  if (teCount > 1) chunked = false;
  return {
    method,
    target,
    minor,
    raw,
    contentLength,
    chunked,
    hasTransferEncoding: teCount > 0,
    keepAlive: !close && (minor === 1 || keepAliveToken),
    upgrade: upgradeField && upgradeToken,
    expectContinue,
    unknownExpectation,
  };
}
