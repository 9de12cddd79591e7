/**
 * What redirectScheme and redirectRegex answer, as Traefik's redirect handler: `Location`, the
 * status by method (GET: 302, or 301 when permanent; any other method, HEAD included: 307, or 308
 * when permanent, so the client replays it unchanged) and the status text as body. Traefik v3 turns
 * off Go's Content-Type sniffing, so the answer has no Content-Type.
 */
import type { Exchange } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { decodePath, escapePath, isValidEncoded, utf8Bytes } from './url-path.js';

const BODIES: Readonly<Record<number, Buffer>> = {
  301: Buffer.from('Moved Permanently'),
  302: Buffer.from('Found'),
  307: Buffer.from('Temporary Redirect'),
  308: Buffer.from('Permanent Redirect'),
};
const LENGTHS: Readonly<Record<number, string>> = { 301: '17', 302: '5', 307: '18', 308: '18' };

export function redirectStatus(method: string, permanent: boolean): 301 | 302 | 307 | 308 {
  const get = method === 'GET';
  return permanent ? (get ? 301 : 308) : get ? 302 : 307;
}

/** Answers the exchange with a redirect to `location` (already a valid header value). */
export function sendRedirect(ex: Exchange, location: string, permanent: boolean): void {
  const status = redirectStatus(ex.method, permanent);
  ex.response.writeHead(status, new HeaderList(['Location', location, 'Content-Length', LENGTHS[status] ?? '0']));
  ex.response.end(BODIES[status]);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
 
const NEEDS_ENCODING = /[^\x21-\x7e]/;

/**
 * A rewritten URL as Traefik puts it in `Location`: Go's url.Parse then URL.String(). Returns null
 * when url.Parse refuses it (a control character, a leading ':', a bad %-escape in the path or
 * fragment): Traefik then answers 502. Otherwise the scheme is lower-cased and a path Go would
 * escape (spaces, non-ASCII) is escaped; non-ASCII elsewhere goes out as UTF-8 bytes.
 * A URL that needs none of this (the usual case) is returned as is.
 */
export function goLocation(url: string): string | null {
  if (CONTROL.test(url)) return null;
  if (url.charCodeAt(0) === 58 /* : */) return null;
  const bytes = utf8Bytes(url);
  // Scheme: letters first, then letters/digits/+-. up to ':'; anything else first = no scheme.
  let i = 0;
  let scheme = '';
  while (i < bytes.length) {
    const ch = bytes.charAt(i);
    if (ch === ':') {
      if (i > 0 && /[A-Za-z]/.test(bytes.charAt(0))) scheme = bytes.slice(0, i);
      break;
    }
    if (!SCHEME_CHAR.test(ch)) break;
    i++;
  }
  const rest = scheme === '' ? bytes : bytes.slice(scheme.length + 1);
  const hash = rest.indexOf('#');
  const beforeHash = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = hash < 0 ? null : rest.slice(hash + 1);
  if (fragment !== null && decodePath(fragment) === null) return null;
  // An opaque URL (`mailto:x`) or a query is kept as written.
  if (scheme !== '' && !beforeHash.startsWith('/')) return url;
  const q = beforeHash.indexOf('?');
  let hierarchy = q < 0 ? beforeHash : beforeHash.slice(0, q);
  const query = q < 0 ? null : beforeHash.slice(q + 1);
  let authority: string | null = null;
  if (hierarchy.startsWith('//')) {
    const slash = hierarchy.indexOf('/', 2);
    authority = slash < 0 ? hierarchy.slice(2) : hierarchy.slice(2, slash);
    hierarchy = slash < 0 ? '' : hierarchy.slice(slash);
  }
  const decoded = decodePath(hierarchy);
  if (decoded === null) return null;
  const lowerScheme = scheme.toLowerCase();
  if (lowerScheme === scheme && bytes === url && !NEEDS_ENCODING.test(url) && isValidEncoded(hierarchy)) return url;
  const path = isValidEncoded(hierarchy) ? hierarchy : escapePath(decoded);
  return (
    (scheme === '' ? '' : lowerScheme + ':') +
    (authority === null ? '' : '//' + authority) +
    path +
    (query === null ? '' : '?' + query) +
    (fragment === null ? '' : '#' + fragment)
  );
}
