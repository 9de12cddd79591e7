/**
 * The `api@internal` service: Traefik's REST API (traefik-reference §8) plus Turnpike's request
 * explainer (`/api/explain`) and configuration history (`/api/history`). Everything is GET and
 * JSON, under `api.basePath`. It answers from the compiled graph of the process that got the
 * request (with `workers: N` every worker holds the same configuration).
 *
 * Answers: lists are sorted and paged as Traefik does (X-Next-Page; a page beyond the data is a
 * 400 `invalid request: page: N, per_page: M`); an unknown name is a 404 `{"message":"router not
 * found: x@file"}` (Go's http.Error: text/plain); an unknown path is Go's `404 page not found`.
 * Every JSON body passes the secrets scrub (redact.ts).
 */
import { readFileSync } from 'node:fs';
import type { StaticConfig } from '../config/static/types.js';
import type { Exchange, Handler } from '../exchange/exchange.js';
import { HeaderList } from '../exchange/headers.js';
import type { CompiledGraph } from '../runtime/compile.js';
import { serveDashboard } from './dashboard/serve.js';
import { ExplainError, explainRequest } from './explain.js';
import type { ConfigHistory } from './history.js';
import { keep, paginate, readCriterion, sortItems, type ListKind } from './list-query.js';
import { redactArgv, scrub, viewSecrets } from './redact.js';
import { graphLists, withServerStatus, type GraphLists } from './views.js';
import { entryPointRep, nameOf, type Json, type JsonObject } from './wire.js';

export interface ApiSource {
  readonly config: StaticConfig;
  readonly history: ConfigHistory;
  /** When this process started (ISO 8601), for /api/version. */
  readonly startDate: string;
  /** The graph the entry points serve now (undefined before the first configuration). */
  graph(): CompiledGraph | undefined;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'dev';
  } catch {
    return 'dev';
  }
}

const VERSION = readVersion();
const EMPTY_GRAPH_VIEW = { routers: {}, services: {}, middlewares: {} };

function send(ex: Exchange, status: number, body: string, contentType: string, extra?: readonly [string, string][]): void {
  const headers = new HeaderList(['Content-Type', contentType]);
  for (const [k, v] of extra ?? []) headers.set(k, v);
  headers.set('Content-Length', String(Buffer.byteLength(body)));
  ex.response.writeHead(status, headers);
  ex.response.end(ex.method === 'HEAD' ? undefined : Buffer.from(body));
}

/** Go's http.Error with Traefik's JSON message. */
function sendError(ex: Exchange, status: number, message: string, secrets: readonly string[]): void {
  send(ex, status, scrub(JSON.stringify({ message }), secrets) + '\n', 'text/plain; charset=utf-8', [['X-Content-Type-Options', 'nosniff']]);
}

function notFound(ex: Exchange): void {
  send(ex, 404, '404 page not found\n', 'text/plain; charset=utf-8', [['X-Content-Type-Options', 'nosniff']]);
}

/** `name` in a path segment: percent-decoded (names may hold `/` as %2F). */
function segmentName(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Go struct names of the providers set, in Traefik's field order. */
function providers(config: StaticConfig): string[] {
  const out: string[] = [];
  if (config.providers.docker) out.push('Docker');
  if (config.providers.file) out.push('File');
  return out;
}

/** A static section other parts add (metrics, tracing, accessLog), read without depending on their types. */
function section(config: StaticConfig, key: string): Record<string, unknown> | undefined {
  const value: unknown = (config as unknown as Record<string, unknown>)[key];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function features(config: StaticConfig): JsonObject {
  const metrics = section(config, 'metrics');
  const names: [string, string][] = [
    ['prometheus', 'Prometheus'],
    ['datadog', 'Datadog'],
    ['statsD', 'StatsD'],
    ['influxDB2', 'InfluxDB2'],
    ['otlp', 'OTLP'],
  ];
  const metric = metrics === undefined ? undefined : names.find(([k]) => metrics[k] !== undefined && metrics[k] !== null);
  return { tracing: section(config, 'tracing') !== undefined ? 'OTLP' : '', metrics: metric?.[1] ?? '', accessLog: section(config, 'accessLog') !== undefined };
}

function counts(list: readonly JsonObject[]): JsonObject {
  let warnings = 0;
  let errors = 0;
  for (const o of list) {
    if (o['status'] === 'warning') warnings++;
    else if (o['status'] === 'disabled') errors++;
  }
  return { total: list.length, warnings, errors };
}

const ZERO = { total: 0, warnings: 0, errors: 0 };

export class ApiHandler {
  readonly #src: ApiSource;
  readonly #base: string;
  readonly handle: Handler;

  constructor(src: ApiSource) {
    this.#src = src;
    this.#base = src.config.api?.basePath ?? '/';
    this.handle = (ex) => this.#serve(ex);
  }

  #lists(graph: CompiledGraph | undefined): GraphLists {
    if (graph === undefined) return { routers: [], services: [], middlewares: [], routerByName: new Map(), serviceByName: new Map(), middlewareByName: new Map() };
    return graphLists(graph, this.#src.config);
  }

  #serve(ex: Exchange): void | Promise<void> {
    const path = ex.path;
    if (!path.startsWith(this.#base)) return notFound(ex);
    const rel = path.slice(this.#base.length - 1);
    const api = this.#src.config.api;
    if (rel === '/' || rel === '/dashboard' || rel.startsWith('/dashboard/')) {
      if (api?.dashboard === false) return notFound(ex);
      // The web dashboard: `<basePath>` redirects to `<basePath>dashboard/`, which serves the built files.
      return serveDashboard(ex, rel, this.#base);
    }
    if (rel === '/debug/vars' && api?.debug === true) {
      if (ex.method !== 'GET' && ex.method !== 'HEAD') return send(ex, 405, '', 'text/plain; charset=utf-8');
      const body = JSON.stringify({ cmdline: redactArgv(process.argv), memstats: process.memoryUsage(), uptime: process.uptime() });
      return send(ex, 200, body + '\n', 'application/json');
    }
    if (!rel.startsWith('/api/')) return notFound(ex);
    const parts = rel.slice('/api/'.length).split('/');
    const graph = this.#src.graph();
    const secrets = viewSecrets(graph?.view ?? EMPTY_GRAPH_VIEW);
    if (ex.method !== 'GET' && ex.method !== 'HEAD') return send(ex, 405, '', 'text/plain; charset=utf-8');
    const q = new URLSearchParams(ex.query ?? '');
    const json = (body: Json, extra?: readonly [string, string][]): void => send(ex, 200, scrub(JSON.stringify(body), secrets) + '\n', 'application/json', extra);
    const [a, b, c, d] = parts;
    if (d !== undefined) return notFound(ex);

    switch (a ?? '') {
      case 'overview':
        if (b !== undefined) return notFound(ex);
        return json(this.#overview(graph));
      case 'version':
        if (b !== undefined) return notFound(ex);
        return json({
          Version: VERSION,
          Codename: 'turnpike',
          startDate: this.#src.startDate,
          disableDashboardAd: api?.disableDashboardAd ?? false,
          ...(api?.dashboardName !== undefined ? { dashboardName: api.dashboardName } : {}),
        });
      case 'rawdata':
        if (b !== undefined) return notFound(ex);
        return json(this.#rawdata(graph));
      case 'history':
        if (b !== undefined) return notFound(ex);
        return json(this.#src.history.entries() as unknown as Json);
      case 'explain':
        if (b !== undefined) return notFound(ex);
        return this.#explain(ex, graph, q, secrets, json);
      case 'entrypoints': {
        if (c !== undefined) return notFound(ex);
        const eps = Object.values(this.#src.config.entryPoints).map(entryPointRep);
        if (b !== undefined) {
          const name = segmentName(b);
          const ep = eps.find((e) => e['name'] === name);
          return ep ? json(ep) : sendError(ex, 404, `entry point not found: ${name ?? b}`, secrets);
        }
        return this.#list(ex, eps, 'entrypoints', q, secrets, json);
      }
      case 'http': {
        const lists = this.#lists(graph);
        if (b !== 'routers' && b !== 'services' && b !== 'middlewares') return notFound(ex);
        const items = lists[b];
        if (c !== undefined) {
          const name = segmentName(c) ?? c;
          const byName = b === 'routers' ? lists.routerByName : b === 'services' ? lists.serviceByName : lists.middlewareByName;
          const item = byName.get(name);
          const what = b.slice(0, -1);
          if (item === undefined) return sendError(ex, 404, `${what} not found: ${name}`, secrets);
          return json(b === 'services' && graph ? withServerStatus(graph, item) : item);
        }
        return this.#list(ex, items, b, q, secrets, json, b === 'services' ? graph : undefined);
      }
      case 'tcp':
      case 'udp': {
        // TCP and UDP routing are not supported yet: the lists exist and are empty.
        const kinds = a === 'tcp' ? ['routers', 'services', 'middlewares'] : ['routers', 'services'];
        if (b === undefined || !kinds.includes(b)) return notFound(ex);
        if (c !== undefined) return sendError(ex, 404, `${b.slice(0, -1)} not found: ${segmentName(c) ?? c}`, secrets);
        return this.#list(ex, [], b as ListKind, q, secrets, json);
      }
      default:
        return notFound(ex);
    }
  }

  #list(
    ex: Exchange,
    all: readonly JsonObject[],
    kind: ListKind,
    q: URLSearchParams,
    secrets: readonly string[],
    json: (body: Json, extra?: readonly [string, string][]) => void,
    liveStatusFrom?: CompiledGraph,
  ): void {
    const criterion = readCriterion(q);
    const items = all.filter((o) => keep(o, criterion, kind === 'routers'));
    sortItems(items, kind, q);
    const page = paginate(q, items.length);
    if (typeof page === 'string') return sendError(ex, 400, page, secrets);
    let slice = items.slice(page.start, page.end);
    if (liveStatusFrom !== undefined) slice = slice.map((s) => withServerStatus(liveStatusFrom, s));
    json(slice, [['X-Next-Page', String(page.nextPage)]]);
  }

  #overview(graph: CompiledGraph | undefined): JsonObject {
    const lists = this.#lists(graph);
    const out: JsonObject = {
      http: { routers: counts(lists.routers), services: counts(lists.services), middlewares: counts(lists.middlewares) },
      tcp: { routers: ZERO, services: ZERO, middlewares: ZERO },
      udp: { routers: ZERO, services: ZERO },
      features: features(this.#src.config),
    };
    const p = providers(this.#src.config);
    if (p.length > 0) out['providers'] = p;
    return out;
  }

  #rawdata(graph: CompiledGraph | undefined): JsonObject {
    const lists = this.#lists(graph);
    const strip = (o: JsonObject, dropType: boolean): JsonObject => {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(o)) if (k !== 'name' && k !== 'provider' && !(dropType && k === 'type')) out[k] = v;
      return out;
    };
    const map = (list: readonly JsonObject[], dropType: boolean, live: boolean): JsonObject => {
      const out: JsonObject = {};
      for (const o of list) out[nameOf(o)] = strip(live && graph ? withServerStatus(graph, o) : o, dropType);
      return out;
    };
    const out: JsonObject = {};
    if (lists.routers.length > 0) out['routers'] = map(lists.routers, false, false);
    if (lists.middlewares.length > 0) out['middlewares'] = map(lists.middlewares, true, false);
    if (lists.services.length > 0) out['services'] = map(lists.services, true, true);
    return out;
  }

  #explain(ex: Exchange, graph: CompiledGraph | undefined, q: URLSearchParams, secrets: readonly string[], json: (body: Json) => void): void {
    const url = q.get('url');
    if (url === null || url === '') return sendError(ex, 400, 'explain needs url=<absolute URL>, e.g. /api/explain?url=http://example.com/path', secrets);
    if (graph === undefined) return sendError(ex, 503, 'no configuration applied yet', secrets);
    const headers: [string, string][] = [];
    for (const h of q.getAll('header')) {
      const colon = h.indexOf(':');
      if (colon <= 0) return sendError(ex, 400, `header must be name:value, got ${JSON.stringify(h)}`, secrets);
      headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
    }
    const limitRaw = q.get('limit');
    const limit = limitRaw === null ? undefined : Number(limitRaw);
    try {
      const body = explainRequest(graph, this.#src.config, {
        url,
        method: q.get('method') ?? 'GET',
        headers,
        ...(q.get('clientIP') ? { clientIP: q.get('clientIP') as string } : {}),
        ...(q.get('entryPoint') ? { entryPoint: q.get('entryPoint') as string } : {}),
        ...(limit !== undefined && Number.isInteger(limit) && limit >= 0 ? { limit } : {}),
      });
      json(body);
    } catch (err) {
      if (err instanceof ExplainError) return sendError(ex, 400, err.message, secrets);
      throw err;
    }
  }
}
