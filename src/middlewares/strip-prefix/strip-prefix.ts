/**
 * stripPrefix: removes the first matching prefix from the path and tells the upstream what was
 * removed in `X-Forwarded-Prefix` (added, as Traefik adds it). As in Traefik:
 * - prefixes are plain strings tried in order against the decoded path (`/a%20b` is `/a b`); the
 *   header gets the prefix trimmed of white space;
 * - the rest keeps its escapes (`%2F` stays `%2F`) and starts with '/';
 * - if the stripped path is not clean (`//`, `/./`, `/../` segments, e.g. `/api//admin` with
 *   prefix `/api`), the request is refused with 400 rather than sent to be read as another path.
 */
import type { StripPrefixOptions } from '../../config/dynamic/types.js';
import { sanitizePath } from '../../entrypoints/routing-path.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { decodePath, stripDecodedBytes, utf8Bytes } from '../shared/url-path.js';

interface Prefix {
  /** The prefix as bytes of the decoded path. */
  readonly bytes: string;
  /** X-Forwarded-Prefix value. */
  readonly header: string;
}

/** Traefik's answer when the stripped path would be read as another one. */
export function refuseUncleanPath(ex: Exchange): void {
  ex.response.sendText(400, 'Bad Request\n');
}

export const stripPrefix: MiddlewareFactory<'stripPrefix'> = {
  kind: 'stripPrefix',
  create(options: StripPrefixOptions): Middleware {
    const prefixes: Prefix[] = options.prefixes.map((p) => ({ bytes: utf8Bytes(p), header: utf8Bytes(p.trim()) }));
    return (next: Handler): Handler =>
      function stripPrefixHandler(ex: Exchange) {
        const raw = ex.path;
        const slow = raw.indexOf('%') >= 0;
        const decoded = slow ? decodePath(raw) : raw;
        if (decoded === null) return next(ex);
        for (const prefix of prefixes) {
          if (!decoded.startsWith(prefix.bytes)) continue;
          const n = prefix.bytes.length;
          const rest = slow ? stripDecodedBytes(raw, decoded, n) : raw.charCodeAt(n) === 47 /* / */ ? raw.slice(n) : '/' + raw.slice(n);
          if (sanitizePath(rest) !== rest) return refuseUncleanPath(ex);
          ex.path = rest;
          ex.headers.add('X-Forwarded-Prefix', prefix.header);
          return next(ex);
        }
        return next(ex);
      };
  },
};
