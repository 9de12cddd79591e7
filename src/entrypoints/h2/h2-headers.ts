/**
 * Header conversions between HTTP/2 header blocks (node:http2) and the data path's HeaderList.
 *
 * Requests: pseudo-headers are taken out (RFC 9113 §8.3.1) and the `cookie` fields, which HTTP/2
 * clients may split into one field per cookie, are joined back with '; ' (§8.2.3), so middlewares
 * and HTTP/1.1 upstreams see one Cookie header.
 *
 * Responses: HTTP/2 forbids connection-specific fields (§8.2.2), so the hop-by-hop ones are dropped
 * (node:http2 would throw on them); names are lower-cased; repeated fields become one entry with
 * several values, except those node:http2 (and HTTP) allow only once, where the first wins.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { equalsLower, HeaderList } from '../../exchange/headers.js';
import { ProxyError } from '../../errors/codes.js';
import { validTrailer } from '../trailers.js';

/** A request head as read off an HTTP/2 HEADERS block. */
export interface H2RequestHead {
  readonly method: string;
  /** `:path`, or '' when absent (CONNECT). */
  readonly path: string;
  /** `:authority`, else undefined. */
  readonly authority: string | undefined;
  /** First `host` field, else undefined. */
  readonly host: string | undefined;
  /** Number of `host` fields. */
  readonly hostCount: number;
  readonly headers: HeaderList;
  /** Header list size as SETTINGS_MAX_HEADER_LIST_SIZE counts it: name + value + 32 per field. */
  readonly size: number;
}

/** Split node's flat raw header array (`[name, value, ...]`, lower-case names) into a request head. */
export function readRequestHead(raw: readonly string[]): H2RequestHead {
  let method = '';
  let path = '';
  let authority: string | undefined;
  let host: string | undefined;
  let hostCount = 0;
  let cookie: string | null = null;
  let cookieAt = -1;
  let size = 0;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    size += name.length + value.length + 32;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      continue;
    }
    if (name.length === 6 && equalsLower(name, 'cookie')) {
      if (cookie === null) {
        cookie = value;
        cookieAt = out.length;
        out.push(name, value);
      } else {
        cookie += '; ' + value;
      }
      continue;
    }
    if (name.length === 4 && equalsLower(name, 'host')) {
      hostCount++;
      host ??= value;
    }
    out.push(name, value);
  }
  if (cookie !== null) out[cookieAt + 1] = cookie;
  return { method, path, authority, host, hostCount, headers: new HeaderList(out), size };
}

/** Fields HTTP/2 does not carry (RFC 9113 §8.2.2); `te` is meaningless on a response. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'http2-settings']);

/** Fields node:http2 refuses more than one value for (its kSingleValueHeaders, Node 20). */
const SINGLE_VALUE = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age', 'authorization',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range',
  'content-type', 'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range',
  'referer', 'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

/** token characters (RFC 9110 §5.6.2), lower case only (upper case is lowered first). */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[ch.charCodeAt(0)] = 1;

function validName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** No CR, LF, NUL or other controls but HTAB, no code point above 0xFF. */
function validValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}

/**
 * Copy `raw` into `into` (a null-prototype header object): connection-specific and pseudo fields
 * skipped, names lower-cased. Throws TPK_ERR_INTERNAL on a field that is not valid HTTP.
 */
function addFields(into: OutgoingHttpHeaders, raw: readonly string[]): void {
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name.charCodeAt(0) === 58 || CONNECTION_SPECIFIC.has(name)) continue;
    if (!validName(name) || !validValue(value)) {
      throw new ProxyError('TPK_ERR_INTERNAL', `invalid response header ${JSON.stringify(raw[i])}`);
    }
    const prev = into[name];
    if (prev === undefined) {
      into[name] = value;
    } else if (SINGLE_VALUE.has(name)) {
      continue;
    } else if (Array.isArray(prev)) {
      prev.push(value);
    } else {
      into[name] = [String(prev), value];
    }
  }
}

/** The HEADERS block of a response: `:status` and the fields of `raw` HTTP/2 may carry. */
export function responseHeaderBlock(status: number, raw: readonly string[]): OutgoingHttpHeaders {
  const out = Object.create(null) as OutgoingHttpHeaders;
  out[':status'] = status;
  addFields(out, raw);
  return out;
}

/** Trailer fields for an HTTP/2 trailing HEADERS block, or null when none is left. */
export function trailerBlock(trailers: HeaderList | undefined): OutgoingHttpHeaders | null {
  if (trailers === undefined || trailers.raw.length === 0) return null;
  const raw = trailers.raw;
  const out = Object.create(null) as OutgoingHttpHeaders;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const value = raw[i + 1] as string;
    // The response is under way: a field that may not be a trailer is dropped, not an error.
    if (!validTrailer(raw[i] as string, value)) continue;
    const name = (raw[i] as string).toLowerCase();
    const prev = out[name];
    if (prev === undefined) {
      out[name] = value;
      n++;
    } else if (SINGLE_VALUE.has(name)) {
      continue;
    } else if (Array.isArray(prev)) {
      prev.push(value);
    } else {
      out[name] = [String(prev), value];
    }
  }
  return n > 0 ? out : null;
}

/** Add trailer fields into a response head (a trailers-only response, RFC 9113 §8.1). */
export function mergeTrailers(head: OutgoingHttpHeaders, trailers: OutgoingHttpHeaders): void {
  for (const name of Object.keys(trailers)) {
    if (head[name] === undefined) head[name] = trailers[name];
  }
}
