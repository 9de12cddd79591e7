/**
 * The compiler: snapshot + static configuration -> one immutable handler per entry point, plus
 * the runtime view with each object's status. It is total: a broken object (bad rule, missing
 * service or middleware, unknown entry point) is disabled with a coded diagnostic and the rest
 * compiles (Traefik's router manager); nothing here throws for bad configuration.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import type {
  DynamicConfig,
  LoadBalancerConfig,
  MiddlewareConfig,
  ObjectOrigin,
  RouterConfig,
  ServersTransportConfig,
} from '../config/dynamic/types.js';
import type { EntryPointConfig, StaticConfig } from '../config/static/types.js';
import type { Exchange, Handler, Middleware } from '../exchange/exchange.js';
import { type BuildContext, createMiddleware } from '../middlewares/registry.js';
import { statusText } from '../errors/codes.js';
import { createRedirectSchemeHandler } from '../middlewares/redirect-scheme/redirect-scheme.js';
import { compileRule, createIndexedTable, defaultPriority, type CompiledRule, type RouteEntry } from '../rules/index.js';
import type { BuiltService } from '../services/service.js';
import { providerOf, type MiddlewareView, type ObjectStatus, type RouterView, type RuntimeView, type ServiceView } from './view.js';

export interface CompileDeps {
  /** Builds a load-balancer service; throws an Error with a user-facing message on bad input. */
  buildLoadBalancer(name: string, cfg: LoadBalancerConfig, transport: ServersTransportConfig, transportName: string): BuiltService;
  /** Read by `ping@internal`: true once shutdown started (ping then answers terminatingStatusCode). */
  readonly lifecycle?: { readonly terminating: boolean };
}

export interface CompileInput {
  readonly staticConfig: StaticConfig;
  readonly config: DynamicConfig;
  readonly origins?: ReadonlyMap<string, ObjectOrigin>;
  /**
   * The graph this one replaces: a service or middleware whose configuration object is the same
   * (unchanged objects keep their identity from the provider on) keeps its built handler, with its
   * state (round-robin position, connection pools), instead of being built again.
   */
  readonly previous?: CompiledGraph;
}

/** What a graph built, for the next compile to reuse. */
interface Built {
  readonly services: ReadonlyMap<string, { readonly config: object; readonly transport: object; readonly handler: Handler }>;
  readonly middlewares: ReadonlyMap<string, BuiltMiddleware>;
}

/** A built middleware and what it refers to (by qualified name, and what that was when built). */
interface BuiltMiddleware {
  readonly config: object;
  readonly middleware: Middleware;
  readonly uses: readonly { readonly kind: 'middleware' | 'service'; readonly ref: string; readonly target: unknown }[];
}

export interface CompiledGraph {
  /** One handler per HTTP entry point. */
  readonly entryPoints: ReadonlyMap<string, Handler>;
  readonly view: RuntimeView;
  readonly diagnostics: readonly Diagnostic[];
  readonly built: Built;
}

/** Go's http.NotFound body, newline included. */
const NOT_FOUND_BODY = '404 page not found\n';
/** Traefik gives internal routers MaxInt and entry-point redirections MaxInt-1. */
const INTERNAL_PRIORITY = Number.MAX_SAFE_INTEGER;

function notFound(ex: Exchange): void {
  ex.response.sendText(404, NOT_FOUND_BODY);
}

/** Entry points a router attaches to when it names none: the `asDefault` ones, else every TCP one. */
function defaultEntryPoints(eps: readonly EntryPointConfig[]): string[] {
  const tcp = eps.filter((e) => e.protocol === 'tcp');
  const marked = tcp.filter((e) => e.asDefault);
  return (marked.length > 0 ? marked : tcp).map((e) => e.name);
}

/** One default transport object per static configuration, so services built on it can be reused. */
const staticTransports = new WeakMap<StaticConfig, ServersTransportConfig>();

function staticTransport(s: StaticConfig): ServersTransportConfig {
  let transport = staticTransports.get(s);
  if (transport === undefined) {
    transport = makeStaticTransport(s);
    staticTransports.set(s, transport);
  }
  return transport;
}

function makeStaticTransport(s: StaticConfig): ServersTransportConfig {
  const t = s.serversTransport;
  return {
    serverName: undefined,
    insecureSkipVerify: t.insecureSkipVerify,
    rootCAs: t.rootCAs,
    // Traefik (Go) reads 0 as http.DefaultMaxIdleConnsPerHost (2); the dynamic model stores the real count.
    maxIdleConnsPerHost: t.maxIdleConnsPerHost === 0 ? 2 : t.maxIdleConnsPerHost,
    forwardingTimeouts: t.forwardingTimeouts,
    certificates: [],
    cipherSuites: [],
    minVersion: undefined,
    maxVersion: undefined,
    disableHTTP2: false,
  };
}

interface Mutable<V> {
  status: ObjectStatus;
  errors: string[];
  usedBy: string[];
  config: V;
}

/**
 * Rules compiled by the latest compile(), by rule text. Compiled rules are immutable (their
 * predicates keep no state), so a reload reuses those of unchanged routers and compiles only new
 * rule texts; each compile() keeps only the rules it used, so the cache never outgrows one
 * configuration.
 */
let ruleCache = new Map<string, CompiledRule>();

function cachedRule(text: string, next: Map<string, CompiledRule>): CompiledRule {
  let rule = next.get(text) ?? ruleCache.get(text);
  if (rule === undefined) rule = compileRule(text);
  next.set(text, rule);
  return rule;
}

export function compile(input: CompileInput, deps: CompileDeps): CompiledGraph {
  const { staticConfig, config } = input;
  const rules = new Map<string, CompiledRule>();
  const diagnostics: Diagnostic[] = [];
  const epList = Object.values(staticConfig.entryPoints);
  const epNames = new Set(epList.filter((e) => e.protocol === 'tcp').map((e) => e.name));
  const defaults = defaultEntryPoints(epList);

  const report = (kind: 'routers' | 'services' | 'middlewares', name: string, code: string, message: string): void => {
    const origin = input.origins?.get(`http.${kind}.${name}`);
    diagnostics.push({
      code,
      severity: 'error',
      message,
      object: name,
      path: `http.${kind}.${name}`,
      ...(origin ? { source: origin.source } : {}),
      ...(origin?.line !== undefined ? { line: origin.line } : {}),
    });
  };

  // --- services -------------------------------------------------------------------------------
  const defaultTransport = staticTransport(staticConfig);
  const services = new Map<string, Mutable<(typeof config.http.services)[string]>>();
  const builtServices = new Map<string, { config: object; transport: object; handler: Handler }>();
  const before = input.previous?.built;
  const serviceConfigs = config.http.services;
  // Object.keys, not Object.entries: no pair array per object (100,000 of them).
  for (const name of Object.keys(serviceConfigs)) {
    const svc = serviceConfigs[name] as (typeof serviceConfigs)[string];
    const state: Mutable<typeof svc> = { status: 'enabled', errors: [], usedBy: [], config: svc };
    services.set(name, state);
    if (svc.kind !== 'loadBalancer') {
      state.status = 'disabled';
      state.errors.push(`"${svc.kind}" services are not supported yet`);
      report('services', name, 'TPK_CFG_UNSUPPORTED', `"${svc.kind}" services are not supported yet`);
      continue;
    }
    const tName = svc.loadBalancer.serversTransport ?? 'default@internal';
    const transport = svc.loadBalancer.serversTransport === undefined ? defaultTransport : config.http.serversTransports[tName];
    if (transport === undefined) {
      state.status = 'disabled';
      state.errors.push(`serversTransport "${tName}" does not exist`);
      report('services', name, 'TPK_CFG_MISSING_TRANSPORT', `serversTransport "${tName}" does not exist`);
      continue;
    }
    const kept = before?.services.get(name);
    if (kept !== undefined && kept.config === svc && kept.transport === transport) {
      builtServices.set(name, kept);
      continue;
    }
    try {
      const { handler } = deps.buildLoadBalancer(name, svc.loadBalancer, transport, tName);
      builtServices.set(name, { config: svc, transport, handler });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      state.status = 'disabled';
      state.errors.push(msg);
      report('services', name, 'TPK_CFG_SERVICE_BUILD', msg);
    }
  }

  // Internal services a router may name: noop@internal (answers 200 with no body, for routers that
  // only redirect) and ping@internal (for ping.manualRouting).
  const internalServices = new Map<string, Handler>([['noop@internal', noopService]]);
  if (staticConfig.ping) internalServices.set('ping@internal', createPingHandler(staticConfig.ping.terminatingStatusCode, deps.lifecycle));

  // An object the provider declared but left out (invalid) is in `origins` without being in the config.
  const leftOut = (kind: 'services' | 'middlewares', ref: string): boolean =>
    input.origins?.has(`http.${kind}.${ref}`) === true && !(ref in config.http[kind]);

  // --- middlewares ---------------------------------------------------------------------------
  // Built on demand, so a middleware that refers to others (chain) or to a service (errors) finds
  // them built first; a reference loop is an error of every middleware on it.
  const middlewares = new Map<string, Mutable<MiddlewareConfig>>();
  const middlewareBuilt = new Map<string, Middleware>();
  const builtMiddlewares = new Map<string, BuiltMiddleware>();
  const building: string[] = [];
  const middlewareConfigs = config.http.middlewares;
  for (const name of Object.keys(middlewareConfigs)) {
    const mw = middlewareConfigs[name] as MiddlewareConfig;
    middlewares.set(name, { status: 'enabled', errors: [], usedBy: [], config: mw });
  }
  const lookupService = (ref: string): Handler => {
    const h = builtServices.get(ref)?.handler ?? internalServices.get(ref);
    if (h !== undefined) return h;
    const svc = services.get(ref);
    if (svc !== undefined) throw new Error(`service "${ref}" is disabled: ${svc.errors.join('; ')}`);
    throw new Error(leftOut('services', ref) ? `service "${ref}" is invalid (see its own error)` : `service "${ref}" does not exist`);
  };
  const buildMiddleware = (name: string): Middleware => {
    const done = middlewareBuilt.get(name);
    if (done !== undefined) return done;
    const state = middlewares.get(name);
    if (state === undefined) {
      throw new Error(leftOut('middlewares', name) ? `middleware "${name}" is invalid (see its own error)` : `middleware "${name}" does not exist`);
    }
    if (state.status === 'disabled') throw new Error(`middleware "${name}" is disabled: ${state.errors.join('; ')}`);
    if (building.includes(name)) throw new Error(`reference loop: ${[...building.slice(building.indexOf(name)), name].join(' -> ')}`);
    building.push(name);
    try {
      const provider = providerOf(name);
      const qualify = (ref: string): string => (ref.includes('@') || provider === '' ? ref : `${ref}@${provider}`);
      // Reuse what the previous graph built when the configuration object and everything it
      // refers to are the same objects: its state (rate-limit buckets, counters) carries over.
      const kept = before?.middlewares.get(name);
      if (kept !== undefined && kept.config === state.config && kept.uses.every((u) => (u.kind === 'middleware' ? buildMiddleware(u.ref) : lookupService(u.ref)) === u.target)) {
        middlewareBuilt.set(name, kept.middleware);
        builtMiddlewares.set(name, kept);
        return kept.middleware;
      }
      const uses: BuiltMiddleware['uses'][number][] = [];
      const ctx: BuildContext = {
        name,
        middleware(ref) {
          const q = qualify(ref);
          const target = buildMiddleware(q);
          middlewares.get(q)?.usedBy.push(name);
          uses.push({ kind: 'middleware', ref: q, target });
          return target;
        },
        service(ref) {
          const q = qualify(ref);
          const target = lookupService(q);
          const svcState = services.get(q);
          if (svcState) svcState.usedBy = [...svcState.usedBy, name];
          uses.push({ kind: 'service', ref: q, target });
          return target;
        },
      };
      const built = createMiddleware(state.config, ctx);
      middlewareBuilt.set(name, built);
      builtMiddlewares.set(name, { config: state.config, middleware: built, uses });
      return built;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      // A loop fails every middleware on it once each (the inner ones see the outer ones' error).
      if (state.errors.length === 0) {
        state.status = 'disabled';
        state.errors.push(msg);
        report('middlewares', name, 'TPK_CFG_MIDDLEWARE_BUILD', msg);
      }
      throw err;
    } finally {
      building.pop();
    }
  };
  for (const name of middlewares.keys()) {
    try {
      buildMiddleware(name);
    } catch {
      // Recorded on the middleware (disabled, with its reason); routers using it report it.
    }
  }

  // --- routers ---------------------------------------------------------------------------------
  const routerViews: Record<string, RouterView> = {};
  // Two tables per entry point: routers with `tls` serve only requests that arrived over TLS,
  // routers without it only plain ones (the same host may need two routers, as in Traefik).
  const tables = new Map<string, { plain: RouteEntry<Handler>[]; tls: RouteEntry<Handler>[] }>();
  for (const ep of epList) if (ep.protocol === 'tcp') tables.set(ep.name, { plain: [], tls: [] });

  const resolveMiddleware = (ref: string): Middleware | string => {
    const built = middlewareBuilt.get(ref);
    if (built) return built;
    const state = middlewares.get(ref);
    if (state !== undefined) return `middleware "${ref}" is disabled: ${state.errors.join('; ')}`;
    return leftOut('middlewares', ref) ? `middleware "${ref}" is invalid (see its own error)` : `middleware "${ref}" does not exist`;
  };

  const routerConfigs = config.http.routers;
  for (const name of Object.keys(routerConfigs)) {
    const router = routerConfigs[name] as RouterConfig;
    const errors: string[] = [];
    const fail = (code: string, message: string): void => {
      errors.push(message);
      report('routers', name, code, message);
    };
    const eps = router.entryPoints ?? defaults;
    // Usually every named entry point exists: then the (frozen) list itself is `using`, no copy.
    const using = eps.every((e) => epNames.has(e)) ? eps : eps.filter((e) => epNames.has(e));
    for (const e of eps) if (!epNames.has(e)) fail('TPK_CFG_UNKNOWN_ENTRYPOINT', `entryPoint "${e}" does not exist`);

    let rule: CompiledRule | undefined;
    try {
      rule = cachedRule(router.rule, rules);
    } catch (err) {
      fail('TPK_CFG_BAD_RULE', err instanceof Error ? err.message : String(err));
    }

    const svcHandler = builtServices.get(router.service)?.handler ?? internalServices.get(router.service);
    const svcState = services.get(router.service);
    // A one-element literal: push() on an empty array reserves room for 17 (per service, 100,000 times).
    if (svcState) {
      if (svcState.usedBy.length === 0) svcState.usedBy = [name];
      else svcState.usedBy.push(name);
    }
    if (!svcHandler) {
      if (UNSUPPORTED_INTERNAL_SERVICES.has(router.service)) {
        fail('TPK_CFG_UNSUPPORTED', `service "${router.service}" is a Traefik internal service Turnpike does not support yet`);
      } else {
        const why = svcState
          ? `service "${router.service}" is disabled: ${svcState.errors.join('; ')}`
          : leftOut('services', router.service)
            ? `service "${router.service}" is invalid (see its own error)`
            : `service "${router.service}" does not exist`;
        fail('TPK_CFG_MISSING_SERVICE', why);
      }
    }

    // Entry-point middlewares run first, then the router's own (names resolved per entry point below).
    const routerChain: Middleware[] = [];
    for (const ref of router.middlewares) {
      middlewares.get(ref)?.usedBy.push(name);
      const m = resolveMiddleware(ref);
      if (typeof m === 'string') fail('TPK_CFG_MISSING_MIDDLEWARE', m);
      else routerChain.push(m);
    }

    const priority = router.priority !== 0 ? router.priority : defaultPriority(router.rule);
    const disabled = errors.length > 0 || rule === undefined || svcHandler === undefined;
    routerViews[name] = {
      name,
      provider: providerOf(name),
      config: router,
      priority,
      using,
      status: disabled ? 'disabled' : 'enabled',
      errors,
    };
    if (disabled || rule === undefined || svcHandler === undefined) continue;
    for (const epName of using) {
      const ep = staticConfig.entryPoints[epName];
      const chain: Middleware[] = [];
      let epOk = true;
      for (const ref of ep?.http.middlewares ?? []) {
        const m = resolveMiddleware(ref);
        if (typeof m === 'string') {
          fail('TPK_CFG_MISSING_MIDDLEWARE', `entryPoint "${epName}": ${m}`);
          epOk = false;
        } else chain.push(m);
      }
      if (!epOk) continue;
      chain.push(...routerChain);
      const t = tables.get(epName);
      (router.tls !== undefined ? t?.tls : t?.plain)?.push({ name, rule, priority, value: compose(chain, svcHandler) });
    }
  }

  // --- entry-point redirections ------------------------------------------------------------
  for (const ep of epList) {
    const redirect = ep.http.redirections?.entryPoint;
    if (!redirect) continue;
    const target = redirect.to.startsWith(':') ? undefined : staticConfig.entryPoints[redirect.to];
    const port = redirect.to.startsWith(':') ? redirect.to.slice(1) : target ? String(target.port) : undefined;
    const name = `${ep.name}-to-${redirect.to.replace(/[^A-Za-z0-9-]/g, '')}@internal`;
    if (port === undefined) {
      diagnostics.push({
        code: 'TPK_CFG_UNKNOWN_ENTRYPOINT',
        severity: 'error',
        message: `redirection target entryPoint "${redirect.to}" does not exist`,
        path: `entryPoints.${ep.name}.http.redirections.entryPoint.to`,
      });
      continue;
    }
    const ruleText = 'HostRegexp(`^.+$`)';
    const handler = createRedirectSchemeHandler({ scheme: redirect.scheme, port, permanent: redirect.permanent });
    tables.get(ep.name)?.plain.push({ name, rule: compileRule(ruleText), priority: redirect.priority, value: handler });
  }

  // --- ping@internal -------------------------------------------------------------------------
  const ping = staticConfig.ping;
  if (ping && !ping.manualRouting) {
    const t = tables.get(ping.entryPoint);
    if (t) {
      const handler = createPingHandler(ping.terminatingStatusCode, deps.lifecycle);
      const rule = compileRule('PathPrefix(`/ping`) && (Method(`GET`) || Method(`HEAD`))');
      t.plain.push({ name: 'ping@internal', rule, priority: INTERNAL_PRIORITY, value: handler });
      t.tls.push({ name: 'ping@internal', rule, priority: INTERNAL_PRIORITY, value: handler });
    }
  }

  ruleCache = rules;

  // --- tables ------------------------------------------------------------------------------------
  const entryPoints = new Map<string, Handler>();
  for (const [epName, t] of tables) {
    entryPoints.set(epName, createEntryPointHandler(t.plain, t.tls));
  }

  const freezeStates = <V, T>(m: Map<string, Mutable<V>>, make: (name: string, s: Mutable<V>) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const [name, s] of m) out[name] = make(name, s);
    return out;
  };
  const view: RuntimeView = {
    routers: routerViews,
    services: freezeStates(services, (name, s): ServiceView => ({ name, provider: providerOf(name), config: s.config, status: s.status, errors: s.errors, usedBy: s.usedBy })),
    middlewares: freezeStates(middlewares, (name, s): MiddlewareView => ({ name, provider: providerOf(name), config: s.config, status: s.status, errors: s.errors, usedBy: s.usedBy })),
  };
  return { entryPoints, view, diagnostics, built: { services: builtServices, middlewares: builtMiddlewares } };
}

/** Traefik's internal services that come with later issues (API, dashboard, metrics). */
const UNSUPPORTED_INTERNAL_SERVICES = new Set(['api@internal', 'dashboard@internal', 'prometheus@internal', 'acme-http@internal']);

function noopService(ex: Exchange): void {
  ex.response.sendText(200, '');
}

function createPingHandler(terminatingStatusCode: number, lifecycle: CompileDeps['lifecycle']): Handler {
  return function pingHandler(ex: Exchange) {
    if (lifecycle?.terminating) ex.response.sendText(terminatingStatusCode, statusText(terminatingStatusCode));
    else ex.response.sendText(200, 'OK');
  };
}

function compose(chain: readonly Middleware[], last: Handler): Handler {
  let h = last;
  for (let i = chain.length - 1; i >= 0; i--) h = (chain[i] as Middleware)(h);
  return h;
}

/**
 * The per-entry-point handler: look the request up in the router table, run the router's chain,
 * or answer Traefik's 404. Built once per snapshot.
 */
function createEntryPointHandler(plain: readonly RouteEntry<Handler>[], tls: readonly RouteEntry<Handler>[]): Handler {
  if (plain.length === 0 && tls.length === 0) return notFound;
  const plainTable = createIndexedTable(plain);
  const tlsTable = createIndexedTable(tls);
  return function entryPointHandler(ex: Exchange) {
    const hit = (ex.tls === null ? plainTable : tlsTable).match(ex);
    if (hit === undefined) return notFound(ex);
    ex.routerName = hit.name;
    return hit.value(ex);
  };
}

export type { RouterConfig };
