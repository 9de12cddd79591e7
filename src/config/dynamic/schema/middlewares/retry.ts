/**
 * `http.middlewares.<name>.retry`: attempts (required, >= 1), initialInterval 0 (retry at once),
 * and Traefik 3.7's timeout 0 (none), maxRequestBodyBytes 2 MiB (-1 = no limit), status [],
 * disableRetryOnNetworkError false (then `status` is required), retryNonIdempotentMethod false.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readDuration, readFields, readInt, readStringList, requireField } from '../fields.js';
import { parseStatusRanges, type StatusRange } from './status-ranges.js';

export interface RetryOptions {
  /** Total number of tries (1 = no retry). */
  readonly attempts: number;
  /** ms before the first retry (exponential backoff, never above twice this); 0 = at once. */
  readonly initialInterval: number;
  /** ms after which no new attempt starts; 0 = no limit. */
  readonly timeout: number;
  /** Largest request body kept to resend on a status retry; -1 = no limit. */
  readonly maxRequestBodyBytes: number;
  /** Statuses whose answers are retried (empty: only network errors are). */
  readonly status: readonly StatusRange[];
  readonly disableRetryOnNetworkError: boolean;
  /** Retry POST, PATCH and LOCK on a status too. */
  readonly retryNonIdempotentMethod: boolean;
}

/** Traefik's RetryDefaultMaxRequestBodyBytes. */
export const RETRY_DEFAULT_MAX_BODY = 2 * 1024 * 1024;

export function readRetry(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: ['attempts', 'initialInterval', 'timeout', 'maxRequestBodyBytes', 'status', 'disableRetryOnNetworkError', 'retryNonIdempotentMethod'],
  });
  if (fields === undefined) return undefined;
  const attempts = readInt(scope, requireField(scope, fields, 'attempts', f.path, 'how many times to try the request, at least 1'), { min: 1n, max: 2147483647n });
  const initialInterval = Math.max(0, readDuration(scope, fields.get('initialInterval')) ?? 0);
  const timeout = Math.max(0, readDuration(scope, fields.get('timeout')) ?? 0);
  const maxRequestBodyBytes = readInt(scope, fields.get('maxRequestBodyBytes'), { min: -1n, max: BigInt(Number.MAX_SAFE_INTEGER) }) ?? RETRY_DEFAULT_MAX_BODY;
  const status: StatusRange[] = [];
  const statusField = fields.get('status');
  const entries = readStringList(scope, statusField) ?? [];
  entries.forEach((entry, i) => {
    const parsed = parseStatusRanges(entry);
    const path = Array.isArray(statusField?.value) ? [...(statusField?.path ?? []), i] : (statusField?.path ?? []);
    if (typeof parsed === 'string') scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `${parsed}${scope.leftOut}`);
    else status.push(...parsed);
  });
  const disableRetryOnNetworkError = readBool(scope, fields.get('disableRetryOnNetworkError')) ?? false;
  const retryNonIdempotentMethod = readBool(scope, fields.get('retryNonIdempotentMethod')) ?? false;
  if (disableRetryOnNetworkError && entries.length === 0 && scope.ok) {
    scope.error(
      DYNAMIC_CODES.MISSING_KEY,
      [...f.path, 'status'],
      `with disableRetryOnNetworkError the retry middleware needs "status" (the statuses to retry on)${scope.leftOut}`,
    );
  }
  if (!scope.ok || attempts === undefined) return undefined;
  return {
    kind: 'retry',
    options: { attempts, initialInterval, timeout, maxRequestBodyBytes, status, disableRetryOnNetworkError, retryNonIdempotentMethod },
  };
}
