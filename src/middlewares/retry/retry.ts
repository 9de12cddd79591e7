/**
 * retry: sends a request again when the server could not be reached, as Traefik's middleware.
 *
 * - `attempts` is the total number of tries. A try is retried when the forwarder could not send
 *   any of the request (refused, reset while connecting, DNS, TLS, dial timeout): the failure is
 *   taken over before it is answered (src/proxy/upstream-attempts.ts). Once request bytes reached
 *   a server, or anything went to the client, there is no retry. Answers made before the
 *   forwarder (an auth middleware's 401, no server's 503) are never network errors.
 * - With `status` (Traefik 3.7), an answer with a listed status is swallowed and retried too, for
 *   idempotent methods (all but POST, PATCH, LOCK) unless `retryNonIdempotentMethod`. To resend
 *   their body, such requests are read in memory first, up to `maxRequestBodyBytes` (2 MiB);
 *   a larger body goes through unread and disables status retries for that request.
 * - Request bodies on network retries: the body is never read before the connection is up, so the
 *   same stream is sent on the next try, as in Traefik.
 * - A retry goes to another server of the load balancer when there is one: the balancer skips the
 *   servers already tried for this exchange when it can (Traefik relies on the rotation alone).
 * - Backoff: none when `initialInterval` is 0; else Traefik's exponential backoff: intervals start
 *   at `initialInterval`, grow by 2^(1/(attempts-1)) (so they never pass twice the initial one)
 *   and are randomised by +/- 50% (cenkalti/backoff's defaults).
 * - `timeout`: past it (counted from the first try), what comes is the answer.
 * - Every try starts from the request as this middleware received it. WebSocket upgrades are not
 *   retried.
 */
import type { RetryOptions } from '../../config/dynamic/schema/middlewares/retry.js';
import { inStatusRanges } from '../../config/dynamic/schema/middlewares/status-ranges.js';
import type { ProxyError } from '../../errors/codes.js';
import type { Exchange, Handler, Middleware, ResponseWriter } from '../../exchange/exchange.js';
import { type AttemptWatcher, unwatchAttempts, watchAttempts } from '../../proxy/upstream-attempts.js';
import type { MiddlewareFactory } from '../registry.js';
import { runDetached } from '../replay/answer-error.js';
import { declaredLength } from '../replay/declared-length.js';
import { RequestSnapshot } from '../replay/request-snapshot.js';
import { prependChunks, readBody, type ReadOutcome, type SpooledBody } from '../replay/spooled-body.js';
import { type AttemptOwner, AttemptState, AttemptWriter } from './attempt-writer.js';

/** cenkalti/backoff's MaxInterval. */
const MAX_INTERVAL = 60_000;
/** cenkalti/backoff's RandomizationFactor. */
const RANDOMIZATION = 0.5;

export interface RetryPolicy extends RetryOptions {
  /** Growth of the interval between tries: 2^(1/(attempts-1)). */
  readonly multiplier: number;
  readonly now: () => number;
  readonly random: () => number;
}

function isIdempotent(method: string): boolean {
  return method !== 'POST' && method !== 'PATCH' && method !== 'LOCK';
}

/** One request through the retry middleware. */
class RetryRun implements AttemptWatcher, AttemptOwner {
  readonly picked: unknown[] = [];
  readonly #policy: RetryPolicy;
  readonly #next: Handler;
  readonly #ex: Exchange;
  readonly #base: ResponseWriter;
  readonly #snapshot: RequestSnapshot;
  readonly #start: number;
  #attempt = 1;
  #interval: number;
  /** Status retries apply to this request. */
  #byStatus: boolean;
  #body: SpooledBody | null = null;
  #writer: AttemptWriter | null = null;
  /** The current try is the last one. */
  #last = false;
  #watching = false;
  #previous: AttemptWatcher | undefined;
  #done = false;

  constructor(policy: RetryPolicy, next: Handler, ex: Exchange) {
    this.#policy = policy;
    this.#next = next;
    this.#ex = ex;
    this.#base = ex.response;
    this.#snapshot = new RequestSnapshot(ex);
    this.#start = policy.now();
    this.#interval = policy.initialInterval;
    this.#byStatus = policy.status.length > 0 && (policy.retryNonIdempotentMethod || isIdempotent(ex.method));
  }

  start(): void | Promise<void> {
    this.#base.onClientGone(this.#gone);
    const ex = this.#ex;
    if (this.#byStatus && ex.body !== null) {
      const max = this.#policy.maxRequestBodyBytes;
      const declared = declaredLength(ex);
      if (max >= 0 && declared !== undefined && declared > max) this.#byStatus = false;
      else return readBody(ex.body, Infinity, max).then((outcome) => this.#bodyRead(outcome));
    }
    return this.#run();
  }

  #bodyRead(outcome: ReadOutcome): void | Promise<void> {
    const ex = this.#ex;
    switch (outcome.kind) {
      case 'done':
        this.#body = outcome.body;
        ex.body = outcome.body.stream();
        break;
      case 'tooLarge':
        this.#byStatus = false;
        ex.body = prependChunks(outcome.body.chunks, outcome.rest);
        break;
      case 'aborted':
      case 'failed':
        // The client went away while sending its body: nothing to answer. (Reading into memory
        // only, 'failed' cannot happen.)
        this.#finish();
        return;
    }
    return this.#run();
  }

  /** Run the current attempt. */
  #run(): void | Promise<void> {
    const ex = this.#ex;
    if (this.#attempt > 1) {
      // Traefik's RetryAttempts (access log): the tries after the first.
      if (ex.record !== null) ex.record.retryAttempts = this.#attempt - 1;
      this.#snapshot.restore(ex);
      if (this.#body !== null) ex.body = this.#body.stream();
    }
    // The last try answers whatever happens; it still goes through a writer (never swallowing)
    // so that the load balancer keeps avoiding the servers tried until its answer starts.
    this.#last = this.#attempt >= this.#policy.attempts;
    this.#writer = new AttemptWriter(this.#base, this);
    ex.response = this.#writer;
    if (!this.#watching) {
      this.#previous = watchAttempts(ex, this);
      this.#watching = true;
    }
    return this.#next(ex);
  }

  #timedOut(): boolean {
    const t = this.#policy.timeout;
    return t > 0 && this.#policy.now() - this.#start >= t;
  }

  // --- AttemptWatcher: the forwarder could not send the request ---

  unsent(_ex: Exchange, _err: ProxyError): boolean {
    const w = this.#writer;
    if (this.#last || this.#done || this.#policy.disableRetryOnNetworkError) return false;
    if (w === null || w.state !== AttemptState.Undecided || this.#base.clientGone || this.#timedOut()) return false;
    w.state = AttemptState.Dropping;
    return true;
  }

  resend(): void {
    const w = this.#writer;
    if (w === null || w.state !== AttemptState.Dropping) return;
    w.state = AttemptState.Over;
    this.#scheduleNext();
  }

  // --- AttemptOwner: what the attempt's writer sees ---

  swallows(status: number): boolean {
    return this.#byStatus && !this.#last && !this.#done && inStatusRanges(this.#policy.status, status) && !this.#timedOut();
  }

  passed(): void {
    this.#finish();
  }

  attemptOver(): void {
    if (this.#done) return;
    this.#scheduleNext();
  }

  #scheduleNext(): void {
    this.#attempt++;
    const delay = this.#nextDelay();
    if (delay > 0) setTimeout(continueRun, delay, this);
    else setImmediate(continueRun, this);
  }

  /** Traefik's backoff: none without initialInterval, else exponential and randomised. */
  #nextDelay(): number {
    const p = this.#policy;
    const current = this.#interval;
    if (current <= 0) return 0;
    this.#interval = current >= MAX_INTERVAL / p.multiplier ? MAX_INTERVAL : current * p.multiplier;
    const delta = RANDOMIZATION * current;
    return current - delta + p.random() * 2 * delta;
  }

  /** The next attempt, from a timer. */
  resume(): void {
    if (this.#done || this.#base.clientGone) {
      this.#finish();
      return;
    }
    runDetached(
      () => this.#run(),
      () => this.#ex.response,
    );
  }

  readonly #gone = (): void => {
    this.#finish();
  };

  /** No more attempts: stop watching the forwarder. */
  #finish(): void {
    if (this.#watching) {
      this.#watching = false;
      unwatchAttempts(this.#ex, this.#previous);
    }
    this.#done = true;
  }
}

function continueRun(run: RetryRun): void {
  run.resume();
}

/** The middleware with an explicit clock and random source (tests). */
export function createRetry(options: RetryOptions, now: () => number = () => performance.now(), random: () => number = Math.random): Middleware {
  if (options.attempts <= 1) return (next: Handler): Handler => next;
  const policy: RetryPolicy = { ...options, multiplier: 2 ** (1 / (options.attempts - 1)), now, random };
  return (next: Handler): Handler =>
    function retryHandler(ex: Exchange) {
      if (ex.upgrade !== null) return next(ex);
      return new RetryRun(policy, next, ex).start();
    };
}

export const retry: MiddlewareFactory<'retry'> = {
  kind: 'retry',
  create(options: RetryOptions): Middleware {
    return createRetry(options);
  },
};
