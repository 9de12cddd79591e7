/**
 * The runtime view of a compiled graph, made when first read (the API, `check`, tests) rather
 * than at each reload: with 100,000 routers, three records of 100,000 views each cost more than
 * a reload that changed one router. Its routers' record is made on its own first read.
 */
import type { DynamicConfig, MiddlewareConfig, ServiceConfig } from '../config/dynamic/types.js';
import type { BuiltService } from '../services/service.js';
import { effectivePriority, ENABLED, type BuiltRouter, type ObjectState } from './compile-router.js';
import type { BuiltServiceEntry, Mutable } from './compile.js';
import { providerOf, type MiddlewareView, type RouterView, type RuntimeView, type ServiceView } from './view.js';

/** The users other than routers of a service without a state. */
const NO_USERS: readonly string[] = Object.freeze([]);

/**
 * A graph's view, made by the function returned on its first call and kept. Routers are listed in configuration order; a service's or middleware's `usedBy` lists the
 * services and middlewares that refer to it, then the routers, in configuration order.
 */
export function lazyView(
  config: DynamicConfig,
  routers: ReadonlyMap<string, BuiltRouter>,
  services: ReadonlyMap<string, Mutable<ServiceConfig>>,
  middlewares: ReadonlyMap<string, Mutable<MiddlewareConfig>>,
  builtServices: ReadonlyMap<string, BuiltServiceEntry>,
): () => RuntimeView {
  let view: RuntimeView | undefined;
  return (): RuntimeView => {
    if (view !== undefined) return view;
    const routerUsers = new Map<string, string[]>();
    const use = (ref: string, name: string): void => {
      const list = routerUsers.get(ref);
      if (list === undefined) routerUsers.set(ref, [name]);
      else list.push(name);
    };
    for (const name of Object.keys(config.http.routers)) {
      const r = routers.get(name);
      if (r === undefined) continue;
      use(r.config.service, name);
      for (const ref of r.config.middlewares) use(`\0${ref}`, name);
    }
    const usedBy = (own: readonly string[], key: string): string[] => {
      const byRouters = routerUsers.get(key);
      if (byRouters === undefined) return own.length === 0 ? [] : own.slice();
      return own.length === 0 ? byRouters : [...own, ...byRouters];
    };
    // Every configured service, in configuration order; `services` holds the states of only some.
    const serviceViews: Record<string, ServiceView> = {};
    const serviceConfigs = config.http.services;
    for (const name of Object.keys(serviceConfigs)) {
      const st = services.get(name);
      serviceViews[name] = serviceView(name, serviceConfigs[name] as ServiceConfig, st ?? ENABLED, usedBy(st?.usedBy ?? NO_USERS, name), builtServices.get(name)?.service.health);
    }
    const middlewareViews: Record<string, MiddlewareView> = {};
    for (const [name, st] of middlewares) {
      middlewareViews[name] = { name, provider: providerOf(name), config: st.config, status: st.status, errors: st.errors, usedBy: usedBy(st.usedBy, `\0${name}`) };
    }
    // The routers' part on its own first read: the API reads the view at every reload for the
    // services' and middlewares' diff (history.ts), and 100,000 router views would be made for it.
    let routerViews: Record<string, RouterView> | undefined;
    const routerList = (): Record<string, RouterView> => {
      if (routerViews !== undefined) return routerViews;
      routerViews = {};
      for (const name of Object.keys(config.http.routers)) {
        const r = routers.get(name);
        if (r !== undefined) routerViews[name] = routerView(name, r);
      }
      return routerViews;
    };
    view = {
      get routers() {
        return routerList();
      },
      services: serviceViews,
      middlewares: middlewareViews,
    };
    return view;
  };
}

/** Router `name`'s view, made from what its compile kept (the same fields, in the same order, as ever). */
export function routerView(name: string, r: BuiltRouter): RouterView {
  return { name, provider: providerOf(name), config: r.config, priority: effectivePriority(r.config), using: r.using, status: r.status, errors: r.errors };
}

/** A service's view; `serverStatus` reads the built service's health live when it has one. */
function serviceView(name: string, config: ServiceConfig, s: ObjectState, usedBy: readonly string[], health: BuiltService['health']): ServiceView {
  const base = { name, provider: providerOf(name), config, status: s.status, errors: s.errors, usedBy };
  if (health === undefined) return base;
  return Object.defineProperty(base, 'serverStatus', { enumerable: true, get: () => health.serverStatus });
}

/**
 * `graph` with a `view` getter that runs `viewOf`. Made here, not by an object literal in the
 * compiler: a getter written there closes over the compiler's whole context, whose `input.previous`
 * is the previous graph, so each graph kept every earlier one alive (~0.5 MB per one-router reload
 * at 10,000 routers, for the life of the process).
 */
export function withView<G extends object>(graph: G, viewOf: () => RuntimeView): G & { readonly view: RuntimeView } {
  return Object.defineProperty(graph, 'view', { get: viewOf, enumerable: true, configurable: false }) as G & { readonly view: RuntimeView };
}
