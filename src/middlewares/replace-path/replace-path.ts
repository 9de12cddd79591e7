/**
 * replacePath: the path sent upstream becomes `path`; the path it replaces is added in
 * `X-Replaced-Path`. The configured path is taken as an escaped path, as Traefik sets it as the
 * URL's RawPath: characters Go would escape (a space, non-ASCII) go out escaped.
 */
import type { ReplacePathOptions } from '../../config/dynamic/schema/middlewares/replace-path.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { utf8Bytes, wirePathOfRaw } from '../shared/url-path.js';

/** Header carrying the path before replacePath / replacePathRegex. */
export const REPLACED_PATH_HEADER = 'X-Replaced-Path';

export const replacePath: MiddlewareFactory<'replacePath'> = {
  kind: 'replacePath',
  create(options: ReplacePathOptions): Middleware {
    const path = wirePathOfRaw(utf8Bytes(options.path));
    if (path === null) throw new Error(`path "${options.path}" has an invalid %-escape`);
    return (next: Handler): Handler =>
      function replacePathHandler(ex: Exchange) {
        ex.headers.add(REPLACED_PATH_HEADER, ex.path);
        ex.path = path;
        return next(ex);
      };
  },
};
