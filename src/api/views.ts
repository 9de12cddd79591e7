/**
 * The API's object lists for one compiled graph: the user's routers, services and middlewares in
 * their API shape plus the internal ones Traefik also lists (api@internal, ping@internal, noop@internal,
 * entry-point redirections, ...). Built once per graph and cached (a graph never changes), except
 * `serverStatus`, which is read live when a service is served.
 */
import type { StaticConfig } from '../config/static/types.js';
import type { CompiledGraph } from '../runtime/compile.js';
import { middlewareRep } from './wire-middleware.js';
import { internalRouterRep, internalServiceRep, nameOf, routerRep, serverStatusOf, serviceRep, type JsonObject } from './wire.js';

export interface GraphLists {
  /** Sorted by name. */
  readonly routers: readonly JsonObject[];
  /** Sorted by name; without serverStatus (see withServerStatus). */
  readonly services: readonly JsonObject[];
  readonly middlewares: readonly JsonObject[];
  readonly routerByName: ReadonlyMap<string, JsonObject>;
  readonly serviceByName: ReadonlyMap<string, JsonObject>;
  readonly middlewareByName: ReadonlyMap<string, JsonObject>;
}

const cache = new WeakMap<CompiledGraph, GraphLists>();

const byName = (a: JsonObject, b: JsonObject): number => {
  const x = nameOf(a);
  const y = nameOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The service an internal router serves: a redirection router uses noop@internal, others their own name. */
export function internalRouterService(name: string): string {
  return /-to-.*@internal$/.test(name) ? 'noop@internal' : name;
}

/**
 * The redirectScheme middleware of an entry-point redirection router (`<ep>-to-<target>@internal`),
 * as Traefik lists it: `redirect-<router>@internal`. Undefined for other internal routers.
 */
function redirectionMiddleware(config: StaticConfig, router: string, eps: readonly string[]): JsonObject | undefined {
  const ep = eps.length === 1 ? config.entryPoints[eps[0] as string] : undefined;
  const redirect = ep?.http.redirections?.entryPoint;
  if (ep === undefined || redirect === undefined || !router.startsWith(`${ep.name}-to-`)) return undefined;
  const port = redirect.to.startsWith(':') ? redirect.to.slice(1) : String(config.entryPoints[redirect.to]?.port ?? '');
  const options: JsonObject = { scheme: redirect.scheme, port };
  if (redirect.permanent) options['permanent'] = true;
  return { redirectScheme: options, status: 'enabled', usedBy: [router], name: `redirect-${router}`, provider: 'internal', type: 'redirectscheme' };
}

function build(graph: CompiledGraph, config: StaticConfig): GraphLists {
  const routers: JsonObject[] = [];
  const services: JsonObject[] = [];
  const middlewares: JsonObject[] = [];
  const internalUse = new Map<string, string[]>();
  const useInternal = (service: string, router: string): void => {
    const list = internalUse.get(service);
    if (list === undefined) internalUse.set(service, [router]);
    else if (!list.includes(router)) list.push(router);
  };

  for (const v of Object.values(graph.view.routers)) {
    routers.push(routerRep(v));
    if (v.config.service.endsWith('@internal')) useInternal(v.config.service, v.name);
  }
  // Internal routers: the route tables' entries named *@internal, one object per name.
  const internal = new Map<string, { rule: string; priority: number; eps: string[] }>();
  for (const [ep, t] of graph.routeTables ?? []) {
    for (const e of [...t.plain.entries, ...t.tls.entries]) {
      if (!e.name.endsWith('@internal') || Object.hasOwn(graph.view.routers, e.name)) continue;
      const seen = internal.get(e.name);
      if (seen === undefined) internal.set(e.name, { rule: e.rule.source, priority: e.priority, eps: [ep] });
      else if (!seen.eps.includes(ep)) seen.eps.push(ep);
    }
  }
  for (const [name, r] of internal) {
    const service = internalRouterService(name);
    const redirect = redirectionMiddleware(config, name, r.eps);
    if (redirect !== undefined) middlewares.push(redirect);
    routers.push(internalRouterRep(name, r.rule, r.priority, r.eps, service, redirect ? [nameOf(redirect)] : []));
    useInternal(service, name);
  }

  for (const v of Object.values(graph.view.services)) services.push(serviceRep(v));
  const internalServices = new Set<string>(['noop@internal', ...internalUse.keys()]);
  if (config.api) {
    internalServices.add('api@internal');
    if (config.api.dashboard) internalServices.add('dashboard@internal');
  }
  if (config.ping) internalServices.add('ping@internal');
  for (const name of internalServices) {
    if (!Object.hasOwn(graph.view.services, name)) services.push(internalServiceRep(name, internalUse.get(name) ?? []));
  }

  for (const v of Object.values(graph.view.middlewares)) middlewares.push(middlewareRep(v));

  routers.sort(byName);
  services.sort(byName);
  middlewares.sort(byName);
  const index = (list: JsonObject[]): Map<string, JsonObject> => new Map(list.map((o) => [nameOf(o), o]));
  return { routers, services, middlewares, routerByName: index(routers), serviceByName: index(services), middlewareByName: index(middlewares) };
}

/** The lists of `graph`, built on first use. */
export function graphLists(graph: CompiledGraph, config: StaticConfig): GraphLists {
  let lists = cache.get(graph);
  if (lists === undefined) {
    lists = build(graph, config);
    cache.set(graph, lists);
  }
  return lists;
}

/** A service object with its live serverStatus (UP/DOWN per server URL) put back in. */
export function withServerStatus(graph: CompiledGraph, service: JsonObject): JsonObject {
  const v = graph.view.services[nameOf(service)];
  const status = v === undefined ? undefined : serverStatusOf(v);
  if (status === undefined || Object.keys(status).length === 0) return service;
  // Keep Traefik's field order: serverStatus before name/provider/type.
  const out: JsonObject = {};
  for (const [k, value] of Object.entries(service)) {
    if (k === 'name') out['serverStatus'] = status;
    if (k !== 'serverStatus') out[k] = value;
  }
  return out;
}
