/**
 * stripPrefixRegex: the first Go regexp (in order) whose leftmost, non-empty match is a prefix of
 * the decoded path has that match removed; `X-Forwarded-Prefix` gets the matched text. Escapes in
 * the rest of the path are kept, and an unclean result is refused with 400, as for stripPrefix.
 */
import type { StripPrefixRegexOptions } from '../../config/dynamic/schema/middlewares/strip-prefix-regex.js';
import { sanitizePath } from '../../entrypoints/routing-path.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { compileGoRegexp, goFind } from '../shared/go-regexp.js';
import { bytesText, decodePath, stripDecodedBytes, utf8Bytes } from '../shared/url-path.js';
import { refuseUncleanPath } from '../strip-prefix/strip-prefix.js';

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

export const stripPrefixRegex: MiddlewareFactory<'stripPrefixRegex'> = {
  kind: 'stripPrefixRegex',
  create(options: StripPrefixRegexOptions): Middleware {
    const expressions = options.regex.map((p) => compileGoRegexp(p));
    return (next: Handler): Handler =>
      function stripPrefixRegexHandler(ex: Exchange) {
        const raw = ex.path;
        const decoded = raw.indexOf('%') >= 0 ? decodePath(raw) : raw;
        if (decoded === null) return next(ex);
        // The regexps see text; the path is bytes (the same string when it is ASCII).
        const ascii = ASCII.test(decoded);
        const text = ascii ? decoded : bytesText(decoded);
        for (const g of expressions) {
          const m = goFind(g, text);
          if (m === null) continue;
          const prefix = m[0];
          if (prefix === '' || !text.startsWith(prefix)) continue;
          const n = ascii ? prefix.length : utf8Bytes(prefix).length;
          const rest = stripDecodedBytes(raw, decoded, n);
          if (sanitizePath(rest) !== rest) return refuseUncleanPath(ex);
          ex.path = rest;
          ex.headers.add('X-Forwarded-Prefix', ascii ? prefix : utf8Bytes(prefix));
          return next(ex);
        }
        return next(ex);
      };
  },
};
