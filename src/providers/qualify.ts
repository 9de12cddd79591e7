/**
 * Provider namespaces, as Traefik: every object name becomes `name@provider`, and every reference
 * without `@` resolves in the referencing object's own provider (`service: api` in the file
 * provider means `api@file`); a reference that already names a provider (`api@docker`,
 * `noop@internal`) is kept as written. The TLS option `default` is not namespaced (it is shared).
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { setOwn } from '../config/dynamic/schema/fields.js';
import type {
  DynamicConfig,
  HttpConfig,
  MiddlewareConfig,
  ObjectOrigin,
  RouterConfig,
  ServersTransportConfig,
  ServiceConfig,
} from '../config/dynamic/types.js';
import type { ProviderMessage } from './provider.js';

export function qualifyName(name: string, provider: string): string {
  return name.includes('@') ? name : `${name}@${provider}`;
}

export interface QualifiedState {
  readonly http: HttpConfig;
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
}

/** Qualified origins per provider, for an origins map seen before (a reload that moved no line reuses it). */
const qualifiedOrigins = new WeakMap<ReadonlyMap<string, ObjectOrigin>, Map<string, ReadonlyMap<string, ObjectOrigin>>>();

/** The message's objects, references, origins and diagnostics, all qualified with its provider. */
export function qualifyMessage(message: ProviderMessage): QualifiedState {
  const p = message.provider;
  const { http } = message.config;
  let origins = qualifiedOrigins.get(message.origins)?.get(p);
  if (origins === undefined) {
    const fresh = new Map<string, ObjectOrigin>();
    for (const [key, origin] of message.origins) fresh.set(qualifyOriginKey(key, p), origin);
    origins = fresh;
    const perProvider = qualifiedOrigins.get(message.origins) ?? new Map<string, ReadonlyMap<string, ObjectOrigin>>();
    perProvider.set(p, origins);
    if (Object.isFrozen(message.origins)) qualifiedOrigins.set(message.origins, perProvider);
  }
  const diagnostics = message.diagnostics.map((d) => (d.object === undefined ? d : { ...d, object: qualifyName(d.object, p) }));
  return {
    http: {
      routers: mapValues(http.routers, p, (r) => qualifyRouter(r, p)),
      services: mapValues(http.services, p, (s) => qualifyService(s, p)),
      middlewares: mapValues(http.middlewares, p, (m): MiddlewareConfig => m),
      serversTransports: mapValues(http.serversTransports, p, (t): ServersTransportConfig => t),
    },
    origins,
    diagnostics,
  };
}

/** `http.routers.api` -> `http.routers.api@file` (the name is everything after the collection). */
function qualifyOriginKey(key: string, provider: string): string {
  const match = /^(http\.(?:routers|services|middlewares|serversTransports)\.)(.*)$/s.exec(key);
  return match === null ? key : `${match[1] ?? ''}${qualifyName(match[2] ?? '', provider)}`;
}

/**
 * Qualified versions of objects, per provider: an unchanged (same, frozen) object is qualified
 * once, and keeps one identity across reloads for the stages after this one.
 */
const qualified = new Map<string, WeakMap<object, unknown>>();

function mapValues<T extends object>(objects: Readonly<Record<string, T>>, provider: string, fn: (value: T) => T): Record<string, T> {
  let memo = qualified.get(provider);
  if (memo === undefined) {
    memo = new WeakMap();
    qualified.set(provider, memo);
  }
  const out: Record<string, T> = {};
  for (const name of Object.keys(objects)) {
    const value = objects[name] as T;
    let q = memo.get(value) as T | undefined;
    if (q === undefined) {
      q = fn(value);
      if (Object.isFrozen(value)) memo.set(value, q);
    }
    setOwn(out, qualifyName(name, provider), q);
  }
  return out;
}

function qualifyRouter(r: RouterConfig, p: string): RouterConfig {
  let tls = r.tls;
  if (tls?.options !== undefined && tls.options !== 'default') tls = { ...tls, options: qualifyName(tls.options, p) };
  return {
    ...r,
    service: qualifyName(r.service, p),
    middlewares: r.middlewares.map((m) => qualifyName(m, p)),
    tls,
  };
}

function qualifyService(s: ServiceConfig, p: string): ServiceConfig {
  if (s.kind !== 'loadBalancer') return s;
  const lb = s.loadBalancer;
  if (lb.serversTransport === undefined) return s;
  return { kind: 'loadBalancer', loadBalancer: { ...lb, serversTransport: qualifyName(lb.serversTransport, p) } };
}

/** Merges qualified states (already disjoint by provider suffix) in the given order. */
export function mergeStates(states: readonly QualifiedState[]): {
  config: DynamicConfig;
  origins: ReadonlyMap<string, ObjectOrigin>;
  diagnostics: readonly Diagnostic[];
} {
  const only = states.length === 1 ? states[0] : undefined;
  // One provider (the usual case): its state is the merged one, shared rather than copied.
  if (only !== undefined) return { config: { http: only.http }, origins: only.origins, diagnostics: only.diagnostics };
  const http: {
    routers: Record<string, RouterConfig>;
    services: Record<string, ServiceConfig>;
    middlewares: Record<string, MiddlewareConfig>;
    serversTransports: Record<string, ServersTransportConfig>;
  } = { routers: {}, services: {}, middlewares: {}, serversTransports: {} };
  const origins = new Map<string, ObjectOrigin>();
  const diagnostics: Diagnostic[] = [];
  for (const s of states) {
    for (const [k, v] of Object.entries(s.http.routers)) setOwn(http.routers, k, v);
    for (const [k, v] of Object.entries(s.http.services)) setOwn(http.services, k, v);
    for (const [k, v] of Object.entries(s.http.middlewares)) setOwn(http.middlewares, k, v);
    for (const [k, v] of Object.entries(s.http.serversTransports)) setOwn(http.serversTransports, k, v);
    for (const [k, v] of s.origins) origins.set(k, v);
    diagnostics.push(...s.diagnostics);
  }
  return { config: { http }, origins, diagnostics };
}
