/**
 * Serialises the outgoing request head in one pass over the exchange's header list (the proxy's
 * hot path: one string, written to the socket in one go).
 *
 * What it does, as Go's ReverseProxy does for Traefik:
 * - request line: method, path (server path prefix joined only with preservePath) and raw query;
 * - Host: the client's host when passHostHeader, else the server URL's host[:port];
 * - hop-by-hop headers removed: Connection and every header it names, Keep-Alive,
 *   Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, TE (kept as `TE: trailers` when the
 *   client asked for trailers), Trailer, Transfer-Encoding, Upgrade (re-added when upgrading);
 * - X-Forwarded-For set to the prior values joined with ", " plus ", <peer IP>";
 * - framing: Content-Length passed through, otherwise a body is sent chunked.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import type { Exchange } from '../exchange/exchange.js';
import { equalsLower } from '../exchange/headers.js';
import { joinPath, type ServerTarget } from './server-target.js';

export const enum BodyMode {
  None,
  Length,
  Chunked,
}

const enum Kind {
  Normal,
  Drop,
  Host,
  Connection,
  Te,
  TransferEncoding,
  ContentLength,
  Xff,
  Upgrade,
}

export interface RequestHeadOptions {
  readonly passHostHeader: boolean;
  /** Append the peer IP to X-Forwarded-For (Traefik's default; false = notAppendXForwardedFor). */
  readonly appendXForwardedFor: boolean;
}

/** Result of the last `build` call besides the head text (one builder per forwarder; single-threaded). */
export class RequestHeadBuilder {
  readonly #opts: RequestHeadOptions;
  /** Body framing chosen by the last `build`. */
  bodyMode: BodyMode = BodyMode.None;

  constructor(opts: RequestHeadOptions) {
    this.#opts = opts;
  }

  build(ex: Exchange, target: ServerTarget): string {
    const raw = ex.headers.raw;
    const upgrading = ex.upgrade !== null;
    let connTokens: string[] | null = null;
    let xff: string | null = null;
    let contentLength: string | null = null;
    let chunkedIn = false;
    let teTrailers = false;
    let upgradeValue: string | null = null;
    let headers = '';

    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      const value = raw[i + 1] as string;
      switch (classify(name)) {
        case Kind.Normal:
          headers += name + ': ' + value + '\r\n';
          continue;
        case Kind.Upgrade:
          // Hop-by-hop; re-added below when this request is an upgrade.
          if (upgrading) upgradeValue ??= value;
          continue;
        case Kind.Connection:
          connTokens = connectionTokens(value, connTokens);
          continue;
        case Kind.Te:
          if (!teTrailers && hasToken(value, 'trailers')) teTrailers = true;
          continue;
        case Kind.TransferEncoding:
          chunkedIn = true;
          continue;
        case Kind.ContentLength:
          contentLength = value;
          continue;
        case Kind.Xff:
          xff = xff === null ? value : xff + ', ' + value;
          continue;
        case Kind.Host:
        case Kind.Drop:
          continue;
      }
    }
    if (connTokens !== null) headers = removeListed(raw, connTokens);

    let mode: BodyMode;
    if (ex.body === null) {
      mode = BodyMode.None;
      if (contentLength !== null) headers += 'Content-Length: ' + contentLength + '\r\n';
    } else if (contentLength !== null && !chunkedIn) {
      mode = BodyMode.Length;
      headers += 'Content-Length: ' + contentLength + '\r\n';
    } else {
      mode = BodyMode.Chunked;
      headers += 'Transfer-Encoding: chunked\r\n';
    }
    this.bodyMode = mode;

    if (teTrailers) headers += 'TE: trailers\r\n';
    if (upgrading) headers += 'Connection: Upgrade\r\nUpgrade: ' + (upgradeValue ?? ex.upgrade.protocol) + '\r\n';
    if (this.#opts.appendXForwardedFor) {
      headers += 'X-Forwarded-For: ' + (xff === null ? ex.peer.address : xff + ', ' + ex.peer.address) + '\r\n';
    } else if (xff !== null) {
      headers += 'X-Forwarded-For: ' + xff + '\r\n';
    }

    const host = this.#opts.passHostHeader && ex.host !== '' ? ex.host : target.hostHeader;
    const path = target.pathPrefix === null ? ex.path : joinPath(target.pathPrefix, ex.path);
    const requestTarget = ex.query === null ? path : path + '?' + ex.query;
    return ex.method + ' ' + requestTarget + ' HTTP/1.1\r\nHost: ' + host + '\r\n' + headers + '\r\n';
  }

  /**
   * The same request as an HTTP/2 header block for node:http2 (`session.request`): the same
   * hop-by-hop removal and X-Forwarded-For rule as `build`, names lower-cased (RFC 9113 §8.2),
   * repeated fields as arrays (Cookie joined with "; ", §8.2.3), `te: trailers` kept, Host moved
   * to `:authority`, Content-Length kept only for a body of known length (HTTP/2 frames the body
   * itself). `scheme` is the `:scheme` pseudo-header: 'http' for h2c, 'https' over TLS.
   */
  buildH2(ex: Exchange, target: ServerTarget, scheme: 'http' | 'https'): OutgoingHttpHeaders {
    const raw = ex.headers.raw;
    const host = this.#opts.passHostHeader && ex.host !== '' ? ex.host : target.hostHeader;
    const path = target.pathPrefix === null ? ex.path : joinPath(target.pathPrefix, ex.path);
    const out: OutgoingHttpHeaders = {
      ':method': ex.method,
      ':scheme': scheme,
      ':authority': host,
      ':path': ex.query === null ? path : path + '?' + ex.query,
    };
    let connTokens: string[] | null = null;
    let xff: string | null = null;
    let contentLength: string | null = null;
    let chunkedIn = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      const value = raw[i + 1] as string;
      switch (classify(name)) {
        case Kind.Normal:
          addH2(out, name.toLowerCase(), value);
          continue;
        case Kind.Connection:
          connTokens = connectionTokens(value, connTokens);
          continue;
        case Kind.Te:
          if (out.te === undefined && hasToken(value, 'trailers')) out.te = 'trailers';
          continue;
        case Kind.TransferEncoding:
          chunkedIn = true;
          continue;
        case Kind.ContentLength:
          contentLength = value;
          continue;
        case Kind.Xff:
          xff = xff === null ? value : xff + ', ' + value;
          continue;
        case Kind.Upgrade:
        case Kind.Host:
        case Kind.Drop:
          continue;
      }
    }
    if (connTokens !== null) {
      for (const tok of connTokens) if (tok.charCodeAt(0) !== 58 && classify(tok) === Kind.Normal) delete out[tok];
    }
    if (contentLength !== null && !chunkedIn) out['content-length'] = contentLength;
    if (this.#opts.appendXForwardedFor) out['x-forwarded-for'] = xff === null ? ex.peer.address : xff + ', ' + ex.peer.address;
    else if (xff !== null) out['x-forwarded-for'] = xff;
    return out;
  }
}

/** Add one field to an HTTP/2 header object: a second value makes an array; Cookie joins with "; ". */
function addH2(out: OutgoingHttpHeaders, name: string, value: string): void {
  const prev = out[name];
  if (prev === undefined) out[name] = value;
  else if (name === 'cookie') out[name] = `${String(prev)}; ${value}`;
  else if (Array.isArray(prev)) prev.push(value);
  else out[name] = [String(prev), value];
}

function classify(name: string): Kind {
  switch (name.length) {
    case 2:
      return equalsLower(name, 'te') ? Kind.Te : Kind.Normal;
    case 4:
      return equalsLower(name, 'host') ? Kind.Host : Kind.Normal;
    case 7:
      if (equalsLower(name, 'trailer')) return Kind.Drop;
      return equalsLower(name, 'upgrade') ? Kind.Upgrade : Kind.Normal;
    case 10:
      if (equalsLower(name, 'connection')) return Kind.Connection;
      return equalsLower(name, 'keep-alive') ? Kind.Drop : Kind.Normal;
    case 14:
      return equalsLower(name, 'content-length') ? Kind.ContentLength : Kind.Normal;
    case 15:
      return equalsLower(name, 'x-forwarded-for') ? Kind.Xff : Kind.Normal;
    case 16:
      return equalsLower(name, 'proxy-connection') ? Kind.Drop : Kind.Normal;
    case 17:
      return equalsLower(name, 'transfer-encoding') ? Kind.TransferEncoding : Kind.Normal;
    case 18:
      return equalsLower(name, 'proxy-authenticate') ? Kind.Drop : Kind.Normal;
    case 19:
      return equalsLower(name, 'proxy-authorization') ? Kind.Drop : Kind.Normal;
    default:
      return Kind.Normal;
  }
}


/** Tokens of a Connection header worth removing (close / keep-alive / upgrade name no header we send). */
function connectionTokens(value: string, into: string[] | null): string[] | null {
  if ((value.length === 10 && equalsLower(value, 'keep-alive')) || (value.length === 5 && equalsLower(value, 'close'))) {
    return into;
  }
  for (const part of value.split(',')) {
    const tok = part.trim().toLowerCase();
    if (tok === '' || tok === 'close' || tok === 'keep-alive' || tok === 'upgrade') continue;
    (into ??= []).push(tok);
  }
  return into;
}

function hasToken(value: string, token: string): boolean {
  for (const part of value.split(',')) {
    const t = part.trim();
    const semi = t.indexOf(';');
    if ((semi < 0 ? t : t.slice(0, semi).trim()).toLowerCase() === token) return true;
  }
  return false;
}

/** Rare path: rebuild the header text without the headers the client's Connection header named. */
function removeListed(raw: readonly string[], tokens: readonly string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (classify(name) !== Kind.Normal || tokens.includes(name.toLowerCase())) continue;
    out += name + ': ' + (raw[i + 1] as string) + '\r\n';
  }
  return out;
}
