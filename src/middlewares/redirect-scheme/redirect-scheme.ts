/**
 * redirectScheme: sends the client to the same URL on another scheme (and port), as Traefik's
 * RedirectScheme middleware; also the handler of the entry-point redirections Traefik generates
 * from `http.redirections.entryPoint` (a catch-all router using this middleware in front of
 * noop@internal).
 *
 * The request URL is rebuilt as Traefik does: scheme `https` over TLS else `http`, overridden by
 * `X-Forwarded-Proto` (`http`/`ws` -> http, `https`/`wss` -> https; that header is only kept from
 * trusted peers, the entry point sets it otherwise); host and port from the Host header, the port
 * dropped when it is the scheme's default. The target URL is that URL with the configured scheme
 * and port (none when unset, or when it is 80 for http / 443 for https). The client is
 * redirected only when the target differs from the request URL, so a request already on the right
 * scheme and port goes on to the next handler.
 */
import type { RedirectSchemeOptions } from '../../config/dynamic/schema/middlewares/redirect-scheme.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import { type HeaderList, equalsLower } from '../../exchange/headers.js';
import type { MiddlewareFactory } from '../registry.js';
import { sendRedirect } from '../shared/redirect.js';

export type { RedirectSchemeOptions } from '../../config/dynamic/schema/middlewares/redirect-scheme.js';

/** The scheme of the request as the client used it (TLS, then a trusted X-Forwarded-Proto). */
export function clientScheme(tls: boolean, headers: HeaderList): 'http' | 'https' {
  const proto = headers.get('x-forwarded-proto');
  if (proto !== undefined && proto !== '') {
    if (equalsLower(proto, 'http') || equalsLower(proto, 'ws')) return 'http';
    if (equalsLower(proto, 'https') || equalsLower(proto, 'wss')) return 'https';
  }
  return tls ? 'https' : 'http';
}

/** Go's `\w` plus `.`, `_`, `-`: what Traefik's pattern takes as a host name. */
function isHostChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
}

/** `[\w:.]`: what Traefik's pattern takes inside an IPv6 literal. */
function isV6Char(c: number): boolean {
  return isHostChar(c) ? c !== 45 : c === 58;
}

/**
 * Length of the host Traefik's pattern `(\[[\w:.]+\]|[\w\._-]+)?` takes at the start of `s`
 * (0 when none). Whatever follows it (a port, then the rest) is kept as is.
 */
function hostLength(s: string): number {
  if (s.charCodeAt(0) === 91 /* [ */) {
    let j = 1;
    while (j < s.length && isV6Char(s.charCodeAt(j))) j++;
    return j > 1 && s.charCodeAt(j) === 93 /* ] */ ? j + 1 : 0;
  }
  let j = 0;
  while (j < s.length && isHostChar(s.charCodeAt(j))) j++;
  return j;
}

/** Length of `(:\d+)?` at `at` in `s`. */
function portLength(s: string, at: number): number {
  if (s.charCodeAt(at) !== 58 /* : */) return 0;
  let j = at + 1;
  while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  return j > at + 1 ? j - at : 0;
}

/** Where the `:port` of a Host value starts (its length when it has none; IPv6 literals keep their brackets). */
function portStart(host: string): number {
  const close = host.charCodeAt(0) === 91 /* [ */ ? host.indexOf(']') : -1;
  const colon = host.lastIndexOf(':');
  if (colon < 0 || colon < close) return host.length;
  if (close < 0 && host.indexOf(':') !== colon) return host.length; // a bare IPv6 address: no port
  return colon;
}

/** Builds the redirectScheme middleware; `create` and the entry-point redirection share it. */
export function createRedirectScheme(options: RedirectSchemeOptions): Middleware {
  const scheme = options.scheme.toLowerCase();
  const omitPort = options.port === '' || (scheme === 'http' && options.port === '80') || (scheme === 'https' && options.port === '443');
  const targetPort = omitPort ? '' : ':' + options.port;
  const permanent = options.permanent;
  return (next: Handler): Handler =>
    function redirectSchemeHandler(ex: Exchange) {
      const current = clientScheme(ex.tls !== null, ex.headers);
      const host = ex.host;
      const cut = portStart(host);
      const port = host.slice(cut);
      const keptPort = (current === 'http' && port === ':80') || (current === 'https' && port === ':443') ? '' : port;
      const uri = ex.query === null ? ex.path : ex.path + '?' + ex.query;
      // After "scheme://", Traefik's pattern reads a host, an optional :port, then the rest.
      const afterScheme = host.slice(0, cut) + keptPort + uri;
      const h = hostLength(afterScheme);
      const p = portLength(afterScheme, h);
      // Same scheme and the port Traefik would put is the one there: the URL would not change.
      if (scheme === current && p === targetPort.length && afterScheme.startsWith(targetPort, h)) return next(ex);
      sendRedirect(ex, scheme + '://' + afterScheme.slice(0, h) + targetPort + afterScheme.slice(h + p), permanent);
    };
}

export const redirectScheme: MiddlewareFactory<'redirectScheme'> = {
  kind: 'redirectScheme',
  create(options: RedirectSchemeOptions): Middleware {
    return createRedirectScheme(options);
  },
};

/** noop@internal: what the generated redirection router serves when there is nothing to redirect. */
function noop(ex: Exchange): void {
  ex.response.sendText(200, '');
}

/** The handler of an entry-point redirection (`http.redirections.entryPoint`). */
export function createRedirectSchemeHandler(options: RedirectSchemeOptions): Handler {
  return createRedirectScheme(options)(noop);
}
