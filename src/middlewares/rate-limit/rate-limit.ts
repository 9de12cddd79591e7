/**
 * rateLimit: a token bucket per source (see token-bucket.ts for the arithmetic). A request that
 * finds a token goes on; one whose token comes within maxDelay is delayed until then, as Traefik
 * does; later than that it is answered 429 with `Retry-After` (whole seconds, rounded up) and
 * `X-Retry-In` (Go duration text) and takes nothing from the bucket.
 *
 * The buckets belong to the built middleware, so they are shared by every router using it and
 * survive reloads that leave its configuration unchanged (the compiler reuses the built
 * middleware). With `average: 0` the middleware is absent from the chain.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimitOptions } from '../../config/dynamic/schema/middlewares/rate-limit.js';
import type { Exchange, Handler, Middleware, ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import type { MiddlewareFactory } from '../registry.js';
import { createSourceOf } from '../source-criterion/source-criterion.js';
import { BucketTable } from './bucket-table.js';
import { formatGoDuration } from './go-duration.js';
import { reserve, rateParams } from './token-bucket.js';

/** Go's http.StatusText(429), written as is (no newline), as Traefik does. */
const BODY = Buffer.from('Too Many Requests');
const BODY_LENGTH = String(BODY.length);

export const rateLimit: MiddlewareFactory<'rateLimit'> = {
  kind: 'rateLimit',
  create(options: RateLimitOptions): Middleware {
    if (options.average === 0) return passThrough;
    const params = rateParams(options);
    const maxDelay = params.maxDelayMs;
    const buckets = new BucketTable(params);
    const sourceOf = createSourceOf(options.sourceCriterion);
    return (next: Handler): Handler =>
      function rateLimitHandler(ex: Exchange) {
        const now = performance.now();
        const wait = reserve(buckets.get(sourceOf(ex), now), params, now);
        if (wait === 0) return next(ex);
        if (wait <= maxDelay) return serveLater(wait, next, ex);
        refuse(ex.response, wait);
        return undefined;
      };
  },
};

function passThrough(next: Handler): Handler {
  return next;
}

/** Waits (the token is already taken), then serves, unless the client left meanwhile. */
async function serveLater(waitMs: number, next: Handler, ex: Exchange): Promise<void> {
  await sleep(waitMs);
  if (ex.response.clientGone) return;
  await next(ex);
}

function refuse(res: ResponseWriter, waitMs: number): void {
  const ns = Math.trunc(waitMs * 1e6);
  const headers = new HeaderList([
    'Retry-After',
    String(Math.ceil(ns / 1e9)),
    'X-Retry-In',
    formatGoDuration(ns),
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    BODY_LENGTH,
  ]);
  res.writeHead(429, headers);
  res.end(BODY);
}
