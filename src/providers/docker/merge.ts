/**
 * Merging the containers' configurations into the provider's one, as Traefik's provider.Merge:
 * containers are taken in `<service name>-<id>` order; an object name defined by several
 * containers is kept when they all define it the same way; a loadBalancer service defined by
 * several containers (a scaled compose service) is one service whose servers are the union of
 * theirs, when everything but the servers is the same. Any other difference is a conflict: the
 * object is left out, with an error naming the containers.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { sameData } from '../../config/dynamic/same-data.js';
import { setOwn } from '../../config/dynamic/schema/fields.js';
import type { DynamicConfig, MiddlewareConfig, ObjectOrigin, RouterConfig, ServiceConfig, TlsStoreConfig } from '../../config/dynamic/types.js';
import type { ContainerBuild } from './build-container.js';
import { containerSource } from './labels.js';
import { TRANSLATE_CODES } from './translate-codes.js';

export interface MergedConfig {
  readonly config: DynamicConfig;
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
}

interface Slot<T> {
  value: T;
  readonly containers: string[];
  conflict: boolean;
}

class Collection<T> {
  readonly slots = new Map<string, Slot<T>>();

  constructor(
    /** `http.routers` ... for origins and diagnostics. */
    readonly key: string,
    readonly what: string,
    /** The merged value when `next` may join `current`, else undefined (conflict). */
    readonly join: (current: T, next: T) => T | undefined,
  ) {}

  add(name: string, value: T, container: string): void {
    const slot = this.slots.get(name);
    if (slot === undefined) {
      this.slots.set(name, { value, containers: [container], conflict: false });
      return;
    }
    if (!slot.containers.includes(container)) slot.containers.push(container);
    if (slot.conflict) return;
    const joined = this.join(slot.value, value);
    if (joined === undefined) slot.conflict = true;
    else slot.value = joined;
  }

  /** Kept objects into `into`, origins and conflict diagnostics. */
  finish(into: Record<string, T>, origins: Map<string, ObjectOrigin>, diagnostics: Diagnostic[]): void {
    for (const [name, slot] of this.slots) {
      const first = slot.containers[0] ?? '';
      origins.set(`${this.key}.${name}`, { source: containerSource(first) });
      if (!slot.conflict) {
        setOwn(into, name, slot.value);
        continue;
      }
      diagnostics.push({
        code: TRANSLATE_CODES.CONFLICT,
        severity: 'error',
        message: `${this.what} "${name}" is defined differently by containers ${slot.containers.map((c) => JSON.stringify(c)).join(', ')}; it is left out`,
        source: containerSource(first),
        path: `${this.key}.${name}`,
        object: name,
      });
    }
  }
}

const same = <T>(a: T, b: T): T | undefined => (sameData(a, b) ? a : undefined);

/** Scaled containers: one loadBalancer whose servers are the union (by URL), when the rest is equal. */
function joinServices(a: ServiceConfig, b: ServiceConfig): ServiceConfig | undefined {
  if (a.kind !== 'loadBalancer' || b.kind !== 'loadBalancer') return same(a, b);
  const { servers: sa, ...restA } = a.loadBalancer;
  const { servers: sb, ...restB } = b.loadBalancer;
  if (!sameData(restA, restB)) return undefined;
  const urls = new Set(sa.map((s) => s.url));
  const servers = [...sa, ...sb.filter((s) => !urls.has(s.url))];
  return { kind: 'loadBalancer', loadBalancer: { ...a.loadBalancer, servers } };
}

/** Merges the builds (already in Traefik's order) into one configuration. */
export function mergeContainers(builds: readonly ContainerBuild[]): MergedConfig {
  const routers = new Collection<RouterConfig>('http.routers', 'router', same);
  const services = new Collection<ServiceConfig>('http.services', 'service', joinServices);
  const middlewares = new Collection<MiddlewareConfig>('http.middlewares', 'middleware', same);
  const stores = new Collection<TlsStoreConfig>('tls.stores', 'TLS store', same);
  const diagnostics: Diagnostic[] = [];
  let anyTls = false;
  for (const build of builds) {
    diagnostics.push(...build.diagnostics);
    const config = build.validation?.config;
    if (config === undefined) continue;
    for (const [name, r] of Object.entries(config.http.routers)) routers.add(name, r, build.name);
    for (const [name, s] of Object.entries(config.http.services)) services.add(name, s, build.name);
    for (const [name, m] of Object.entries(config.http.middlewares)) middlewares.add(name, m, build.name);
    if (config.tls !== undefined) {
      anyTls = true;
      for (const [name, s] of Object.entries(config.tls.stores)) stores.add(name, s, build.name);
    }
  }
  const origins = new Map<string, ObjectOrigin>();
  const http = {
    routers: {} as Record<string, RouterConfig>,
    services: {} as Record<string, ServiceConfig>,
    middlewares: {} as Record<string, MiddlewareConfig>,
    serversTransports: {},
  };
  routers.finish(http.routers, origins, diagnostics);
  services.finish(http.services, origins, diagnostics);
  middlewares.finish(http.middlewares, origins, diagnostics);
  const tlsStores: Record<string, TlsStoreConfig> = {};
  stores.finish(tlsStores, origins, diagnostics);
  const config: DynamicConfig = anyTls ? { http, tls: { certificates: [], options: {}, stores: tlsStores } } : { http };
  return { config, origins, diagnostics };
}
