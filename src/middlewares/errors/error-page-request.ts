/**
 * The request the errors middleware sends to its error service, built as Traefik builds it: GET
 * of `query` (with `{status}`, `{originalStatus}` and `{url}` filled in) on the original Host,
 * carrying the original request's headers (all of them, or those `errorRequestHeaders` lists) but
 * no body.
 */
import type { Exchange, PeerInfo, ResponseWriter, TlsInfo, UpgradeInfo } from '../../exchange/exchange.js';
import { equalsLower, HeaderList } from '../../exchange/headers.js';

/** Headers about the original message's body or connection, which the bodiless GET must not carry. */
const NOT_COPIED = ['content-length', 'transfer-encoding', 'expect', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection'];

const UNRESERVED = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[ch.charCodeAt(0)] = 1;
const HEX = '0123456789ABCDEF';

/** Go's url.QueryEscape: unreserved bytes kept, space as `+`, every other byte as %XX. */
export function queryEscape(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    if (b < 128 && UNRESERVED[b] === 1) out += String.fromCharCode(b);
    else if (b === 32) out += '+';
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** Non-ASCII characters as UTF-8 percent-escapes (Go's URL.RequestURI escapes them too). */
function escapeNonAscii(text: string): string {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 128) i++;
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (const ch of text.slice(i)) {
    if (ch.charCodeAt(0) < 128) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/**
 * The error page's request target: `/` + query without its leading slashes' first one, placeholders
 * replaced, fragment dropped. `url` is the original request target (path and query).
 */
export function errorPageTarget(query: string, status: number, originalStatus: number, url: string): { path: string; query: string | null } {
  let target = '/' + (query.startsWith('/') ? query.slice(1) : query);
  target = target
    .replaceAll('{status}', String(status))
    .replaceAll('{originalStatus}', String(originalStatus))
    .replaceAll('{url}', queryEscape(url));
  target = escapeNonAscii(target);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: null } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** Copy of `from` for the error page request: the listed headers only when `only` is not empty. */
export function errorPageHeaders(from: HeaderList, only: readonly string[]): HeaderList {
  const out: string[] = [];
  const listed = only.map((h) => h.toLowerCase());
  from.forEach((name, value) => {
    for (const skip of NOT_COPIED) if (equalsLower(name, skip)) return;
    if (listed.length > 0 && !listed.some((h) => equalsLower(name, h))) return;
    out.push(name, value);
  });
  return new HeaderList(out);
}

/** The error page exchange: the original's connection facts, a new target and headers, no body. */
export class ErrorPageExchange implements Exchange {
  method = 'GET';
  path: string;
  query: string | null;
  readonly routingPath: string;
  host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: HeaderList;
  readonly body = null;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly entryPoint: string;
  readonly upgrade: UpgradeInfo | null = null;
  response: ResponseWriter;
  routerName: string | undefined;
  /** The error page request is not observed on its own: it is part of the original's. */
  readonly record = null;
  readonly startedAt: number;

  constructor(original: Exchange, target: { path: string; query: string | null }, headers: HeaderList, response: ResponseWriter) {
    this.path = target.path;
    this.query = target.query;
    this.routingPath = target.path;
    this.host = original.host;
    this.httpVersion = original.httpVersion;
    this.headers = headers;
    this.peer = original.peer;
    this.tls = original.tls;
    this.entryPoint = original.entryPoint;
    this.response = response;
    this.routerName = original.routerName;
    this.startedAt = performance.now();
  }
}
