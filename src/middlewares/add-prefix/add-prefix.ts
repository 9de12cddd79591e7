/** addPrefix: prepends a fixed prefix to the request path before it is forwarded. */
import type { AddPrefixOptions } from '../../config/dynamic/types.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';

export const addPrefix: MiddlewareFactory<'addPrefix'> = {
  kind: 'addPrefix',
  create(options: AddPrefixOptions): Middleware {
    if (options.prefix === '') throw new Error('prefix cannot be empty');
    const prefix = options.prefix.startsWith('/') ? options.prefix : '/' + options.prefix;
    return (next: Handler): Handler =>
      function addPrefixHandler(ex: Exchange) {
        ex.path = prefix + ex.path;
        return next(ex);
      };
  },
};
