/**
 * The redirect used by entry-point redirections (`http.redirections.entryPoint`): sends the client
 * to the same host and path on another scheme/port. The user-facing redirectScheme middleware,
 * with all its options, comes with the middleware issue and will share this code.
 */
import type { Exchange, Handler } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';

export interface RedirectSchemeOptions {
  readonly scheme: string;
  /** '' = keep no explicit port. */
  readonly port: string;
  readonly permanent: boolean;
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

const REDIRECT_TEXT: Record<number, string> = {
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
};

export function createRedirectSchemeHandler(options: RedirectSchemeOptions): Handler {
  const scheme = options.scheme.toLowerCase();
  const omitPort = options.port === '' || (scheme === 'https' && options.port === '443') || (scheme === 'http' && options.port === '80');
  const portPart = omitPort ? '' : ':' + options.port;
  return function redirectSchemeHandler(ex: Exchange) {
    const target = `${scheme}://${hostWithoutPort(ex.host)}${portPart}${ex.path}${ex.query === null ? '' : '?' + ex.query}`;
    // As Traefik: GET gets 301/302, every other method (HEAD included) 307/308 so it is replayed as is.
    const get = ex.method === 'GET';
    const status = options.permanent ? (get ? 301 : 308) : get ? 302 : 307;
    const h = new HeaderList(['Location', target]);
    ex.response.sendText(status, REDIRECT_TEXT[status] ?? '', h);
  };
}
