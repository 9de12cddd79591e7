/**
 * `accessLog.filters`, compiled: a line is kept when ANY configured filter matches (its status is
 * in `statusCodes`, it was retried with `retryAttempts`, it took longer than `minDuration`). No
 * filter configured (or an empty `filters`) keeps every line, as Traefik does.
 */
import type { AccessLogFilters } from '../../config/static/sections/access-log.js';
import { inStatusRanges, parseStatusRanges, type StatusRange } from '../../config/dynamic/schema/middlewares/status-ranges.js';

/** Returns the predicate, or undefined when every line is kept. */
export function compileFilters(filters: AccessLogFilters | undefined): ((status: number, retryAttempts: number, durationMs: number) => boolean) | undefined {
  if (filters === undefined) return undefined;
  const ranges: StatusRange[] = [];
  for (const text of filters.statusCodes) {
    const parsed = parseStatusRanges(text);
    if (typeof parsed !== 'string') ranges.push(...parsed);
  }
  const retries = filters.retryAttempts;
  const minDuration = filters.minDuration;
  if (ranges.length === 0 && !retries && minDuration <= 0) return undefined;
  return function keepLine(status: number, retryAttempts: number, durationMs: number): boolean {
    if (ranges.length > 0 && inStatusRanges(ranges, status)) return true;
    if (retries && retryAttempts > 0) return true;
    return minDuration > 0 && durationMs > minDuration;
  };
}
