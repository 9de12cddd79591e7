/**
 * Token-bucket arithmetic of the rateLimit middleware, the way Traefik uses Go's
 * golang.org/x/time/rate limiter: a bucket starts full with `burst` tokens and refills
 * continuously at `rate` tokens per second up to `burst`. A request takes one token; when none is
 * left it may take one in advance if the token will exist within `maxDelay` (the request is then
 * delayed until it does), else it is refused and takes nothing. Time is a plain number of
 * milliseconds from any monotonic clock, passed in by the caller, so tests drive it.
 */
import type { RateLimitOptions } from '../../config/dynamic/schema/middlewares/rate-limit.js';

export interface RateParams {
  /** Tokens per millisecond (> 0). */
  readonly perMs: number;
  /** Bucket size (>= 1). */
  readonly burst: number;
  /** Longest wait served by delaying the request, in ms. */
  readonly maxDelayMs: number;
}

/**
 * Traefik's parameters: rate = average / period; maxDelay = 1s / (2 * int(rate)) when rate >= 1/s
 * (Go integer nanoseconds), else 500 ms.
 */
export function rateParams(options: Pick<RateLimitOptions, 'average' | 'period' | 'burst'>): RateParams {
  const perSecond = (options.average * 1000) / options.period;
  const maxDelayMs = perSecond < 1 ? 500 : Math.trunc(1e9 / (Math.trunc(perSecond) * 2)) / 1e6;
  return { perMs: perSecond / 1000, burst: options.burst, maxDelayMs };
}

/** One source's bucket: the tokens it held at `last` (may be negative: tokens taken in advance). */
export class Bucket {
  tokens: number;
  last: number;

  constructor(tokens: number, last: number) {
    this.tokens = tokens;
    this.last = last;
  }
}

/** A fresh, full bucket. */
export function fullBucket(p: RateParams, now: number): Bucket {
  return new Bucket(p.burst, now);
}

/** Tokens in `b` at `now` (refill since its last update, capped at burst). */
export function tokensAt(b: Bucket, p: RateParams, now: number): number {
  const elapsed = now > b.last ? now - b.last : 0;
  const tokens = b.tokens + elapsed * p.perMs;
  return tokens > p.burst ? p.burst : tokens;
}

/**
 * Takes one token for a request arriving at `now` and returns how long it must wait, in ms:
 * 0 = go now; up to `maxDelayMs` = the token is taken, serve it after that delay; more = refused,
 * nothing taken (the value is when a token would be there, for Retry-After).
 */
export function reserve(b: Bucket, p: RateParams, now: number): number {
  const tokens = tokensAt(b, p, now) - 1;
  if (b.last < now) b.last = now;
  if (tokens >= 0) {
    b.tokens = tokens;
    return 0;
  }
  const wait = -tokens / p.perMs;
  // Go counts in whole nanoseconds: a wait under 1 ns is no wait.
  if (wait < 1e-6) {
    b.tokens = tokens;
    return 0;
  }
  if (wait <= p.maxDelayMs) b.tokens = tokens;
  else b.tokens = tokens + 1;
  return wait;
}

/** True when the bucket has refilled completely: forgetting it changes nothing. */
export function isFull(b: Bucket, p: RateParams, now: number): boolean {
  return tokensAt(b, p, now) >= p.burst;
}
