/**
 * Compiling one router: its rule, service and middlewares resolved, one route entry per entry
 * point it serves, its status. Shared by the whole compile (compile.ts) and the incremental one
 * (compile-incremental.ts); everything a router depends on comes through a RouterScope.
 */
import type { RouterConfig } from '../config/dynamic/types.js';
import type { StaticConfig } from '../config/static/types.js';
import type { Handler, Middleware } from '../exchange/exchange.js';
import type { Instrumentation } from '../observability/observer.js';
import { type CompiledRule, type IndexKeys, type MatchContext, type Predicate, type RouteEntry, type RuleNode, compileRule, defaultPriority, detachedRule, parseRule } from '../rules/index.js';
import { TLS_CODES } from '../tls/codes.js';
import type { TlsRouterCollector } from '../tls/router-tls.js';
import type { ObjectStatus } from './view.js';

/** A router's route entry, and where it goes: an entry point, and its TLS or its plain table. */
export interface RouteUse extends RouteEntry<Handler> {
  readonly entryPoint: string;
  readonly tls: boolean;
}

/**
 * What compiling one router gave, for the next compile to reuse: a router whose configuration
 * object is the same and whose service and middlewares resolve to the same built objects keeps
 * its outcome and route entries (rule, composed chain) instead of being compiled again.
 *
 * It holds what the router's view needs but no view object: routerView() (lazy-view.ts) makes one
 * when the runtime view is read, so 100,000 routers do not keep 100,000 views nobody asked for.
 * The name and provider are the key it is stored under, the priority comes from its configuration.
 */
export interface BuiltRouter {
  readonly config: RouterConfig;
  readonly rule: CompiledRule | undefined;
  /** The service handler it resolved (undefined when its service is missing or disabled). */
  readonly handler: Handler | undefined;
  /**
   * For a router without errors: each middleware of its own chain and of its entry points' chains,
   * as resolved (unwrapped), in resolution order; NO_USES (shared) when there are none. Undefined:
   * not reusable. (The service handler is kept on its own: most routers use nothing else, and a
   * one-element list is 56 bytes.)
   */
  readonly uses: readonly unknown[] | undefined;
  /**
   * The route entries it added, and where: when there is one (the usual case), the entry itself,
   * which is this router (RoutedRouter; a one-element list would be 56 bytes per router, an entry
   * object 72), else a list (NO_ROUTES when none). See routeCount/routeAt.
   */
  readonly routes: RouteUse | readonly RouteUse[];
  /** Entry points the router is attached to (those it names that exist). */
  readonly using: readonly string[];
  readonly status: ObjectStatus;
  /** NO_ERRORS (one shared frozen list) when it has none. */
  readonly errors: readonly string[];
}

/** How many route entries `routes` (BuiltRouter.routes) holds. */
export function routeCount(routes: BuiltRouter['routes']): number {
  return Array.isArray(routes) ? routes.length : 1;
}

/** Route entry `k` of `routes` (BuiltRouter.routes), for k below routeCount(routes). */
export function routeAt(routes: BuiltRouter['routes'], k: number): RouteUse {
  return (Array.isArray(routes) ? routes[k] : routes) as RouteUse;
}

/** The priority a router's entries carry: its own, or the rule length when the configuration left it 0. */
export function effectivePriority(router: RouterConfig): number {
  return router.priority !== 0 ? router.priority : defaultPriority(router.rule);
}

/** The state of a service or middleware as a router sees it (for its error messages). */
export interface ObjectState {
  readonly status: ObjectStatus;
  readonly errors: readonly string[];
}

/** Everything compiling a router looks up. */
export interface RouterScope {
  readonly staticConfig: StaticConfig;
  /** TCP entry point names. */
  readonly epNames: ReadonlySet<string>;
  /** Entry points of routers that name none. */
  readonly defaults: readonly string[];
  readonly instrument: Instrumentation | undefined;
  readonly tlsRouters: TlsRouterCollector;
  /** The built service's handler (internal services included), undefined when missing or disabled. */
  serviceHandler(ref: string): Handler | undefined;
  serviceState(ref: string): ObjectState | undefined;
  middleware(ref: string): Middleware | undefined;
  middlewareState(ref: string): ObjectState | undefined;
  /** Declared by its provider but left out (invalid). */
  leftOut(kind: 'services' | 'middlewares', ref: string): boolean;
  report(name: string, code: string, message: string): void;
}

const NO_REFS: readonly string[] = Object.freeze([]);
/** The chain of a router without middlewares (never pushed to). */
const NO_MIDDLEWARES: Middleware[] = Object.freeze([]) as unknown as Middleware[];
/** The route entries of a router that has none (disabled, or on no entry point). */
const NO_ROUTES: readonly RouteUse[] = Object.freeze([]);
/** What a router without middlewares uses besides its service (one shared frozen list). */
const NO_USES: readonly unknown[] = Object.freeze([]);
/** The errors of a router without any (one shared frozen list rather than one per router). */
const NO_ERRORS: readonly string[] = Object.freeze([]);

/**
 * The state of an object that has none of its own: enabled, no errors. Most services are so, and
 * the compiler keeps no state object for them (see Built.states in compile.ts).
 */
export const ENABLED: ObjectState = Object.freeze({ status: 'enabled', errors: NO_ERRORS });

/** Traefik's internal services that come with later issues (API, dashboard, metrics). */
export const UNSUPPORTED_INTERNAL_SERVICES: ReadonlySet<string> = new Set(['prometheus@internal', 'acme-http@internal']);

/** True when `prev` can stand for `router` now: same object, and its references resolve as they did. */
export function reusable(scope: RouterScope, prev: BuiltRouter, router: RouterConfig): boolean {
  const uses = prev.uses;
  if (uses === undefined || prev.config !== router || prev.handler !== scope.serviceHandler(router.service)) return false;
  let k = 0;
  // Index loops: no iterator per list (this runs for every router of an incremental compile).
  const own = router.middlewares;
  for (let i = 0; i < own.length; i++) if (scope.middleware(own[i] as string) !== uses[k++]) return false;
  const using = prev.using;
  for (let u = 0; u < using.length; u++) {
    const refs = scope.staticConfig.entryPoints[using[u] as string]?.http.middlewares ?? NO_REFS;
    for (let i = 0; i < refs.length; i++) if (scope.middleware(refs[i] as string) !== uses[k++]) return false;
  }
  return k === uses.length;
}

/** Records one error of router `name`: reports it and returns the router's error list (made on the first). */
function fail(scope: RouterScope, name: string, errors: string[] | undefined, code: string, message: string): string[] {
  scope.report(name, code, message);
  if (errors === undefined) return [message];
  errors.push(message);
  return errors;
}

/** The message a router gets for a middleware it cannot use. */
function middlewareProblem(scope: RouterScope, ref: string): string {
  const state = scope.middlewareState(ref);
  if (state !== undefined) return `middleware "${ref}" is disabled: ${state.errors.join('; ')}`;
  return scope.leftOut('middlewares', ref) ? `middleware "${ref}" is invalid (see its own error)` : `middleware "${ref}" does not exist`;
}

/**
 * Compiles router `name`; its errors go to scope.report. The compiled rule of `prev` is reused
 * when the rule text is the same (compiled rules are immutable). Adds it to scope.tlsRouters.
 */
export function compileRouter(scope: RouterScope, name: string, router: RouterConfig, prev: BuiltRouter | undefined): BuiltRouter {
  const { staticConfig, epNames, instrument } = scope;
  // No list per router unless it has errors (100,000 routers, most without), and no closure.
  let errors: string[] | undefined;
  const eps = router.entryPoints ?? scope.defaults;
  // Usually every named entry point exists: then the (frozen) list itself is `using`, no copy.
  let allKnown = true;
  for (let i = 0; i < eps.length; i++) if (!epNames.has(eps[i] as string)) allKnown = false;
  const using = allKnown ? eps : eps.filter((e) => epNames.has(e));
  if (!allKnown) for (const e of eps) if (!epNames.has(e)) errors = fail(scope, name, errors, 'TPK_CFG_UNKNOWN_ENTRYPOINT', `entryPoint "${e}" does not exist`);

  // The previous router's rule when its text is the same: as a rule of its own when that router is
  // its own rule (RoutedRouter), which a disabled router or the TLS collector would keep whole.
  let rule: CompiledRule | undefined = prev?.rule !== undefined && prev.config.rule === router.rule ? prev.rule : undefined;
  if (rule instanceof RoutedRouter) rule = detachedRule(rule);
  if (rule === undefined) {
    try {
      rule = compileRule(router.rule);
    } catch (err) {
      errors = fail(scope, name, errors, 'TPK_CFG_BAD_RULE', err instanceof Error ? err.message : String(err));
    }
  }

  const svcHandler = scope.serviceHandler(router.service);
  if (!svcHandler) {
    if (UNSUPPORTED_INTERNAL_SERVICES.has(router.service)) {
      errors = fail(scope, name, errors, 'TPK_CFG_UNSUPPORTED', `service "${router.service}" is a Traefik internal service Turnpike does not support yet`);
    } else if (router.service === 'api@internal' || router.service === 'dashboard@internal') {
      // Provided through CompileDeps.internals when the static `api` is set (src/api/index.ts).
      errors = fail(scope, name, errors, 'TPK_CFG_MISSING_SERVICE', `service "${router.service}" exists only when the static option "api" is set${router.service === 'dashboard@internal' ? ' (with api.dashboard)' : ''}`);
    } else {
      const svcState = scope.serviceState(router.service);
      const why = svcState
        ? `service "${router.service}" is disabled: ${svcState.errors.join('; ')}`
        : scope.leftOut('services', router.service)
          ? `service "${router.service}" is invalid (see its own error)`
          : `service "${router.service}" does not exist`;
      errors = fail(scope, name, errors, 'TPK_CFG_MISSING_SERVICE', why);
    }
  }

  // Entry-point middlewares run first, then the router's own (names resolved per entry point below).
  // A list only once there is something in it.
  let uses: unknown[] | undefined;
  const routerChain: Middleware[] = router.middlewares.length === 0 ? NO_MIDDLEWARES : [];
  for (let i = 0; i < router.middlewares.length; i++) {
    const ref = router.middlewares[i] as string;
    const m = scope.middleware(ref);
    if (m === undefined) errors = fail(scope, name, errors, 'TPK_CFG_MISSING_MIDDLEWARE', middlewareProblem(scope, ref));
    else {
      (uses ??= []).push(m);
      routerChain.push(instrument?.middleware ? observedMiddleware(m, ref, name, instrument) : m);
    }
  }

  const priority = effectivePriority(router);
  const tlsError = scope.tlsRouters.add(name, router, using, rule);
  if (tlsError !== undefined) errors = fail(scope, name, errors, TLS_CODES.UNKNOWN_OPTIONS, tlsError);
  // The first route is the router object itself (RoutedRouter); the others, if any, are entries
  // of their own, in a list made with its first entry (room for one: no spare room, no list to
  // throw away).
  let first: RouteAt | undefined;
  let more: RouteAt[] | undefined;
  const disabled = errors !== undefined || rule === undefined || svcHandler === undefined;
  if (!disabled && rule !== undefined && svcHandler !== undefined) {
    for (let u = 0; u < using.length; u++) {
      const epName = using[u] as string;
      const ep = staticConfig.entryPoints[epName];
      const epRefs = ep?.http.middlewares ?? NO_REFS;
      const chain: Middleware[] = epRefs.length === 0 ? NO_MIDDLEWARES : [];
      let epOk = true;
      for (let i = 0; i < epRefs.length; i++) {
        const ref = epRefs[i] as string;
        const m = scope.middleware(ref);
        if (m === undefined) {
          errors = fail(scope, name, errors, 'TPK_CFG_MISSING_MIDDLEWARE', `entryPoint "${epName}": ${middlewareProblem(scope, ref)}`);
          epOk = false;
        } else {
          (uses ??= []).push(m);
          chain.push(instrument?.middleware ? observedMiddleware(m, ref, name, instrument) : m);
        }
      }
      if (!epOk) continue;
      const all = chain.length === 0 ? routerChain : [...chain, ...routerChain];
      const value = instrument ? observedChain(all, svcHandler, name, epName, router.service, instrument) : compose(all, svcHandler);
      // A TLS router: its own `tls`, or its entry point's `http.tls` (every router there is one).
      const tls = (router.tls ?? ep?.http.tls) !== undefined;
      if (first === undefined) first = { value, entryPoint: epName, tls };
      else if (more === undefined) more = [{ value, entryPoint: epName, tls }];
      else more.push({ value, entryPoint: epName, tls });
    }
  }
  const usesOut = errors !== undefined ? undefined : (uses ?? NO_USES);
  if (first !== undefined && rule !== undefined && svcHandler !== undefined) {
    const args = [router, rule.predicate, rule.keys, svcHandler, usesOut, using, errors ?? NO_ERRORS, name, priority, first.value, first.entryPoint, first.tls] as const;
    return more === undefined ? new RoutedRouter(...args) : new MultiRoutedRouter(more, ...args);
  }
  // An entry point's missing middleware is an error of the router, which still serves its other
  // entry points (its status stays enabled); such a router is compiled again at each reload.
  // One literal, every field always set: all BuiltRouters share one shape (hidden class).
  // A list grown by push keeps spare room (P-MEM2): such a one is copied to its size.
  return {
    config: router,
    rule,
    handler: svcHandler,
    uses: usesOut,
    routes: NO_ROUTES,
    using,
    status: disabled ? 'disabled' : 'enabled',
    errors: errors ?? NO_ERRORS,
  };
}

/** One route of a router: its composed chain, where, and whether it is in the TLS table. */
interface RouteAt {
  readonly value: Handler;
  readonly entryPoint: string;
  readonly tls: boolean;
}

/**
 * A router with at least one route, which is its first route entry itself (name, priority,
 * composed chain, entry point, table), so that a router on one entry point (the usual case) is
 * one object and not a router and an entry (72 bytes more). It is enabled: only an enabled router
 * has routes (an entry point's missing middleware is an error of the router, which still serves
 * its other entry points). Its other entries, if any, are entries of their own (MultiRoutedRouter).
 *
 * It is its compiled rule too (its predicate and index keys, the source being its configuration's
 * rule): a compiled rule object of its own was 48 bytes more per router.
 */
class RoutedRouter implements BuiltRouter, RouteUse, CompiledRule {
  constructor(
    readonly config: RouterConfig,
    readonly predicate: Predicate,
    readonly keys: IndexKeys,
    readonly handler: Handler,
    readonly uses: readonly unknown[] | undefined,
    readonly using: readonly string[],
    readonly errors: readonly string[],
    readonly name: string,
    readonly priority: number,
    readonly value: Handler,
    readonly entryPoint: string,
    readonly tls: boolean,
  ) {}

  get routes(): RouteUse | readonly RouteUse[] {
    return this;
  }

  get rule(): CompiledRule {
    return this;
  }

  get source(): string {
    return this.config.rule;
  }

  /** Parsed again on each read, as a compiled rule's (rules/compile.ts). */
  get ast(): RuleNode {
    return parseRule(this.config.rule);
  }

  test(ctx: MatchContext): boolean {
    return this.predicate.test(ctx);
  }

  get status(): ObjectStatus {
    return 'enabled';
  }
}

/** A router on more than one entry point: its first route, then an entry per other one. */
class MultiRoutedRouter extends RoutedRouter {
  readonly #routes: readonly RouteUse[];

  constructor(more: readonly RouteAt[], ...args: ConstructorParameters<typeof RoutedRouter>) {
    super(...args);
    const { name, priority } = this;
    this.#routes = [this, ...more.map((m) => ({ name, rule: this, priority, value: m.value, entryPoint: m.entryPoint, tls: m.tls }))];
  }

  override get routes(): readonly RouteUse[] {
    return this.#routes;
  }
}

/** A middleware whose built handler is wrapped by the instrumentation (a span per middleware). */
function observedMiddleware(m: Middleware, ref: string, routerName: string, instrument: Instrumentation): Middleware {
  const wrap = instrument.middleware?.bind(instrument);
  return wrap ? (next) => wrap(ref, routerName, m(next)) : m;
}

/** A router's chain with the instrumentation's service and router wrappers. */
export function observedChain(chain: readonly Middleware[], last: Handler, routerName: string, epName: string, serviceName: string, instrument: Instrumentation): Handler {
  const svc = instrument.service ? instrument.service(serviceName, routerName, last) : last;
  const h = compose(chain, svc);
  return instrument.router ? instrument.router(routerName, epName, h) : h;
}

function compose(chain: readonly Middleware[], last: Handler): Handler {
  let h = last;
  for (let i = chain.length - 1; i >= 0; i--) h = (chain[i] as Middleware)(h);
  return h;
}
