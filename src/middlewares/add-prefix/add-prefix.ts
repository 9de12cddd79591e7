/**
 * addPrefix: prepends a fixed prefix to the request path before it is forwarded (Traefik adds it
 * to both the decoded path and the raw path, then a leading '/' if the result lacks one). A
 * prefix made of characters a path may carry as they are is prepended as written; one Go would
 * escape (a space, non-ASCII, `%`) makes the whole path go out in Go's escaping of the decoded
 * path, as Traefik's URL.EscapedPath() does then.
 */
import type { AddPrefixOptions } from '../../config/dynamic/types.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { decodePath, escapePath, isValidEncoded, utf8Bytes } from '../shared/url-path.js';

export const addPrefix: MiddlewareFactory<'addPrefix'> = {
  kind: 'addPrefix',
  create(options: AddPrefixOptions): Middleware {
    if (options.prefix === '') throw new Error('prefix cannot be empty');
    const bytes = utf8Bytes(options.prefix);
    const prefix = bytes.startsWith('/') ? bytes : '/' + bytes;
    if (isValidEncoded(prefix) && !prefix.includes('%')) {
      return (next: Handler): Handler =>
        function addPrefixHandler(ex: Exchange) {
          ex.path = prefix + ex.path;
          return next(ex);
        };
    }
    const escapedPrefix = escapePath(prefix);
    return (next: Handler): Handler =>
      function addPrefixHandler(ex: Exchange) {
        const decoded = decodePath(ex.path);
        ex.path = escapedPrefix + escapePath(decoded ?? ex.path);
        return next(ex);
      };
  },
};
