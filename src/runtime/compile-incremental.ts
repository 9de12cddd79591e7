/**
 * The incremental compile: when only routers changed since the previous graph (its services,
 * middlewares and serversTransports are the same objects under the same names, and so are the
 * static configuration, the deps and the tls section), only the changed routers are compiled,
 * plus those that had errors (their messages may read other objects' state). Everything else is
 * taken from the previous graph as it is: built services and middlewares, their states, the route
 * entries and TLS uses of unchanged routers; a route table without changed entries is the same
 * table, and one with changes keeps the previous match order and sorts only the new entries.
 *
 * What is still proportional to the number of routers: finding what changed when the provider
 * left no change notes (one identity comparison per object, skipped for a collection that is the
 * same record), and copies of the route tables' entry lists (in slices). compileSteps() falls back to
 * the whole compile whenever this does not apply: anything but routers changed, a changed router
 * is (or was) a TLS router, or more than a sixteenth of the routers changed.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import type { DynamicConfig, MiddlewareConfig, ObjectOrigin, RouterConfig, ServiceConfig } from '../config/dynamic/types.js';
import type { StaticConfig } from '../config/static/types.js';
import type { Handler } from '../exchange/exchange.js';
import { updatedTableSteps, type RouteEntry } from '../rules/index.js';
import { TlsRouterCollector } from '../tls/router-tls.js';
import { sameData } from '../config/dynamic/same-data.js';
import { changedNames } from '../providers/record-changes.js';
import { LayeredMap } from '../collections/layered-map.js';
import { withView } from './lazy-view.js';
import { compileRouter, ENABLED, routeAt, routeCount, type BuiltRouter, type RouteUse, type RouterScope } from './compile-router.js';
import type { CompileDeps, CompiledGraph, CompileInput, EntryPointTables, Mutable } from './compile.js';

/** Entries looked at between two checkpoints. */
const STEP = 1024;

/** Names set (added or replaced) and removed from `before` to `after`; undefined beyond `limit` changes. */
function* diffRecord<V>(before: Readonly<Record<string, V>>, after: Readonly<Record<string, V>>, beforeSize: number, limit: number): Generator<void, { set: string[]; removed: string[] } | undefined, void> {
  const set: string[] = [];
  const removed: string[] = [];
  if (before === after) return { set, removed };
  const names = Object.keys(after);
  let kept = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const was = before[name];
    if (was === undefined || !Object.hasOwn(before, name)) set.push(name);
    else {
      kept++;
      if (was !== after[name]) set.push(name);
    }
    if (set.length > limit) return undefined;
    if ((i + 1) % STEP === 0) yield;
  }
  // Every name of `before` not kept is gone: look for them only when there are some.
  if (kept < beforeSize) {
    const old = Object.keys(before);
    for (let i = 0; i < old.length; i++) {
      const name = old[i] as string;
      if (!Object.hasOwn(after, name)) removed.push(name);
      if ((i + 1) % STEP === 0) yield;
    }
    if (set.length + removed.length > limit) return undefined;
  }
  return { set, removed };
}

/**
 * What changed between two router records, from the change notes the provider state leaves on the
 * record it derives (one provider: the snapshot's record is its own), so a one-router reload does
 * not walk every name; undefined without notes linking them.
 */
function notedDiff<V>(before: Readonly<Record<string, V>>, after: Readonly<Record<string, V>>): { set: string[]; removed: string[] } | undefined {
  const names = changedNames(after, before);
  if (names === undefined) return undefined;
  const set: string[] = [];
  const removed: string[] = [];
  for (const name of names) {
    const has = Object.hasOwn(after, name);
    if (!has) {
      if (Object.hasOwn(before, name)) removed.push(name);
    } else if (!Object.hasOwn(before, name) || before[name] !== after[name]) set.push(name);
  }
  return { set, removed };
}

/** True when a router with this configuration is a TLS router on some entry point. */
function isTlsRouter(router: RouterConfig, staticConfig: StaticConfig, defaults: readonly string[]): boolean {
  if (router.tls !== undefined) return true;
  for (const e of router.entryPoints ?? defaults) if (staticConfig.entryPoints[e]?.http.tls !== undefined) return true;
  return false;
}

/** A carried-over diagnostic, with its object's position in the new configuration (lines move). */
function relocate(d: Diagnostic, origins: ReadonlyMap<string, ObjectOrigin> | undefined): Diagnostic {
  if (d.object === undefined || d.path === undefined || !d.path.startsWith('http.')) return d;
  const kind = d.path.slice(5, d.path.indexOf('.', 5));
  const origin = origins?.get(`http.${kind}.${d.object}`);
  if (origin === undefined || (origin.source === d.source && origin.line === d.line)) return d;
  const { source: _source, line: _line, ...rest } = d;
  return { ...rest, source: origin.source, ...(origin.line !== undefined ? { line: origin.line } : {}) };
}

/** What compile.ts shares with this file (kept there: one copy of each rule). */
export interface IncrementalParts {
  readonly epNames: ReadonlySet<string>;
  readonly defaults: readonly string[];
  /** Internal services (noop@internal, ping@internal, ...) as this compile made them. */
  readonly internalServices: ReadonlyMap<string, { readonly handler: Handler }>;
  readonly createEntryPointHandler: (plain: EntryPointTables['plain'], tls: EntryPointTables['tls']) => Handler;
  readonly lazyView: (
    config: DynamicConfig,
    routers: ReadonlyMap<string, BuiltRouter>,
    services: ReadonlyMap<string, Mutable<ServiceConfig>>,
    middlewares: ReadonlyMap<string, Mutable<MiddlewareConfig>>,
    built: CompiledGraph['built']['services'],
  ) => () => CompiledGraph['view'];
}

/**
 * The incremental compile of `input` against input.previous, or undefined (nothing done) when it
 * does not apply and the whole compile must run.
 */
export function* incrementalSteps(input: CompileInput, deps: CompileDeps, parts: IncrementalParts): Generator<void, CompiledGraph | undefined, void> {
  const prev = input.previous;
  if (prev === undefined || prev.routeTables === undefined) return undefined;
  const b = prev.built;
  const { staticConfig, config } = input;
  const ctx = b.context;
  if (ctx.staticConfig !== staticConfig || ctx.deps !== deps || ctx.config.tls !== config.tls) return undefined;
  const was = ctx.config.http;
  const now = config.http;
  const states = b.states;
  // Anything but routers changed: the whole compile (it reuses what it can object by object).
  if (!(yield* unchanged(was.services, now.services, b.serviceCount))) return undefined;
  if (!(yield* unchanged(was.middlewares, now.middlewares, states.middlewares.size))) return undefined;
  if (was.serversTransports !== now.serversTransports) {
    const t = yield* diffRecord(was.serversTransports, now.serversTransports, Object.keys(was.serversTransports).length, 0);
    if (t === undefined || t.set.length > 0 || t.removed.length > 0) return undefined;
  }
  const limit = Math.max(64, b.routers.size >> 4);
  // The caller may know what changed (a worker gets it with the delta): no need to look.
  const hint = input.changedRouters ?? notedDiff(was.routers, now.routers);
  const diff = hint !== undefined ? (hint.set.length + hint.removed.length > limit ? undefined : { set: [...hint.set], removed: [...hint.removed] }) : yield* diffRecord(was.routers, now.routers, b.routers.size, limit);
  if (diff === undefined) return undefined;

  // Routers to compile: the changed ones and those that had errors.
  const redo = new Set<string>(diff.set);
  for (const name of b.broken) if (Object.hasOwn(now.routers, name)) redo.add(name);
  if (redo.size > limit) return undefined;
  for (const name of redo) {
    const old = b.routers.get(name);
    if (isTlsRouter(now.routers[name] as RouterConfig, staticConfig, parts.defaults) || (old !== undefined && isTlsRouter(old.config, staticConfig, parts.defaults))) return undefined;
  }
  for (const name of diff.removed) {
    const old = b.routers.get(name);
    if (old !== undefined && isTlsRouter(old.config, staticConfig, parts.defaults)) return undefined;
  }
  yield;

  // --- the changed routers -------------------------------------------------------------------------
  const diagnostics: Diagnostic[] = [];
  const builtServices = b.services;
  const builtMiddlewares = b.middlewares;
  const scope: RouterScope = {
    staticConfig,
    epNames: parts.epNames,
    defaults: parts.defaults,
    instrument: deps.instrument,
    // None of these routers is a TLS router (checked above): add() records nothing for them.
    tlsRouters: new TlsRouterCollector(config.tls, staticConfig.entryPoints),
    serviceHandler: (ref) => builtServices.get(ref)?.handler ?? parts.internalServices.get(ref)?.handler,
    serviceState: (ref) => states.services.get(ref) ?? (Object.hasOwn(now.services, ref) ? ENABLED : undefined),
    middleware: (ref) => builtMiddlewares.get(ref)?.middleware,
    middlewareState: (ref) => states.middlewares.get(ref),
    leftOut: (kind, ref) => input.origins?.has(`http.${kind}.${ref}`) === true && !(ref in config.http[kind]),
    report: (name, code, message) => {
      const origin = input.origins?.get(`http.routers.${name}`);
      diagnostics.push({
        code,
        severity: 'error',
        message,
        object: name,
        path: `http.routers.${name}`,
        ...(origin ? { source: origin.source } : {}),
        ...(origin?.line !== undefined ? { line: origin.line } : {}),
      });
    },
  };
  // The previous map stays as it is (the graph serving reads it): the changes go in `set` and
  // `removed`, and the new map is derived from it with them (layered-map.ts).
  const set = new Map<string, BuiltRouter>();
  const removedNames = new Set<string>();
  const current = (name: string): BuiltRouter | undefined => (set.has(name) ? set.get(name) : removedNames.has(name) ? undefined : b.routers.get(name));
  const gone: RouteUse[] = [];
  const fresh: RouteUse[] = [];
  const added: string[] = [];
  const changed: string[] = [];
  const broken: string[] = [];
  let enabled = b.enabled;
  let work = 0;
  for (const name of redo) {
    const old = current(name);
    const router = now.routers[name] as RouterConfig;
    const built = compileRouter(scope, name, router, old);
    if (old !== undefined) {
      for (let k = 0, n = routeCount(old.routes); k < n; k++) gone.push(routeAt(old.routes, k));
      if (old.status === 'enabled') enabled--;
      if (old.status !== built.status || (old.config !== router && !sameData(old.config, router))) changed.push(name);
    } else added.push(name);
    for (let k = 0, n = routeCount(built.routes); k < n; k++) fresh.push(routeAt(built.routes, k));
    if (built.status === 'enabled') enabled++;
    if (built.uses === undefined) broken.push(name);
    set.set(name, built);
    if (++work % 64 === 0) yield;
  }
  for (const name of diff.removed) {
    const old = current(name);
    if (old === undefined) continue;
    for (let k = 0, n = routeCount(old.routes); k < n; k++) gone.push(routeAt(old.routes, k));
    if (old.status === 'enabled') enabled--;
    set.delete(name);
    removedNames.add(name);
  }
  const routers = yield* LayeredMap.derive(b.routers, set, [...removedNames]);

  // --- tables: only those with changed entries are rebuilt -----------------------------------
  const entryPoints = new Map<string, Handler>();
  const routeTables = new Map<string, EntryPointTables>();
  const of = (uses: readonly RouteUse[], epName: string, tls: boolean): RouteEntry<Handler>[] => {
    const out: RouteEntry<Handler>[] = [];
    for (const r of uses) if (r.entryPoint === epName && r.tls === tls) out.push(r);
    return out;
  };
  for (const [epName, t] of prev.routeTables) {
    const plain = yield* updatedTableSteps(t.plain, of(gone, epName, false), of(fresh, epName, false));
    const tls = yield* updatedTableSteps(t.tls, of(gone, epName, true), of(fresh, epName, true));
    const tables: EntryPointTables = plain === t.plain && tls === t.tls ? t : { plain, tls };
    routeTables.set(epName, tables);
    const handler = tables === t ? prev.entryPoints.get(epName) : undefined;
    entryPoints.set(epName, handler ?? parts.createEntryPointHandler(plain, tls));
  }

  // Diagnostics: the previous ones but those of the routers compiled again, then theirs.
  const redone = (d: Diagnostic): boolean => d.object !== undefined && d.path === `http.routers.${d.object}` && (redo.has(d.object) || !Object.hasOwn(now.routers, d.object));
  const carried: Diagnostic[] = [];
  for (const d of prev.diagnostics) if (!redone(d)) carried.push(relocate(d, input.origins));
  added.sort();
  diff.removed.sort();
  // withView: a getter written here would keep this generator's context, and `input.previous`
  // with it (every earlier graph).
  return withView(
    {
      entryPoints,
      diagnostics: [...carried, ...diagnostics],
      built: { ...b, routers, context: { staticConfig, deps, config }, enabled, broken },
      tlsRouters: prev.tlsRouters,
      routeTables,
      changes: { added, removed: diff.removed, changed: changed.sort(), routers: routers.size, enabled },
    },
    parts.lazyView(config, routers, states.services, states.middlewares, builtServices),
  );
}

/** True when the records hold the same objects under the same names. */
function* unchanged<V>(before: Readonly<Record<string, V>>, after: Readonly<Record<string, V>>, beforeSize: number): Generator<void, boolean, void> {
  if (before === after) return true;
  const d = yield* diffRecord(before, after, beforeSize, 0);
  return d !== undefined && d.set.length === 0 && d.removed.length === 0;
}
