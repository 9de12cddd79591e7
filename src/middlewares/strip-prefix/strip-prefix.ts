/**
 * stripPrefix: removes the first matching prefix from the path (plain string prefix), keeps a
 * leading '/', and tells the upstream what was removed in `X-Forwarded-Prefix`.
 */
import type { StripPrefixOptions } from '../../config/dynamic/types.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';

export const stripPrefix: MiddlewareFactory<'stripPrefix'> = {
  kind: 'stripPrefix',
  create(options: StripPrefixOptions): Middleware {
    const prefixes = options.prefixes.map((p) => p.trim()).filter((p) => p !== '');
    return (next: Handler): Handler =>
      function stripPrefixHandler(ex: Exchange) {
        const path = ex.path;
        for (const prefix of prefixes) {
          if (path.startsWith(prefix)) {
            const rest = path.slice(prefix.length);
            ex.path = rest.charCodeAt(0) === 47 /* / */ ? rest : '/' + rest;
            ex.headers.add('X-Forwarded-Prefix', prefix);
            break;
          }
        }
        return next(ex);
      };
  },
};
