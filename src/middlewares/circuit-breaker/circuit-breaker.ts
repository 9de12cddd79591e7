/**
 * circuitBreaker: stops sending requests to a service that is failing, as Traefik's middleware
 * (states and metrics: breaker.ts, rolling-metrics.ts; expression: conditions.ts).
 *
 * - Each router using the middleware has its own breaker (Traefik: "each router gets its own
 *   instance"), kept in the built middleware, so a reload that leaves this middleware's
 *   configuration unchanged keeps every breaker's state and window.
 * - What is observed is what happens after the middleware in the chain: the status the response
 *   goes out with (or the error answered for it), and the time until its end. A client that leaves
 *   first is recorded as 499, as Traefik's proxy does; an aborted response is not recorded.
 * - While open, and for the requests held back while recovering, the answer is `responseCode`
 *   (default 503) with its status text as the body. WebSocket upgrades are held back the same
 *   way, but a session that goes through is not recorded.
 */
import type { Exchange, Handler, Middleware, ResponseWriter } from '../../exchange/exchange.js';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { CircuitBreakerOptions } from '../../config/dynamic/schema/middlewares/circuit-breaker.js';
import type { MiddlewareFactory } from '../registry.js';
import { StatusAnswer } from '../../exchange/status-text.js';
import type { Eval } from '../expression/compile.js';
import { ExpressionError } from '../expression/parse.js';
import { Breaker, type BreakerTimings } from './breaker.js';
import { type BreakerStats, compileBreakerCondition } from './conditions.js';

function monotonicNow(): number {
  return performance.now();
}

/** Status recorded for a request whose client left before the answer (Traefik's 499). */
const CLIENT_CLOSED = 499;

/** Watches one response going through for its breaker. */
class BreakerWriter extends DelegatingResponseWriter {
  readonly #breaker: Breaker;
  readonly #clock: () => number;
  readonly #start: number;
  #status = 0;
  #done = false;

  constructor(inner: ResponseWriter, breaker: Breaker, clock: () => number, start: number) {
    super(inner);
    this.#breaker = breaker;
    this.#clock = clock;
    this.#start = start;
    inner.onClientGone(this.#gone);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (status >= 200 && this.#status === 0) this.#status = status;
    super.writeHead(status, headers, statusMessage);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    super.end(chunk, trailers);
    this.#record(this.#status === 0 ? 200 : this.#status);
  }

  override abort(): void {
    // Traefik's proxy aborts by panicking through the breaker, which then records nothing.
    this.#done = true;
    super.abort();
  }

  readonly #gone = (): void => {
    this.#record(CLIENT_CLOSED);
  };

  #record(status: number): void {
    if (this.#done) return;
    this.#done = true;
    const now = this.#clock();
    this.#breaker.observe(status, now - this.#start, now);
  }
}

/**
 * The middleware over an explicit clock (tests); `now` must be monotonic milliseconds.
 * Production uses performance.now().
 */
export function createCircuitBreaker(options: CircuitBreakerOptions, now: () => number = monotonicNow): Middleware {
  let condition: Eval<BreakerStats, boolean>;
  try {
    condition = compileBreakerCondition(options.expression);
  } catch (err) {
    if (err instanceof ExpressionError) throw new Error(`invalid circuit breaker expression: ${err.message} (at column ${err.column})`, { cause: err });
    throw err;
  }
  const timings: BreakerTimings = {
    checkPeriod: options.checkPeriod,
    fallbackDuration: options.fallbackDuration,
    recoveryDuration: options.recoveryDuration,
  };
  const fallback = new StatusAnswer(options.responseCode);
  // One breaker per router, created on its first request; kept across reloads with this object.
  const breakers = new Map<string, Breaker>();
  let lastRouter: string | undefined;
  let lastBreaker: Breaker | undefined;

  function breakerFor(router: string): Breaker {
    if (router === lastRouter && lastBreaker !== undefined) return lastBreaker;
    let b = breakers.get(router);
    if (b === undefined) breakers.set(router, (b = new Breaker(condition, timings)));
    lastRouter = router;
    lastBreaker = b;
    return b;
  }

  return (next: Handler): Handler =>
    function circuitBreakerHandler(ex: Exchange) {
      const breaker = breakerFor(ex.routerName ?? '');
      const t = now();
      if (!breaker.allow(t)) {
        fallback.send(ex.response);
        return;
      }
      // A WebSocket session is not a request/response to measure: let it through unrecorded.
      if (ex.upgrade === null) ex.response = new BreakerWriter(ex.response, breaker, now, t);
      return next(ex);
    };
}

export const circuitBreaker: MiddlewareFactory<'circuitBreaker'> = {
  kind: 'circuitBreaker',
  create(options: CircuitBreakerOptions): Middleware {
    return createCircuitBreaker(options);
  },
};
