/**
 * errors: custom error pages, as Traefik v3's errors middleware. When the protected handler
 * answers a status in `status`, its response is dropped and the error page is fetched from
 * `service` (GET `query`, placeholders filled in, the original Host and request headers); the
 * client gets that page's headers and body under the original status, or the one
 * `statusRewrites` maps it to. Other responses stream through untouched.
 */
import type { ErrorsOptions } from '../../config/dynamic/schema/middlewares/errors.js';
import { inStatusRanges } from '../../config/dynamic/schema/middlewares/status-ranges.js';
import type { Exchange, Handler, Middleware, ResponseWriter } from '../../exchange/exchange.js';
import type { BuildContext, MiddlewareFactory } from '../registry.js';
import { answerError } from '../replay/answer-error.js';
import { ErrorPageExchange, errorPageHeaders, errorPageTarget } from './error-page-request.js';
import { type CatchSink, ErrorCatcher, StatusEnforcer } from './error-writers.js';

function createSink(options: ErrorsOptions, service: Handler): CatchSink {
  const ranges = options.status;
  const rewrites = options.statusRewrites;
  const query = options.query;
  const only = options.errorRequestHeaders;
  return {
    isCaught: (status) => inStatusRanges(ranges, status),
    caught(ex: Exchange, client: ResponseWriter, original: number): void {
      let status = original;
      for (const r of rewrites) {
        if (inStatusRanges(r.from, original)) {
          status = r.to;
          break;
        }
      }
      const url = ex.query === null ? ex.path : ex.path + '?' + ex.query;
      const page = new ErrorPageExchange(ex, errorPageTarget(query, status, original, url), errorPageHeaders(ex.headers, only), new StatusEnforcer(client, status));
      try {
        const result = service(page);
        if (result != null) result.then(undefined, (err: unknown) => answerError(page.response, err));
      } catch (err) {
        answerError(page.response, err);
      }
    },
  };
}

export const errors: MiddlewareFactory<'errors'> = {
  kind: 'errors',
  create(options: ErrorsOptions, ctx: BuildContext): Middleware {
    const sink = createSink(options, ctx.service(options.service));
    return (next: Handler): Handler => {
      if (options.status.length === 0) return next;
      return function errorsHandler(ex: Exchange) {
        ex.response = new ErrorCatcher(ex, sink);
        return next(ex);
      };
    };
  },
};
