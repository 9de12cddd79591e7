/**
 * `inFlightReq`: at most `amount` requests of one source in progress at once; more are answered
 * 429. The source defaults to the request host (Traefik's inFlightReq default, unlike rateLimit).
 */
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readInt, requireField } from '../fields.js';
import { REQUEST_HOST, type SourceCriterion, readSourceCriterion } from './source-criterion.js';

export interface InFlightReqOptions {
  /** Simultaneous requests allowed per source, >= 1. */
  readonly amount: number;
  readonly sourceCriterion: SourceCriterion;
}

export function readInFlightReq(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['amount', 'sourceCriterion'] });
  if (fields === undefined) return undefined;
  // Traefik accepts 0 (or no amount) and then refuses every request with 429: surely a mistake.
  const amount = readInt(scope, requireField(scope, fields, 'amount', f.path, 'the number of simultaneous requests allowed per source, >= 1'), { min: 1n });
  const sourceCriterion = readSourceCriterion(scope, fields.get('sourceCriterion'), REQUEST_HOST);
  if (!scope.ok || amount === undefined || sourceCriterion === undefined) return undefined;
  const options: InFlightReqOptions = { amount, sourceCriterion };
  return { kind: 'inFlightReq', options };
}
