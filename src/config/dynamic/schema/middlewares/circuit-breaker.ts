/**
 * `http.middlewares.<name>.circuitBreaker`: expression (required, checked here with the column of
 * any mistake), checkPeriod 100ms, fallbackDuration 10s, recoveryDuration 10s, responseCode 503.
 * As in Traefik, a duration of 0 (or less) means the default.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readDuration, readFields, readInt, readString, requireField } from '../fields.js';
import { ExpressionError } from '../../../../middlewares/expression/parse.js';
import { formatExpressionError } from '../../../../middlewares/expression/compile.js';
import { compileBreakerCondition } from '../../../../middlewares/circuit-breaker/conditions.js';

export interface CircuitBreakerOptions {
  /** The tripping condition, e.g. `NetworkErrorRatio() > 0.5` (validated). */
  readonly expression: string;
  /** ms between evaluations of the condition. */
  readonly checkPeriod: number;
  /** ms the breaker stays open (fallback answers only). */
  readonly fallbackDuration: number;
  /** ms of the recovering phase (a growing share of traffic goes through). */
  readonly recoveryDuration: number;
  /** Status of the fallback answer (its body is the status text). */
  readonly responseCode: number;
}

export const CIRCUIT_BREAKER_DEFAULTS = {
  checkPeriod: 100,
  fallbackDuration: 10_000,
  recoveryDuration: 10_000,
  responseCode: 503,
} as const;

export function readCircuitBreaker(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: ['expression', 'checkPeriod', 'fallbackDuration', 'recoveryDuration', 'responseCode'],
  });
  if (fields === undefined) return undefined;
  const exprField = requireField(scope, fields, 'expression', f.path, 'the tripping condition, e.g. "NetworkErrorRatio() > 0.5"');
  const expression = readString(scope, exprField, { nonEmpty: true });
  if (expression !== undefined && exprField !== undefined) checkExpression(scope, exprField, expression);
  const period = (name: string, fallback: number): number => {
    const ms = readDuration(scope, fields.get(name));
    return ms === undefined || ms <= 0 ? fallback : ms;
  };
  const checkPeriod = period('checkPeriod', CIRCUIT_BREAKER_DEFAULTS.checkPeriod);
  const fallbackDuration = period('fallbackDuration', CIRCUIT_BREAKER_DEFAULTS.fallbackDuration);
  const recoveryDuration = period('recoveryDuration', CIRCUIT_BREAKER_DEFAULTS.recoveryDuration);
  const code = readInt(scope, fields.get('responseCode'), { min: 0n, max: 999n });
  let responseCode: number = CIRCUIT_BREAKER_DEFAULTS.responseCode;
  if (code !== undefined && code !== 0) {
    if (code < 200) {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, 'responseCode'], `expected a final HTTP status (200-999), got ${code}${scope.leftOut}`);
    }
    responseCode = code;
  }
  if (!scope.ok || expression === undefined) return undefined;
  return { kind: 'circuitBreaker', options: { expression, checkPeriod, fallbackDuration, recoveryDuration, responseCode } };
}

function checkExpression(scope: Scope, f: Field, expression: string): void {
  try {
    compileBreakerCondition(expression);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `invalid circuit breaker expression: ${formatExpressionError(expression, err)}${scope.leftOut}`);
  }
}
