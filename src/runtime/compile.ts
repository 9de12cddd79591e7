/**
 * The compiler: snapshot + static configuration -> one immutable handler per entry point, plus
 * the runtime view with each object's status. It is total: a broken object (bad rule, missing
 * service or middleware, unknown entry point) is disabled with a coded diagnostic and the rest
 * compiles (Traefik's router manager); nothing here throws for bad configuration.
 *
 * Reloads: given the graph it replaces (`previous`), unchanged objects (same configuration object,
 * same dependencies) keep what was built for them: services and middlewares with their state,
 * routers with their compiled rule, composed chain and route entries, route tables their match
 * order. When only routers changed, compile-incremental.ts compiles just those; otherwise every
 * object is walked once and only changed ones are built. The runtime view is made when first read.
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
import { compileRule, indexedTableSteps, type RouteEntry, type RouteTable } from '../rules/index.js';
import { isPlain, noDispose, plainService, type BuiltService, type ServiceHealth } from '../services/service.js';
import { createFailover } from '../services/failover/failover.js';
import { createMirroring } from '../services/mirroring/mirroring.js';
import { createWeighted } from '../services/weighted/weighted.js';
import { TlsRouterCollector, type TlsRouterUse } from '../tls/router-tls.js';
import { sameData } from '../config/dynamic/same-data.js';
import { compileRouter, ENABLED, observedChain, reusable, routeAt, routeCount, type BuiltRouter, type RouterScope } from './compile-router.js';
import { incrementalSteps } from './compile-incremental.js';
import { lazyView, withView } from './lazy-view.js';
import type { Instrumentation } from '../observability/observer.js';
import { providerOf, type ObjectStatus, type RuntimeView } from './view.js';

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
   * state (round-robin position, connection pools), instead of being built again; so does a router
   * (see BuiltRouter). `previous` is only read: it keeps routing as it did.
   */
  readonly previous?: CompiledGraph;
  /**
   * The routers set (added or replaced) and removed in `config` since the configuration of
   * `previous`, when the caller knows (a cluster worker gets them with each delta): the compiler
   * then does not look for them. Must be exact; ignored without `previous`.
   */
  readonly changedRouters?: { readonly set: readonly string[]; readonly removed: readonly string[] };
}

/** What a graph built, for the next compile to reuse. */
interface Built {
  readonly services: ReadonlyMap<string, BuiltServiceEntry>;
  readonly middlewares: ReadonlyMap<string, BuiltMiddleware>;
  /** Every router's outcome, by name (see BuiltRouter). */
  readonly routers: ReadonlyMap<string, BuiltRouter>;
  /**
   * What every router's outcome also depends on: a compile with another static configuration,
   * other deps (instrumentation) or another tls section reuses no router of this graph.
   */
  readonly context: { readonly staticConfig: StaticConfig; readonly deps: CompileDeps; readonly config: DynamicConfig };
  /**
   * Each middleware's state (status, errors, users other than routers), and that of the services
   * whose state is not ENABLED (compile-router.ts): those with errors, a warning, or users other
   * than routers. Most services have none, so most services cost one map entry (`services`), not
   * two and a state object. A configured service that was not built always has a state here.
   */
  readonly states: { readonly services: ReadonlyMap<string, Mutable<ServiceConfig>>; readonly middlewares: ReadonlyMap<string, Mutable<MiddlewareConfig>> };
  /** How many services the configuration declared (states.services holds only some of them). */
  readonly serviceCount: number;
  /** How many routers are enabled. */
  readonly enabled: number;
  /** Routers compiled with errors: compiled again at each reload (their messages read other objects). */
  readonly broken: readonly string[];
}

/** Routers added, removed and changed since the previous graph (what the reload log line names). */
export interface RouterChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly routers: number;
  readonly enabled: number;
}

/** The children of a load balancer (one shared empty list, not one per service). */
const NO_CHILDREN: BuiltServiceEntry['uses'] = Object.freeze([]);

/** A built service, what it was built from, and the children it refers to (parents). */
export interface BuiltServiceEntry {
  readonly config: object;
  /** The serversTransport object a loadBalancer was built with; undefined for parents. */
  readonly transport: object | undefined;
  readonly service: BuiltService;
  readonly handler: Handler;
  /** Children by qualified name, and what each was when this one was built. */
  readonly uses: readonly { readonly ref: string; readonly target: BuiltService }[];
}

/**
 * A built service entry. A service that is only its handler (no health, nothing to stop: every
 * one-server load balancer without checks) is not kept as an object of its own: the entry stands
 * for it (`service` is the entry), 48 bytes less per service. Its identity is then the entry's,
 * which is reused exactly when the service is.
 */
class ServiceEntry implements BuiltServiceEntry, BuiltService {
  readonly handler: Handler;

  constructor(
    readonly config: object,
    readonly transport: object | undefined,
    service: BuiltService,
    readonly uses: BuiltServiceEntry['uses'],
  ) {
    this.handler = service.handler;
  }

  get service(): BuiltService {
    return this;
  }

  get health(): ServiceHealth | undefined {
    return undefined;
  }

  /** noDispose itself (set on the prototype below): such an entry is plain to isPlain too. */
  declare readonly dispose: () => void;
}
Object.defineProperty(ServiceEntry.prototype, 'dispose', { value: noDispose, writable: false, enumerable: false, configurable: false });

/** The entry of a service that is more than its handler (health, something to stop). */
class ServiceWithStateEntry extends ServiceEntry {
  readonly #service: BuiltService;

  constructor(config: object, transport: object | undefined, service: BuiltService, uses: BuiltServiceEntry['uses']) {
    super(config, transport, service, uses);
    this.#service = service;
  }

  override get service(): BuiltService {
    return this.#service;
  }

  override get health(): ServiceHealth | undefined {
    return this.#service.health;
  }

  override readonly dispose = (): void => {
    this.#service.dispose();
  };
}

/** The entry for `service`: itself when the service is only its handler (see ServiceEntry). */
function serviceEntry(config: object, transport: object | undefined, service: BuiltService, uses: BuiltServiceEntry['uses']): ServiceEntry {
  return isPlain(service) ? new ServiceEntry(config, transport, service, uses) : new ServiceWithStateEntry(config, transport, service, uses);
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
  // A built service belongs to one name: look it up by name (no set of every service).
  const now = next?.built.services;
  // A reload that changed only routers keeps the previous graph's map itself (compile-incremental.ts):
  // nothing was dropped, and 10,000 services need not be walked.
  if (now === previous.built.services) return;
  for (const [name, entry] of previous.built.services) if (now?.get(name)?.service !== entry.service) entry.service.dispose();
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
  /**
   * The route tables each entry point's handler matches requests with (read-only; the API's
   * request explainer reads them so its answer is the real table's).
   */
  readonly routeTables?: ReadonlyMap<string, EntryPointTables>;
  /** What changed since the graph given as `previous` (everything is `added` without one). */
  readonly changes?: RouterChanges;
}

/** An entry point's two tables: routers for plain requests and TLS routers for requests over TLS. */
export interface EntryPointTables {
  readonly plain: RouteTable<Handler>;
  readonly tls: RouteTable<Handler>;
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

export interface Mutable<V> {
  status: ObjectStatus;
  errors: string[];
  usedBy: string[];
  config: V;
}

/**
 * The `errors` and `usedBy` of an object until it gets one (frozen: never pushed to; replaced by
 * a fresh array first), so that 100,000 objects without errors share one empty list.
 */
const NONE: string[] = Object.freeze([]) as unknown as string[];

function addError(state: Mutable<unknown>, message: string): void {
  if (state.errors === NONE) state.errors = [message];
  else state.errors.push(message);
}

function addUser(state: Mutable<unknown>, name: string): void {
  if (state.usedBy === NONE) state.usedBy = [name];
  else state.usedBy.push(name);
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

  // Internal services a router may name: noop@internal (answers 200 with no body, for routers that
  // only redirect) and ping@internal (for ping.manualRouting).
  const internalServices = new Map<string, BuiltService>([['noop@internal', NOOP_SERVICE]]);
  if (staticConfig.ping) internalServices.set('ping@internal', plainService(createPingHandler(staticConfig.ping.terminatingStatusCode, deps.lifecycle)));
  if (deps.internals) for (const [name, handler] of deps.internals.services) internalServices.set(name, plainService(handler));

  // Only routers changed since input.previous: compile those alone (see compile-incremental.ts).
  if (input.previous !== undefined) {
    const graph = yield* incrementalSteps(input, deps, { epNames, defaults, internalServices, createEntryPointHandler, lazyView });
    if (graph !== undefined) return graph;
  }

  // --- services -------------------------------------------------------------------------------
  // Built on demand, so that a parent (weighted, mirroring, failover) finds its children built
  // first; a reference loop is an error of every service on it, and a missing or disabled child
  // disables the parent with the reason.
  const defaultTransport = staticTransport(staticConfig);
  // States of the services that need one (see Built.states); the others are ENABLED.
  const services = new Map<string, Mutable<ServiceConfig>>();
  const builtServices = new Map<string, BuiltServiceEntry>();
  const before = input.previous?.built;
  const serviceConfigs = config.http.services;
  // Object.keys, not Object.entries, and index loops here and below: no pair array nor iterator
  // result per object (100,000 of them).
  const serviceNames = Object.keys(serviceConfigs);
  /** The configuration of service `name`; undefined when there is none by that name. */
  const serviceConfig = (name: string): ServiceConfig | undefined => (Object.hasOwn(serviceConfigs, name) ? serviceConfigs[name] : undefined);
  /** The state of service `name` (configured as `svc`) to change, made on its first change. */
  const stateOf = (name: string, svc: ServiceConfig): Mutable<ServiceConfig> => {
    let state = services.get(name);
    if (state === undefined) {
      state = { status: 'enabled', errors: NONE, usedBy: NONE, config: svc };
      services.set(name, state);
    }
    return state;
  };

  const instrument = deps.instrument;

  // An object the provider declared but left out (invalid) is in `origins` without being in the config.
  const leftOut = (kind: 'services' | 'middlewares', ref: string): boolean =>
    input.origins?.has(`http.${kind}.${ref}`) === true && !(ref in config.http[kind]);

  const buildingServices: string[] = [];
  const buildService = (name: string): BuiltService => {
    const done = builtServices.get(name)?.service ?? internalServices.get(name);
    if (done !== undefined) return done;
    const svc = serviceConfig(name);
    if (svc === undefined) {
      const why = leftOut('services', name) ? `service "${name}" is invalid (see its own error)` : `service "${name}" does not exist`;
      throw new ServiceBuildError('TPK_CFG_MISSING_SERVICE', why);
    }
    const known = services.get(name);
    if (known?.status === 'disabled') throw new ServiceBuildError('TPK_CFG_MISSING_SERVICE', `service "${name}" is disabled: ${known.errors.join('; ')}`);
    if (buildingServices.includes(name)) {
      const cycle = buildingServices.slice(buildingServices.indexOf(name));
      throw new ServiceBuildError('TPK_CFG_SERVICE_LOOP', `reference loop: ${[...cycle, name].join(' -> ')}`, cycle);
    }
    buildingServices.push(name);
    try {
      const entry = makeService(name, svc);
      builtServices.set(name, entry);
      return entry.service;
    } catch (err) {
      // A loop fails every service on it once each (the inner ones see the outer ones' error).
      const msg = err instanceof Error ? err.message : String(err);
      const state = stateOf(name, svc);
      if (!state.errors.includes(msg)) {
        state.status = 'disabled';
        addError(state, msg);
        report('services', name, err instanceof ServiceBuildError ? err.code : 'TPK_CFG_SERVICE_BUILD', msg);
      }
      throw err;
    } finally {
      buildingServices.pop();
    }
  };

  const makeService = (name: string, svc: ServiceConfig): BuiltServiceEntry => {
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
      return serviceEntry(svc, transport, service, NO_CHILDREN);
    }
    // A parent: its children first (qualified in the parent's provider, as routers' references are).
    const provider = providerOf(name);
    const refs = childRefs(svc).map((ref) => (ref.includes('@') || provider === '' ? ref : `${ref}@${provider}`));
    const targets = refs.map((ref) => {
      const childConfig = serviceConfig(ref);
      const child = childConfig === undefined ? undefined : stateOf(ref, childConfig);
      if (child !== undefined && !child.usedBy.includes(name)) addUser(child, name);
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
      const state = stateOf(name, svc);
      state.status = 'warning';
      addError(state, message);
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
    return serviceEntry(svc, undefined, service, refs.map((ref, i) => ({ ref, target: targets[i] as BuiltService })));
  };

  for (let i = 0; i < serviceNames.length; i++) {
    const name = serviceNames[i] as string;
    // The common case first: an unchanged load balancer on the default transport keeps its build.
    const svc = serviceConfigs[name] as ServiceConfig;
    const kept = before?.services.get(name);
    if (kept !== undefined && kept.config === svc && svc.kind === 'loadBalancer' && svc.loadBalancer.serversTransport === undefined && kept.transport === defaultTransport) {
      builtServices.set(name, kept);
      if (++work % STEP_OBJECTS === 0) yield;
      continue;
    }
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
    middlewares.set(name, { status: 'enabled', errors: NONE, usedBy: NONE, config: mw });
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
          const used = middlewares.get(q);
          if (used) addUser(used, name);
          uses.push({ kind: 'middleware', ref: q, target });
          return target;
        },
        service(ref) {
          const q = qualify(ref);
          const target = lookupService(q);
          const svc = serviceConfig(q);
          if (svc !== undefined) addUser(stateOf(q, svc), name);
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
        addError(state, msg);
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
  // A router whose configuration object is the one the previous graph compiled, and whose service
  // and middlewares resolve to the same built objects, keeps its outcome (status, compiled rule,
  // route entries) instead of being compiled again.
  // Two tables per entry point: routers with `tls` serve only requests that arrived over TLS,
  // routers without it only plain ones (the same host may need two routers, as in Traefik).
  const tables = new Map<string, { plain: RouteEntry<Handler>[]; tls: RouteEntry<Handler>[] }>();
  const tlsRouters = new TlsRouterCollector(config.tls, staticConfig.entryPoints);
  for (const ep of epList) if (ep.protocol === 'tcp') tables.set(ep.name, { plain: [], tls: [] });
  const prevRouters = before?.routers;
  const ctx = before?.context;
  // The TLS options (config.tls) decide a TLS router's status: another section reuses no router.
  const reuse = ctx !== undefined && ctx.staticConfig === staticConfig && ctx.deps === deps && ctx.config.tls === config.tls;
  const builtRouters = new Map<string, BuiltRouter>();
  const added: string[] = [];
  const changed: string[] = [];
  const broken: string[] = [];
  let enabled = 0;
  let seenBefore = 0;
  const scope: RouterScope = {
    staticConfig,
    epNames,
    defaults,
    instrument,
    tlsRouters,
    serviceHandler: (ref) => builtServices.get(ref)?.handler ?? internalServices.get(ref)?.handler,
    serviceState: (ref) => services.get(ref) ?? (serviceConfig(ref) !== undefined ? ENABLED : undefined),
    middleware: (ref) => middlewareBuilt.get(ref),
    middlewareState: (ref) => middlewares.get(ref),
    leftOut,
    report: (name, code, message) => report('routers', name, code, message),
  };

  const routerConfigs = config.http.routers;
  const routerNames = Object.keys(routerConfigs);
  for (let i = 0; i < routerNames.length; i++) {
    const name = routerNames[i] as string;
    if (++work % STEP_OBJECTS === 0) yield;
    const router = routerConfigs[name] as RouterConfig;
    const prev = prevRouters?.get(name);
    let built: BuiltRouter;
    if (prev !== undefined && reuse && reusable(scope, prev, router)) {
      // tls is the same section, so add() finds no error now either.
      tlsRouters.add(name, router, prev.using, prev.rule);
      built = prev;
    } else {
      built = compileRouter(scope, name, router, prev);
      if (prev === undefined) added.push(name);
      else if (prev.status !== built.status || (prev.config !== router && !sameData(prev.config, router))) changed.push(name);
    }
    if (prev !== undefined) seenBefore++;
    if (built.uses === undefined) broken.push(name);
    builtRouters.set(name, built);
    if (built.status === 'enabled') enabled++;
    for (let k = 0, n = routeCount(built.routes); k < n; k++) {
      const r = routeAt(built.routes, k);
      const t = tables.get(r.entryPoint);
      (r.tls ? t?.tls : t?.plain)?.push(r);
    }
  }

  // Routers of the previous graph that are gone (only looked for when some are).
  const removed: string[] = [];
  if (prevRouters !== undefined && seenBefore < prevRouters.size) {
    for (const name of prevRouters.keys()) {
      if (!Object.hasOwn(routerConfigs, name)) removed.push(name);
      if (++work % STEP_OBJECTS === 0) yield;
    }
    removed.sort();
  }
  added.sort();

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

  // --- tables ------------------------------------------------------------------------------------
  // Built in slices; each keeps the match order of the previous graph's table for the entries it
  // shares with it (reused routers keep their entries), so only new entries are sorted.
  const entryPoints = new Map<string, Handler>();
  const routeTables = new Map<string, EntryPointTables>();
  const prevTables = input.previous?.routeTables;
  for (const [epName, t] of tables) {
    yield;
    const was = prevTables?.get(epName);
    const plain = yield* indexedTableSteps(t.plain, was?.plain);
    const tls = yield* indexedTableSteps(t.tls, was?.tls);
    const built: EntryPointTables = { plain, tls };
    routeTables.set(epName, built);
    entryPoints.set(epName, createEntryPointHandler(plain, tls));
  }
  yield;

  // withView: a getter written here would keep this generator's context, and `input.previous`
  // with it (every earlier graph).
  return withView(
    {
      entryPoints,
      diagnostics,
      built: {
        services: builtServices,
        middlewares: builtMiddlewares,
        routers: builtRouters,
        context: { staticConfig, deps, config },
        states: { services, middlewares },
        serviceCount: serviceNames.length,
        enabled,
        broken,
      },
      tlsRouters: tlsRouters.result(),
      routeTables,
      changes: { added, removed, changed: changed.sort(), routers: builtRouters.size, enabled },
    },
    lazyView(config, builtRouters, services, middlewares, builtServices),
  );
}


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


function createPingHandler(terminatingStatusCode: number, lifecycle: CompileDeps['lifecycle']): Handler {
  return function pingHandler(ex: Exchange) {
    if (lifecycle?.terminating) ex.response.sendText(terminatingStatusCode, statusText(terminatingStatusCode));
    else ex.response.sendText(200, 'OK');
  };
}

/**
 * The per-entry-point handler: look the request up in the router table, run the router's chain,
 * or answer Traefik's 404. Built once per snapshot.
 */
function createEntryPointHandler(plainTable: RouteTable<Handler>, tlsTable: RouteTable<Handler>): Handler {
  if (plainTable.size === 0 && tlsTable.size === 0) return notFound;
  return function entryPointHandler(ex: Exchange) {
    const hit = (ex.tls === null ? plainTable : tlsTable).match(ex);
    if (hit === undefined) return notFound(ex);
    ex.routerName = hit.name;
    return hit.value(ex);
  };
}

export type { RouterConfig };
