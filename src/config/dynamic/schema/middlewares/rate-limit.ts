/**
 * `rateLimit`: a token bucket per source. The bucket refills at `average` requests per `period`
 * and holds at most `burst` tokens. Traefik's defaults: average 0 (no limit), period 1s (0 also
 * means 1s), burst 1 (0 also means 1), source = the client IP. `redis` (distributed limiting,
 * Traefik 3.4+) is not supported.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readDuration, readFields, readInt } from '../fields.js';
import { REMOTE_ADDRESS, type SourceCriterion, readSourceCriterion } from './source-criterion.js';

export interface RateLimitOptions {
  /** Requests allowed per period; 0 = no limit. */
  readonly average: number;
  /** ms, > 0 (Traefik's 0 is normalised to 1000). */
  readonly period: number;
  /** Bucket size, >= 1. */
  readonly burst: number;
  readonly sourceCriterion: SourceCriterion;
}

const SECOND_MS = 1000;

export function readRateLimit(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: ['average', 'period', 'burst', 'sourceCriterion'],
    unsupported: ['redis'],
  });
  if (fields === undefined) return undefined;
  const averageField = fields.get('average');
  const average = readInt(scope, averageField, { min: 0n }) ?? 0;
  const period = readDuration(scope, fields.get('period'), { min: 0 }) ?? 0;
  const burst = readInt(scope, fields.get('burst'), { min: 0n }) ?? 0;
  const sourceCriterion = readSourceCriterion(scope, fields.get('sourceCriterion'), REMOTE_ADDRESS);
  if (!scope.ok || sourceCriterion === undefined) return undefined;
  if (average === 0) {
    scope.warn(DYNAMIC_CODES.INVALID_VALUE, averageField?.path ?? [...f.path, 'average'], 'average is 0 or unset: this rateLimit lets every request through (as in Traefik)');
  }
  const options: RateLimitOptions = {
    average,
    period: period === 0 ? SECOND_MS : period,
    burst: Math.max(1, burst),
    sourceCriterion,
  };
  return { kind: 'rateLimit', options };
}
