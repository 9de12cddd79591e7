/**
 * redirectRegex: the Go regexp runs over the request URL as Traefik writes it,
 * `<scheme>://<Host header><path>[?<query>]` (scheme `https` over TLS, else `http`; the Host
 * keeps its port). When it matches, every match is replaced (Go's ReplaceAllString with `$1`,
 * `${1}`, `${name}`); if that changes the URL the client is redirected there (302/307, or 301/308
 * when permanent), otherwise the request goes on. A result Go's url.Parse refuses is answered 502,
 * as Traefik's error handler does for a URL error.
 */
import type { RedirectRegexOptions } from '../../config/dynamic/schema/middlewares/redirect-regex.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { compileGoRegexp, goMatch, goReplaceAll, parseGoTemplate } from '../shared/go-regexp.js';
import { goLocation, sendRedirect } from '../shared/redirect.js';
import { bytesText } from '../shared/url-path.js';

export const redirectRegex: MiddlewareFactory<'redirectRegex'> = {
  kind: 'redirectRegex',
  create(options: RedirectRegexOptions): Middleware {
    const g = compileGoRegexp(options.regex);
    const template = parseGoTemplate(options.replacement, g.captureNames);
    const permanent = options.permanent;
    return (next: Handler): Handler =>
      function redirectRegexHandler(ex: Exchange) {
        const uri = ex.query === null ? ex.path : ex.path + '?' + ex.query;
        // Host and target are bytes off the wire; the regexp sees them as (UTF-8) text.
        const url = bytesText((ex.tls !== null ? 'https://' : 'http://') + ex.host + uri);
        if (!goMatch(g, url)) return next(ex);
        const target = goReplaceAll(g, url, template);
        if (target === url) return next(ex);
        const location = goLocation(target);
        if (location === null) {
          ex.response.sendText(502, 'Bad Gateway');
          return;
        }
        sendRedirect(ex, location, permanent);
      };
  },
};
