/**
 * The dashboard's pages are hash routes (`#/http/routers?search=api`), so the server only ever
 * serves index.html and its assets. parseHash and formatRoute are inverse of each other for every
 * route they produce. Pure (no DOM): tested in node.
 */

export type Protocol = 'http' | 'tcp' | 'udp';
export type Kind = 'routers' | 'services' | 'middlewares';
export type StatusFilter = '' | 'enabled' | 'warning' | 'disabled';
export type Direction = 'asc' | 'desc';

export const PROTOCOLS: readonly Protocol[] = ['http', 'tcp', 'udp'];

/** The object kinds a protocol has (UDP has no middlewares). */
export function kindsOf(protocol: Protocol): readonly Kind[] {
  return protocol === 'udp' ? ['routers', 'services'] : ['routers', 'services', 'middlewares'];
}

/** A list page's filters: the API's own query parameters. */
export interface ListQuery {
  readonly search: string;
  readonly status: StatusFilter;
  /** 1-based. */
  readonly page: number;
  readonly sortBy: string;
  readonly direction: Direction;
  /** Routers only: those using this service / middleware. */
  readonly serviceName: string;
  readonly middlewareName: string;
}

export const EMPTY_QUERY: ListQuery = { search: '', status: '', page: 1, sortBy: '', direction: 'asc', serviceName: '', middlewareName: '' };

export interface ExplainParams {
  readonly url: string;
  readonly method: string;
  /** `Name: value` lines. */
  readonly headers: readonly string[];
  readonly clientIP: string;
  readonly entryPoint: string;
}

export const EMPTY_EXPLAIN: ExplainParams = { url: '', method: 'GET', headers: [], clientIP: '', entryPoint: '' };

export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'list'; readonly protocol: Protocol; readonly kind: Kind; readonly query: ListQuery }
  | { readonly page: 'detail'; readonly protocol: Protocol; readonly kind: Kind; readonly name: string }
  | { readonly page: 'explain'; readonly params: ExplainParams }
  | { readonly page: 'history' }
  | { readonly page: 'notFound'; readonly hash: string };

const STATUSES: readonly StatusFilter[] = ['', 'enabled', 'warning', 'disabled'];

function isProtocol(s: string | undefined): s is Protocol {
  return s === 'http' || s === 'tcp' || s === 'udp';
}

function isKind(protocol: Protocol, s: string | undefined): s is Kind {
  return (kindsOf(protocol) as readonly (string | undefined)[]).includes(s);
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function readQuery(q: URLSearchParams): ListQuery {
  const status = q.get('status') ?? '';
  const page = Number(q.get('page') ?? '1');
  const direction = q.get('direction');
  return {
    search: q.get('search') ?? '',
    status: (STATUSES as readonly string[]).includes(status) ? (status as StatusFilter) : '',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    sortBy: q.get('sortBy') ?? '',
    direction: direction === 'desc' ? 'desc' : 'asc',
    serviceName: q.get('serviceName') ?? '',
    middlewareName: q.get('middlewareName') ?? '',
  };
}

/** The route of a location hash (`#/http/routers`, `''` or `#/` = overview). */
export function parseHash(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const qAt = raw.indexOf('?');
  const pathPart = qAt < 0 ? raw : raw.slice(0, qAt);
  const q = new URLSearchParams(qAt < 0 ? '' : raw.slice(qAt + 1));
  const parts = pathPart.split('/').filter((p, i) => !(i === 0 && p === ''));
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const [a, b, c, ...rest] = parts;
  if (a === undefined) return { page: 'overview' };
  if (a === 'explain' && b === undefined) {
    return {
      page: 'explain',
      params: { url: q.get('url') ?? '', method: q.get('method') ?? 'GET', headers: q.getAll('header'), clientIP: q.get('clientIP') ?? '', entryPoint: q.get('entryPoint') ?? '' },
    };
  }
  if (a === 'history' && b === undefined) return { page: 'history' };
  if (isProtocol(a) && rest.length === 0) {
    if (b === undefined) return { page: 'list', protocol: a, kind: 'routers', query: readQuery(q) };
    if (isKind(a, b)) {
      if (c === undefined) return { page: 'list', protocol: a, kind: b, query: readQuery(q) };
      const name = decode(c);
      if (name !== undefined && name !== '') return { page: 'detail', protocol: a, kind: b, name };
    }
  }
  return { page: 'notFound', hash };
}

function queryString(q: ListQuery): string {
  const p = new URLSearchParams();
  if (q.search !== '') p.set('search', q.search);
  if (q.status !== '') p.set('status', q.status);
  if (q.serviceName !== '') p.set('serviceName', q.serviceName);
  if (q.middlewareName !== '') p.set('middlewareName', q.middlewareName);
  if (q.sortBy !== '') p.set('sortBy', q.sortBy);
  if (q.direction === 'desc') p.set('direction', 'desc');
  if (q.page > 1) p.set('page', String(q.page));
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

/** The hash of a route (`#/...`). */
export function formatRoute(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'history':
      return '#/history';
    case 'explain': {
      const p = new URLSearchParams();
      const e = route.params;
      if (e.url !== '') p.set('url', e.url);
      if (e.method !== '' && e.method !== 'GET') p.set('method', e.method);
      for (const h of e.headers) p.append('header', h);
      if (e.clientIP !== '') p.set('clientIP', e.clientIP);
      if (e.entryPoint !== '') p.set('entryPoint', e.entryPoint);
      const s = p.toString();
      return s === '' ? '#/explain' : `#/explain?${s}`;
    }
    case 'list':
      return `#/${route.protocol}/${route.kind}${queryString(route.query)}`;
    case 'detail':
      return `#/${route.protocol}/${route.kind}/${encodeURIComponent(route.name)}`;
    case 'notFound':
      return route.hash.startsWith('#') ? route.hash : `#${route.hash}`;
  }
}

/** Shorthands for links. */
export const listHref = (protocol: Protocol, kind: Kind, query: Partial<ListQuery> = {}): string =>
  formatRoute({ page: 'list', protocol, kind, query: { ...EMPTY_QUERY, ...query } });
export const detailHref = (protocol: Protocol, kind: Kind, name: string): string => formatRoute({ page: 'detail', protocol, kind, name });

/** Singular, for headings: routers -> Router. */
export function singular(kind: Kind): string {
  return kind === 'routers' ? 'Router' : kind === 'services' ? 'Service' : 'Middleware';
}

/** Display name of a protocol: http -> HTTP. */
export function protocolLabel(p: Protocol): string {
  return p.toUpperCase();
}
