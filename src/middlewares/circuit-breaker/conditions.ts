/**
 * The functions of Traefik's circuitBreaker `expression`, over the breaker's rolling metrics:
 *
 * | function | type | value |
 * |---|---|---|
 * | `NetworkErrorRatio()` | decimal | 502/504 responses / all responses |
 * | `ResponseCodeRatio(from, to, divFrom, divTo)` | decimal | responses in [from, to) / responses in [divFrom, divTo), 0 if none |
 * | `LatencyAtQuantileMS(q)` | integer | latency (ms) at quantile q (percent, a decimal such as 50.0) |
 * | `RequestThreshold()` | integer | requests in the window, to require a minimum volume (recent Traefik, oxy v2.2) |
 */
import { compileExpression, type Eval, type FunctionTable } from '../expression/compile.js';
import type { RollingMetrics } from './rolling-metrics.js';

/** What a condition reads: the metrics, at a given time. */
export interface BreakerStats {
  readonly metrics: RollingMetrics;
  /** The time of the check (ms, same clock as the metrics). */
  readonly now: number;
}

export const BREAKER_FUNCTIONS: FunctionTable<BreakerStats> = {
  NetworkErrorRatio: {
    params: [],
    returns: 'float',
    what: 'a ratio (a decimal number)',
    make: () => (s) => s.metrics.networkErrorRatio(s.now),
  },
  ResponseCodeRatio: {
    params: ['int', 'int', 'int', 'int'],
    returns: 'float',
    what: 'a ratio (a decimal number)',
    make: ([from = 0, to = 0, divFrom = 0, divTo = 0]) =>
      (s) => s.metrics.responseCodeRatio(from, to, divFrom, divTo, s.now),
  },
  LatencyAtQuantileMS: {
    params: ['float'],
    returns: 'int',
    what: 'a whole number of milliseconds',
    make: ([q = 0]) => (s) => s.metrics.latencyAtQuantileMs(q),
  },
  RequestThreshold: {
    params: [],
    returns: 'int',
    what: 'a number of requests (an integer)',
    make: () => (s) => s.metrics.totalCount(s.now),
  },
};

/** The tripping condition of `expression`; throws ExpressionError (with a column) when invalid. */
export function compileBreakerCondition(expression: string): Eval<BreakerStats, boolean> {
  return compileExpression(expression, BREAKER_FUNCTIONS);
}
