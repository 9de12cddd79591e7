/**
 * List pages ask the API to filter, sort and page (its query parameters `search`, `status`,
 * `serviceName`, `middlewareName`, `sortBy`, `direction`, `page`, `per_page`; `X-Next-Page` says
 * whether more remain). Pure: tested in node.
 */
import type { Kind, ListQuery, Protocol } from './route.js';

export const PER_PAGE = 50;

/** The API path (relative to `<basePath>api/`) of one page of a list. */
export function listApiPath(protocol: Protocol, kind: Kind, q: ListQuery, perPage = PER_PAGE): string {
  const p = new URLSearchParams();
  if (q.search !== '') p.set('search', q.search);
  if (q.status !== '') p.set('status', q.status);
  if (kind === 'routers') {
    if (q.serviceName !== '') p.set('serviceName', q.serviceName);
    if (q.middlewareName !== '') p.set('middlewareName', q.middlewareName);
  }
  if (q.sortBy !== '') {
    p.set('sortBy', q.sortBy);
    p.set('direction', q.direction);
  }
  p.set('page', String(q.page));
  p.set('per_page', String(perPage));
  return `${protocol}/${kind}?${p.toString()}`;
}

/** Whether a next page exists: Traefik's X-Next-Page is page+1 when more remain, else 1. */
export function hasNextPage(xNextPage: string | null, page: number): boolean {
  const n = Number(xNextPage ?? '1');
  return Number.isInteger(n) && n > page;
}

/** `q` with one field changed; any change of filter goes back to page 1. */
export function withFilter(q: ListQuery, change: Partial<ListQuery>): ListQuery {
  const next = { ...q, ...change };
  return 'page' in change ? next : { ...next, page: 1 };
}

/** Clicking a column header: sort by it ascending, or flip the direction when it is the current one. */
export function toggleSort(q: ListQuery, column: string): ListQuery {
  if (q.sortBy === column) return { ...q, direction: q.direction === 'asc' ? 'desc' : 'asc', page: 1 };
  return { ...q, sortBy: column, direction: 'asc', page: 1 };
}

/** The aria-sort value of a column header. */
export function ariaSort(q: ListQuery, column: string): 'ascending' | 'descending' | 'none' {
  if (q.sortBy !== column) return column === 'name' && q.sortBy === '' ? 'ascending' : 'none';
  return q.direction === 'asc' ? 'ascending' : 'descending';
}

/** The columns a list shows, with the API's sortBy key when the column sorts. */
export interface Column {
  readonly key: string;
  readonly label: string;
  readonly sortBy?: string;
}

export function columnsOf(kind: Kind): readonly Column[] {
  switch (kind) {
    case 'routers':
      return [
        { key: 'status', label: 'Status', sortBy: 'status' },
        { key: 'name', label: 'Name', sortBy: 'name' },
        { key: 'rule', label: 'Rule', sortBy: 'rule' },
        { key: 'entryPoints', label: 'Entry points', sortBy: 'entryPoints' },
        { key: 'service', label: 'Service', sortBy: 'service' },
        { key: 'priority', label: 'Priority', sortBy: 'priority' },
        { key: 'provider', label: 'Provider', sortBy: 'provider' },
      ];
    case 'services':
      return [
        { key: 'status', label: 'Status', sortBy: 'status' },
        { key: 'name', label: 'Name', sortBy: 'name' },
        { key: 'type', label: 'Type', sortBy: 'type' },
        { key: 'servers', label: 'Servers', sortBy: 'servers' },
        { key: 'provider', label: 'Provider', sortBy: 'provider' },
      ];
    case 'middlewares':
      return [
        { key: 'status', label: 'Status', sortBy: 'status' },
        { key: 'name', label: 'Name', sortBy: 'name' },
        { key: 'type', label: 'Type', sortBy: 'type' },
        { key: 'provider', label: 'Provider', sortBy: 'provider' },
      ];
  }
}
