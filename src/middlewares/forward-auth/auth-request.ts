/**
 * The headers of the request forwardAuth sends to the authentication server, as Traefik v3 builds
 * them:
 * 1. the client's headers, minus Host, Content-Length (framing is the client's own business) and
 *    hop-by-hop headers (Connection and what it names, Keep-Alive, TE, Trailer(s),
 *    Transfer-Encoding, Upgrade); Proxy-Authorization is kept (RFC 7235 §4.4);
 * 2. with `trustForwardHeader: false`, every X-Forwarded-* header (and X-Real-Ip) is removed;
 * 3. with `authRequestHeaders`, only the listed headers stay (plus the X-Forwarded ones when trusted);
 * 4. X-Forwarded-For, -Method, -Proto, -Port, -Host and -Uri describe the client's request:
 *    - trustForwardHeader unset (Traefik's legacy mode): For = client IP, Method, Proto (from the
 *      connection's TLS), Host and Uri overwritten; -Port as the entry point set it;
 *    - set (true or false): For = earlier values + client IP; the others only when absent.
 */
import type { Exchange } from '../../exchange/exchange.js';
import { HeaderList, equalsLower } from '../../exchange/headers.js';
import { hostPort } from '../../entrypoints/forwarded-headers.js';

/** Request headers never copied to the auth request (lower case). */
const NOT_COPIED = ['host', 'content-length', 'connection', 'keep-alive', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade'];

/** The X headers Traefik's forwarded-headers handling owns (what `trustForwardHeader: false` removes). */
export const X_FORWARDED_HEADERS = [
  'X-Forwarded-Proto',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Port',
  'X-Forwarded-Server',
  'X-Forwarded-Uri',
  'X-Forwarded-Method',
  'X-Forwarded-Prefix',
  'X-Forwarded-Tls-Client-Cert',
  'X-Forwarded-Tls-Client-Cert-Info',
  'X-Real-Ip',
];

export interface AuthRequestHeaderOptions {
  /** undefined = legacy mode (option unset). */
  readonly trustForwardHeader: boolean | undefined;
  /** Lower-cased names allowed through, X headers included when trusted; empty = all. */
  readonly allowed: readonly string[];
  /** The same names as the user wrote them (for the outgoing spelling), aligned with `allowed`. */
  readonly allowedNames: readonly string[];
}

/** Allowed-header list for the options (the X headers join a non-empty list when trusted). */
export function allowedHeaders(authRequestHeaders: readonly string[], trust: boolean | undefined): { allowed: string[]; allowedNames: string[] } {
  const names = authRequestHeaders.length > 0 && trust === true ? [...authRequestHeaders, ...X_FORWARDED_HEADERS] : [...authRequestHeaders];
  const allowed: string[] = [];
  const allowedNames: string[] = [];
  for (const n of names) {
    const lower = n.toLowerCase();
    if (allowed.includes(lower)) continue;
    allowed.push(lower);
    allowedNames.push(canonicalHeaderKey(n));
  }
  return { allowed, allowedNames };
}

/**
 * Go's CanonicalMIMEHeaderKey: `x-auth-user` -> `X-Auth-User`; a name with a character that is not
 * a token character is returned unchanged.
 */
export function canonicalHeaderKey(name: string): string {
  let out = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isTokenChar(c)) return name;
    let ch = name[i] as string;
    if (upper && c >= 97 && c <= 122) ch = String.fromCharCode(c - 32);
    else if (!upper && c >= 65 && c <= 90) ch = String.fromCharCode(c + 32);
    out += ch;
    upper = c === 45; /* - */
  }
  return out;
}

function isTokenChar(c: number): boolean {
  if (c >= 48 && c <= 57) return true;
  if ((c | 0x20) >= 97 && (c | 0x20) <= 122) return true;
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

function connectionTokens(headers: HeaderList): string[] {
  const out: string[] = [];
  for (const value of headers.getAll('connection')) {
    for (const part of value.split(',')) {
      const t = part.trim().toLowerCase();
      if (t !== '') out.push(t);
    }
  }
  return out;
}

function inList(name: string, lowerList: readonly string[]): boolean {
  for (const l of lowerList) if (equalsLower(name, l)) return true;
  return false;
}

/** The request target as Go's RequestURI gives it: path, plus `?query` when there is one. */
export function requestUri(ex: Pick<Exchange, 'path' | 'query'>): string {
  return ex.query === null ? ex.path : ex.path + '?' + ex.query;
}

export function buildAuthRequestHeaders(ex: Pick<Exchange, 'headers' | 'method' | 'path' | 'query' | 'host' | 'tls' | 'peer'>, opts: AuthRequestHeaderOptions): HeaderList {
  const src = ex.headers.raw;
  const named = connectionTokens(ex.headers);
  let h = new HeaderList();
  for (let i = 0; i < src.length; i += 2) {
    const name = src[i] as string;
    if (inList(name, NOT_COPIED) || (named.length > 0 && inList(name, named))) continue;
    h.add(name, src[i + 1] as string);
  }
  const trust = opts.trustForwardHeader;
  if (trust === false) for (const x of X_FORWARDED_HEADERS) h.delete(x);
  if (opts.allowed.length > 0) {
    const filtered = new HeaderList();
    opts.allowed.forEach((lower, i) => {
      for (const v of h.getAll(lower)) filtered.add(opts.allowedNames[i] as string, v);
    });
    h = filtered;
  }

  const clientIp = ex.peer.address;
  const proto = ex.tls !== null ? 'https' : 'http';
  const uri = requestUri(ex);
  if (trust === undefined) {
    if (clientIp !== '') h.set('X-Forwarded-For', clientIp);
    h.set('X-Forwarded-Proto', proto);
    h.set('X-Forwarded-Method', ex.method);
    h.set('X-Forwarded-Host', ex.host);
    h.set('X-Forwarded-Uri', uri);
    return h;
  }
  if (clientIp !== '') {
    const prior = h.getAll('x-forwarded-for');
    h.set('X-Forwarded-For', prior.length > 0 ? prior.join(', ') + ', ' + clientIp : clientIp);
  }
  if (!h.has('x-forwarded-method')) h.add('X-Forwarded-Method', ex.method);
  if (!h.has('x-forwarded-proto')) h.add('X-Forwarded-Proto', proto);
  if (!h.has('x-forwarded-port')) h.add('X-Forwarded-Port', forwardedPort(ex, h));
  if (!h.has('x-forwarded-host')) h.add('X-Forwarded-Host', ex.host);
  if (!h.has('x-forwarded-uri')) h.add('X-Forwarded-Uri', uri);
  return h;
}

/** Port of the request's Host, else 443 for https/wss or TLS, else 80. */
function forwardedPort(ex: Pick<Exchange, 'host' | 'tls'>, h: HeaderList): string {
  const port = hostPort(ex.host);
  if (port !== '') return port;
  const xfp = h.get('x-forwarded-proto');
  if (xfp === 'https' || xfp === 'wss' || ex.tls !== null) return '443';
  return '80';
}
