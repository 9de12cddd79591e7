/**
 * List endpoints' query parameters, as Traefik's API reads them: `search` (case-insensitive
 * substring of the name, and of the rule for routers), `status`, `serviceName` and
 * `middlewareName` (routers), `sortBy` + `direction`, `page` + `per_page` (X-Next-Page).
 */
import type { JsonObject } from './wire.js';

export const DEFAULT_PER_PAGE = 100;

export interface Criterion {
  readonly search: string;
  readonly status: string;
  readonly serviceName: string;
  readonly middlewareName: string;
}

export function readCriterion(q: URLSearchParams): Criterion {
  return {
    search: q.get('search') ?? '',
    status: q.get('status') ?? '',
    serviceName: q.get('serviceName') ?? '',
    middlewareName: q.get('middlewareName') ?? '',
  };
}

function str(o: JsonObject, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

function list(o: JsonObject, key: string): string[] {
  const v = o[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Traefik's serviceName filter: a qualified router service must equal it; an unqualified one must equal its name part. */
function serviceMatches(wanted: string, routerService: string): boolean {
  if (wanted === '') return true;
  if (routerService.includes('@')) return wanted === routerService;
  return wanted.split('@')[0] === routerService;
}

/** Whether an item (router when `router`, else service or middleware) passes the filters. */
export function keep(item: JsonObject, c: Criterion, router: boolean): boolean {
  if (c.status !== '' && str(item, 'status').toLowerCase() !== c.status.toLowerCase()) return false;
  if (c.search !== '') {
    const needle = c.search.toLowerCase();
    const haystack = router ? [str(item, 'rule'), str(item, 'name')] : [str(item, 'name')];
    if (!haystack.some((h) => h.toLowerCase().includes(needle))) return false;
  }
  if (router) {
    if (!serviceMatches(c.serviceName, str(item, 'service'))) return false;
    if (c.middlewareName !== '' && !list(item, 'middlewares').includes(c.middlewareName)) return false;
  }
  return true;
}

export type ListKind = 'routers' | 'services' | 'middlewares' | 'entrypoints';

function serversCount(o: JsonObject): number {
  const lb = o['loadBalancer'];
  if (lb === undefined || lb === null || typeof lb !== 'object' || Array.isArray(lb)) return 0;
  const servers = lb['servers'];
  return Array.isArray(servers) ? servers.length : 0;
}

function priorityOf(o: JsonObject): number {
  const p = o['priority'];
  return typeof p === 'number' ? p : 0;
}

/** The sort key function for `sortBy` (undefined = by name). */
function sortKey(kind: ListKind, sortBy: string): ((o: JsonObject) => string | number) | undefined {
  if (kind === 'routers') {
    switch (sortBy) {
      case 'provider':
      case 'status':
      case 'rule':
      case 'service':
        return (o) => str(o, sortBy);
      case 'priority':
        return priorityOf;
      case 'entryPoints':
        return (o) => list(o, 'entryPoints').length;
      default:
        return undefined;
    }
  }
  switch (sortBy) {
    case 'type':
    case 'provider':
    case 'status':
      return (o) => str(o, sortBy);
    case 'servers':
      return kind === 'services' ? serversCount : undefined;
    default:
      return undefined;
  }
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place as Traefik does: by the key, then by name; `direction=desc` reverses both. */
export function sortItems(items: JsonObject[], kind: ListKind, q: URLSearchParams): void {
  const key = sortKey(kind, q.get('sortBy') ?? '');
  const sign = q.get('direction') === 'desc' ? -1 : 1;
  items.sort((a, b) => {
    if (key !== undefined) {
      const c = compare(key(a), key(b));
      if (c !== 0) return sign * c;
    }
    return sign * compare(str(a, 'name'), str(b, 'name'));
  });
}

export interface Page {
  readonly start: number;
  readonly end: number;
  readonly nextPage: number;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Go's strconv.Atoi then the `value <= 0` check. Traefik's message prints the parsed value: 0 when
 * it is not a decimal integer (`abc`, `1e9`), Atoi's clamp to int64 when out of range. The value is
 * a Number (exact up to 2^53; beyond that only "larger than any list" matters).
 */
function intParam(q: URLSearchParams, key: string, fallback: number): { value: number; text: string } | string {
  const raw = q.get(key) ?? '';
  if (raw === '') return { value: fallback, text: String(fallback) };
  let value = 0n;
  let ok = false;
  if (/^[+-]?\d+$/.test(raw)) {
    value = BigInt(raw);
    ok = value >= INT64_MIN && value <= INT64_MAX;
    if (!ok) value = value < 0n ? INT64_MIN : INT64_MAX;
  }
  if (!ok || value <= 0n) return `invalid request: ${key}: ${value}`;
  return { value: Number(value), text: String(value) };
}

/** The slice to serve, or the 400 message (`invalid request: page: N, per_page: M`). */
export function paginate(q: URLSearchParams, total: number): Page | string {
  const perPageParam = intParam(q, 'per_page', DEFAULT_PER_PAGE);
  if (typeof perPageParam === 'string') return perPageParam;
  const pageParam = intParam(q, 'page', 1);
  if (typeof pageParam === 'string') return pageParam;
  const perPage = perPageParam.value;
  const page = pageParam.value;
  const start = (page - 1) * perPage;
  if (start !== 0 && start >= total) return `invalid request: page: ${pageParam.text}, per_page: ${perPageParam.text}`;
  const end = Math.min(start + perPage, total);
  return { start, end, nextPage: page * perPage < total ? page + 1 : 1 };
}
