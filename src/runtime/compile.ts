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
  ServiceConfig,
} from '../config/dynamic/types.js';
import type { EntryPointConfig, StaticConfig } from '../config/static/types.js';
import type { Exchange, Handler, Middleware } from '../exchange/exchange.js';
import { type BuildContext, createMiddleware } from '../middlewares/registry.js';
import { statusText } from '../errors/codes.js';
import { createRedirectSchemeHandler } from '../middlewares/redirect-scheme/redirect-scheme.js';
import { compileRule, createIndexedTable, defaultPriority, type CompiledRule, type RouteEntry } from '../rules/index.js';
import { plainService, type BuiltService } from '../services/service.js';
import { createFailover } from '../services/failover/failover.js';
import { createMirroring } from '../services/mirroring/mirroring.js';
import { createWeighted } from '../services/weighted/weighted.js';
import { TlsRouterCollector, type TlsRouterUse } from '../tls/router-tls.js';
import { TLS_CODES } from '../tls/codes.js';
import type { Instrumentation } from '../observability/observer.js';
import { providerOf, type MiddlewareView, type ObjectStatus, type RouterView, type RuntimeView, type ServiceView } from './view.js';

export interface CompileDeps {
  /** Builds a load-balancer service; throws an Error with a user-facing message on bad input. */
  buildLoadBalancer(name: string, cfg: LoadBalancerConfig, transport: ServersTransportConfig, transportName: string): BuiltService;
  /** Read by `ping@internal`: true once shutdown started (ping then answers terminatingStatusCode). */
  readonly lifecycle?: { readonly terminating: boolean };
  /** Metrics/tracing wrappers put around routers, middlewares and services (absent = none). */
  readonly instrument?: Instrumentation;
  /** Internal services (`prometheus@internal`, later `api@internal`) and the routers made for them. */
  readonly internals?: InternalObjects;
}

/** Internal objects another part of Turnpike provides (metrics, API) for the compiler to route. */
export interface InternalObjects {
  /** By qualified name, e.g. `prometheus@internal`; routers of any provider may use them. */
  readonly services: ReadonlyMap<string, Handler>;
  /** Routers added as Traefik adds its own (e.g. `prometheus@internal` on metrics.prometheus.entryPoint). */
  readonly routers: readonly InternalRouter[];
}

export interface InternalRouter {
  readonly name: string;
  readonly entryPoint: string;
  readonly rule: string;
  /** Traefik gives internal routers MaxInt. */
  readonly priority: number;
  readonly service: string;
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
  readonly services: ReadonlyMap<string, BuiltServiceEntry>;
  readonly middlewares: ReadonlyMap<string, BuiltMiddleware>;
}

/** A built service, what it was built from, and the children it refers to (parents). */
interface BuiltServiceEntry {
  readonly config: object;
  /** The serversTransport object a loadBalancer was built with; undefined for parents. */
  readonly transport: object | undefined;
  readonly service: BuiltService;
  readonly handler: Handler;
  /** Children by qualified name, and what each was when this one was built. */
  readonly uses: readonly { readonly ref: string; readonly target: BuiltService }[];
}

/** A configuration problem found while building a service, with the code its diagnostic carries. */
class ServiceBuildError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** For a reference loop: the services on it. */
    readonly cycle: readonly string[] = [],
  ) {
    super(message);
  }
}

/**
 * Stops what the services of `previous` run in the background (health-check timers) when `next`
 * (the graph swapped in after it) no longer uses them; every one of them when `next` is undefined
 * (shutdown, or a graph compiled only to be checked). Call it after the swap: requests in flight
 * on the old graph still finish (a disposed service keeps forwarding, it only stops its probes).
 */
export function disposeDropped(previous: CompiledGraph, next: CompiledGraph | undefined): void {
  const kept = new Set<BuiltService>();
  if (next !== undefined) for (const entry of next.built.services.values()) kept.add(entry.service);
  for (const entry of previous.built.services.values()) if (!kept.has(entry.service)) entry.service.dispose();
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
  /** The TLS routers of each entry point and their TLS options (the TLS state picks options by SNI from them). */
  readonly tlsRouters: ReadonlyMap<string, readonly TlsRouterUse[]>;
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

/** Objects compiled between two checkpoints of compileSteps (each a few microseconds of work). */
const STEP_OBJECTS = 256;

/** Compiles in one go (see compileSteps for the same work in slices). */
export function compile(input: CompileInput, deps: CompileDeps): CompiledGraph {
  const steps = compileSteps(input, deps);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * The compiler as a generator: it yields at checkpoints (every STEP_OBJECTS objects, and between
 * phases) so that a caller on the data path's event loop can run it in short slices between
 * requests (Runtime.applySliced) instead of stalling them for the whole compile.
 */
export function* compileSteps(input: CompileInput, deps: CompileDeps): Generator<void, CompiledGraph, void> {
  const { staticConfig, config } = input;
  let work = 0;
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
  // Built on demand, so that a parent (weighted, mirroring, failover) finds its children built
  // first; a reference loop is an error of every service on it, and a missing or disabled child
  // disables the parent with the reason.
  const defaultTransport = staticTransport(staticConfig);
  const services = new Map<string, Mutable<ServiceConfig>>();
  const builtServices = new Map<string, BuiltServiceEntry>();
  const before = input.previous?.built;
  const serviceConfigs = config.http.services;
  // Object.keys, not Object.entries: no pair array per object (100,000 of them).
  for (const name of Object.keys(serviceConfigs)) {
    services.set(name, { status: 'enabled', errors: [], usedBy: [], config: serviceConfigs[name] as ServiceConfig });
  }

  // Internal services a router may name: noop@internal (answers 200 with no body, for routers that
  // only redirect) and ping@internal (for ping.manualRouting).
  const internalServices = new Map<string, BuiltService>([['noop@internal', NOOP_SERVICE]]);
  if (staticConfig.ping) internalServices.set('ping@internal', plainService(createPingHandler(staticConfig.ping.terminatingStatusCode, deps.lifecycle)));
  if (deps.internals) for (const [name, handler] of deps.internals.services) internalServices.set(name, plainService(handler));
  const instrument = deps.instrument;

  // An object the provider declared but left out (invalid) is in `origins` without being in the config.
  const leftOut = (kind: 'services' | 'middlewares', ref: string): boolean =>
    input.origins?.has(`http.${kind}.${ref}`) === true && !(ref in config.http[kind]);

  const buildingServices: string[] = [];
  const buildService = (name: string): BuiltService => {
    const done = builtServices.get(name)?.service ?? internalServices.get(name);
    if (done !== undefined) return done;
    const state = services.get(name);
    if (state === undefined) {
      const why = leftOut('services', name) ? `service "${name}" is invalid (see its own error)` : `service "${name}" does not exist`;
      throw new ServiceBuildError('TPK_CFG_MISSING_SERVICE', why);
    }
    if (state.status === 'disabled') throw new ServiceBuildError('TPK_CFG_MISSING_SERVICE', `service "${name}" is disabled: ${state.errors.join('; ')}`);
    if (buildingServices.includes(name)) {
      const cycle = buildingServices.slice(buildingServices.indexOf(name));
      throw new ServiceBuildError('TPK_CFG_SERVICE_LOOP', `reference loop: ${[...cycle, name].join(' -> ')}`, cycle);
    }
    buildingServices.push(name);
    try {
      const entry = makeService(name, state);
      builtServices.set(name, entry);
      return entry.service;
    } catch (err) {
      // A loop fails every service on it once each (the inner ones see the outer ones' error).
      const msg = err instanceof Error ? err.message : String(err);
      if (!state.errors.includes(msg)) {
        state.status = 'disabled';
        state.errors.push(msg);
        report('services', name, err instanceof ServiceBuildError ? err.code : 'TPK_CFG_SERVICE_BUILD', msg);
      }
      throw err;
    } finally {
      buildingServices.pop();
    }
  };

  const makeService = (name: string, state: Mutable<ServiceConfig>): BuiltServiceEntry => {
    const svc = state.config;
    const kept = before?.services.get(name);
    if (svc.kind === 'loadBalancer') {
      const tName = svc.loadBalancer.serversTransport ?? 'default@internal';
      const transport = svc.loadBalancer.serversTransport === undefined ? defaultTransport : config.http.serversTransports[tName];
      if (transport === undefined) throw new ServiceBuildError('TPK_CFG_MISSING_TRANSPORT', `serversTransport "${tName}" does not exist`);
      if (kept !== undefined && kept.config === svc && kept.transport === transport) return kept;
      let service: BuiltService;
      try {
        service = deps.buildLoadBalancer(name, svc.loadBalancer, transport, tName);
      } catch (err) {
        throw new ServiceBuildError('TPK_CFG_SERVICE_BUILD', err instanceof Error ? err.message : String(err));
      }
      return { config: svc, transport, service, handler: service.handler, uses: [] };
    }
    // A parent: its children first (qualified in the parent's provider, as routers' references are).
    const provider = providerOf(name);
    const refs = childRefs(svc).map((ref) => (ref.includes('@') || provider === '' ? ref : `${ref}@${provider}`));
    const targets = refs.map((ref) => {
      const child = services.get(ref);
      if (child !== undefined && !child.usedBy.includes(name)) child.usedBy.push(name);
      try {
        return buildService(ref);
      } catch (err) {
        // On the loop: the loop is this service's own error; otherwise say which child failed.
        if (child === undefined || (err instanceof ServiceBuildError && err.cycle.includes(name))) throw err;
        throw new ServiceBuildError('TPK_CFG_MISSING_SERVICE', `service "${ref}" is disabled: ${child.errors.join('; ')}`);
      }
    });
    if (svc.kind === 'failover' && !svc.failover.healthCheck && targets[0]?.health === undefined) {
      // Traefik refuses this; Turnpike serves it (the main service always answers) and says so.
      const message = `the main service "${refs[0] ?? ''}" reports no health (no healthCheck), so the fallback is never used`;
      state.status = 'warning';
      state.errors.push(message);
      const origin = input.origins?.get(`http.services.${name}`);
      diagnostics.push({
        code: 'TPK_CFG_FAILOVER_NO_HEALTH',
        severity: 'warning',
        message,
        object: name,
        path: `http.services.${name}.failover.service`,
        ...(origin ? { source: origin.source } : {}),
        ...(origin?.line !== undefined ? { line: origin.line } : {}),
      });
    }
    // Reused when the configuration object and every child are the same as last time: its state
    // (round-robin position, health subscriptions, mirror counters) carries over.
    if (kept !== undefined && kept.config === svc && kept.uses.length === refs.length && kept.uses.every((u, i) => u.ref === refs[i] && u.target === targets[i])) {
      return kept;
    }
    let service: BuiltService;
    try {
      service = buildParent(name, svc, refs, targets);
    } catch (err) {
      throw new ServiceBuildError('TPK_CFG_SERVICE_BUILD', err instanceof Error ? err.message : String(err));
    }
    return { config: svc, transport: undefined, service, handler: service.handler, uses: refs.map((ref, i) => ({ ref, target: targets[i] as BuiltService })) };
  };

  for (const name of services.keys()) {
    try {
      buildService(name);
    } catch {
      // Recorded on the service (disabled, with its reason); routers using it report it.
    }
    if (++work % STEP_OBJECTS === 0) yield;
  }
  yield;

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
  const lookupService = (ref: string): Handler => buildService(ref).handler;
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
    if (++work % STEP_OBJECTS === 0) yield;
  }
  yield;

  // --- routers ---------------------------------------------------------------------------------
  const routerViews: Record<string, RouterView> = {};
  // Two tables per entry point: routers with `tls` serve only requests that arrived over TLS,
  // routers without it only plain ones (the same host may need two routers, as in Traefik).
  const tables = new Map<string, { plain: RouteEntry<Handler>[]; tls: RouteEntry<Handler>[] }>();
  const tlsRouters = new TlsRouterCollector(config.tls, staticConfig.entryPoints);
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
    if (++work % STEP_OBJECTS === 0) yield;
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

    const svcHandler = builtServices.get(router.service)?.handler ?? internalServices.get(router.service)?.handler;
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
      else routerChain.push(instrument?.middleware ? observedMiddleware(m, ref, name, instrument) : m);
    }

    const priority = router.priority !== 0 ? router.priority : defaultPriority(router.rule);
    const tlsError = tlsRouters.add(name, router, using, rule);
    if (tlsError !== undefined) fail(TLS_CODES.UNKNOWN_OPTIONS, tlsError);
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
        } else chain.push(instrument?.middleware ? observedMiddleware(m, ref, name, instrument) : m);
      }
      if (!epOk) continue;
      chain.push(...routerChain);
      const t = tables.get(epName);
      // A TLS router: its own `tls`, or its entry point's `http.tls` (every router there is one).
      const value = instrument ? observedChain(chain, svcHandler, name, epName, router.service, instrument) : compose(chain, svcHandler);
      ((router.tls ?? ep?.http.tls) !== undefined ? t?.tls : t?.plain)?.push({ name, rule, priority, value });
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

  // --- routers other parts of Turnpike add (prometheus@internal, ...) ---------------------------
  for (const r of deps.internals?.routers ?? []) {
    const t = tables.get(r.entryPoint);
    const svc = internalServices.get(r.service);
    if (!t || !svc) continue;
    const rule = compileRule(r.rule);
    const value = instrument ? observedChain([], svc.handler, r.name, r.entryPoint, r.service, instrument) : svc.handler;
    t.plain.push({ name: r.name, rule, priority: r.priority, value });
    t.tls.push({ name: r.name, rule, priority: r.priority, value });
  }

  ruleCache = rules;

  // --- tables ------------------------------------------------------------------------------------
  const entryPoints = new Map<string, Handler>();
  for (const [epName, t] of tables) {
    yield;
    entryPoints.set(epName, createEntryPointHandler(t.plain, t.tls));
  }
  yield;

  const serviceViews: Record<string, ServiceView> = {};
  for (const [name, st] of services) {
    serviceViews[name] = serviceView(name, st, builtServices.get(name)?.service.health);
    if (++work % STEP_OBJECTS === 0) yield;
  }
  const middlewareViews: Record<string, MiddlewareView> = {};
  for (const [name, st] of middlewares) {
    middlewareViews[name] = { name, provider: providerOf(name), config: st.config, status: st.status, errors: st.errors, usedBy: st.usedBy };
    if (++work % STEP_OBJECTS === 0) yield;
  }
  const view: RuntimeView = { routers: routerViews, services: serviceViews, middlewares: middlewareViews };
  return { entryPoints, view, diagnostics, built: { services: builtServices, middlewares: builtMiddlewares }, tlsRouters: tlsRouters.result() };
}

/** Traefik's internal services that come with later issues (API, dashboard, metrics). */
const UNSUPPORTED_INTERNAL_SERVICES = new Set(['api@internal', 'dashboard@internal', 'prometheus@internal', 'acme-http@internal']);

function noopService(ex: Exchange): void {
  ex.response.sendText(200, '');
}

const NOOP_SERVICE = plainService(noopService);

type ParentConfig = Exclude<ServiceConfig, { kind: 'loadBalancer' }>;

/** The services a parent refers to, in its configuration's order (main service first). */
function childRefs(svc: ParentConfig): string[] {
  switch (svc.kind) {
    case 'weighted':
      return svc.weighted.services.map((s) => s.name);
    case 'mirroring':
      return [svc.mirroring.service, ...svc.mirroring.mirrors.map((m) => m.name)];
    case 'failover':
      return [svc.failover.service, svc.failover.fallback];
  }
}

/** Builds a parent over its built children (`targets`, in childRefs order); throws on bad input. */
function buildParent(name: string, svc: ParentConfig, refs: readonly string[], targets: readonly BuiltService[]): BuiltService {
  const child = (i: number): { name: string; service: BuiltService } => ({ name: refs[i] as string, service: targets[i] as BuiltService });
  switch (svc.kind) {
    case 'weighted': {
      const w = svc.weighted;
      return createWeighted(
        w.services.map((s, i) => ({ ...child(i), weight: s.weight })),
        { name, sticky: w.sticky, healthCheck: w.healthCheck },
      );
    }
    case 'mirroring': {
      const m = svc.mirroring;
      return createMirroring(
        child(0),
        m.mirrors.map((mirror, i) => ({ ...child(i + 1), percent: mirror.percent })),
        { name, mirrorBody: m.mirrorBody, maxBodySize: m.maxBodySize, healthCheck: m.healthCheck },
      );
    }
    case 'failover':
      return createFailover(child(0), child(1), { name, healthCheck: svc.failover.healthCheck });
  }
}

/** A service's view; `serverStatus` reads the built service's health live when it has one. */
function serviceView(name: string, s: Mutable<ServiceConfig>, health: BuiltService['health']): ServiceView {
  const base = { name, provider: providerOf(name), config: s.config, status: s.status, errors: s.errors, usedBy: s.usedBy };
  if (health === undefined) return base;
  return Object.defineProperty(base, 'serverStatus', { enumerable: true, get: () => health.serverStatus });
}

function createPingHandler(terminatingStatusCode: number, lifecycle: CompileDeps['lifecycle']): Handler {
  return function pingHandler(ex: Exchange) {
    if (lifecycle?.terminating) ex.response.sendText(terminatingStatusCode, statusText(terminatingStatusCode));
    else ex.response.sendText(200, 'OK');
  };
}

/** A middleware whose built handler is wrapped by the instrumentation (a span per middleware). */
function observedMiddleware(m: Middleware, ref: string, routerName: string, instrument: Instrumentation): Middleware {
  const wrap = instrument.middleware;
  return wrap ? (next) => wrap(ref, routerName, m(next)) : m;
}

/** A router's chain with the instrumentation's service and router wrappers. */
function observedChain(chain: readonly Middleware[], last: Handler, routerName: string, epName: string, serviceName: string, instrument: Instrumentation): Handler {
  const svc = instrument.service ? instrument.service(serviceName, routerName, last) : last;
  const h = compose(chain, svc);
  return instrument.router ? instrument.router(routerName, epName, h) : h;
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
