/**
 * The runtime: owns the entry points and the current compiled graph. Each new snapshot is
 * compiled in full first, then every entry point's handler is swapped in one assignment
 * (make-before-break); requests in flight finish on the graph they started on. Long-lived
 * state (upstream connection pools) lives outside the graph and is reused across reloads.
 */
import { formatDiagnostic, type Diagnostic } from '../config/diagnostics.js';
import type { StaticConfig } from '../config/static/types.js';
import type { Handler } from '../exchange/exchange.js';
import type { Logger } from '../observability/logger.js';
import type { Snapshot } from '../providers/aggregator.js';
import { schedule, SLICE_MS } from '../scheduling/background.js';
import { compile, compileSteps, disposeDropped, type CompileDeps, type CompiledGraph, type CompileInput, type RouterChanges } from './compile.js';
import { diffRouters } from './diff.js';

/** What the runtime needs of an entry point: a handler slot. */
export interface HandlerSlot {
  setHandler(handler: Handler): void;
}

export interface RuntimeOptions {
  readonly staticConfig: StaticConfig;
  readonly logger: Logger;
  readonly deps: CompileDeps;
  readonly slots: ReadonlyMap<string, HandlerSlot>;
  /**
   * When set, apply() hands its outcome here instead of logging the diagnostics and the
   * "configuration applied" line itself: a cluster worker reports to the primary, which logs once
   * for all workers (see workers/primary.ts).
   */
  readonly report?: (summary: ApplySummary) => void;
  /**
   * Told, after each swap, how many objects the new configuration's largest collection (routers
   * or services) has: the young generation's limit follows it (young-generation.ts).
   */
  readonly sized?: (objects: number) => void;
  /**
   * The TLS state of the entry points (src/tls/tls-manager.ts): each applied configuration's `tls`
   * section and TLS routers are handed to it, its diagnostics join the configuration's.
   */
  readonly tls?: { update(tls: Snapshot['config']['tls'], uses: CompiledGraph['tlsRouters']): Diagnostic[] };
}

/** The outcome of one apply(), as logged by logApplied(). */
export interface ApplySummary {
  /** True when the snapshot had the current configuration's hash: nothing was recompiled. */
  readonly skipped: boolean;
  readonly version: number;
  /**
   * The version of the snapshot this summary is about (a worker reports it to the primary: with
   * sliced applies the report comes after later snapshots may have arrived).
   */
  readonly snapshot?: number;
  readonly routers: number;
  readonly enabled: number;
  /** Router names added, removed, changed since the previous configuration. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly errors: number;
  readonly ms: number;
  /** The snapshot's diagnostics followed by the compiler's. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Logs each diagnostic as a "configuration warning" / "configuration error" line. */
export function logDiagnostics(logger: Logger, list: readonly Diagnostic[]): void {
  for (const d of list) {
    const line = formatDiagnostic(d);
    if (d.severity === 'warning') logger.warn({ code: d.code, error: line }, 'configuration warning');
    else logger.error({ code: d.code, error: line }, 'configuration error');
  }
}

/** Logs an apply's diagnostics and, unless it was skipped, the "configuration applied" line. */
export function logApplied(logger: Logger, s: ApplySummary): void {
  logDiagnostics(logger, s.diagnostics);
  if (s.skipped) {
    logger.debug({ version: s.version }, 'skipping same configuration');
    return;
  }
  logger.info(
    {
      version: s.version,
      routers: s.routers,
      enabled: s.enabled,
      ...loggedNames('added', s.added),
      ...loggedNames('removed', s.removed),
      ...loggedNames('changed', s.changed),
      errors: s.errors,
      ms: s.ms,
    },
    'configuration applied',
  );
}

/** Router names one "configuration applied" line lists per kind of change (the API's history has them all). */
export const LOGGED_NAMES = 20;

/**
 * `{ added: [...] }`, or with more than LOGGED_NAMES names the first of them and `addedCount`: a
 * first load of 100,000 routers would otherwise write one line of 1.2 MB.
 */
function loggedNames(key: 'added' | 'removed' | 'changed', names: readonly string[]): Record<string, unknown> {
  if (names.length <= LOGGED_NAMES) return { [key]: names };
  return { [key]: names.slice(0, LOGGED_NAMES), [`${key}Count`]: names.length };
}

function noop(): void {}

/** The routers changed from `previous` to `graph`, found by walking both views (when the compiler's own diff does not apply). */
function countChanges(previous: CompiledGraph | undefined, graph: CompiledGraph): RouterChanges {
  const diff = diffRouters(previous?.view, graph.view);
  let routers = 0;
  let enabled = 0;
  for (const name of Object.keys(graph.view.routers)) {
    routers++;
    if (graph.view.routers[name]?.status === 'enabled') enabled++;
  }
  return { ...diff, routers, enabled };
}

/**
 * What changed in the routers of a snapshot since snapshot `base` (a cluster worker knows it from
 * the delta it was sent): names set (added or replaced) and removed.
 */
export interface RouterChangeHint {
  readonly base: number;
  readonly routers: { readonly set: readonly string[]; readonly removed: readonly string[] };
}

/** A compile running in slices (applySliced). */
interface SlicedCompile {
  readonly steps: Generator<void, CompiledGraph, void>;
  readonly snapshot: Snapshot;
  readonly started: number;
  readonly base: CompiledGraph | undefined;
}

export class Runtime {
  readonly #opts: RuntimeOptions;
  #current: CompiledGraph | undefined;
  #currentHash: string | undefined;
  /** The version of the snapshot #current was compiled from. */
  #currentSnapshot: number | undefined;
  #version = 0;
  /** Date.now() of the last configuration swapped in; 0 before the first. */
  #appliedAt = 0;
  /** The sliced compile running (applySliced), if any. */
  #job: SlicedCompile | undefined;
  /** Set by stop(): nothing more is applied. */
  #stopped = false;
  /** The latest snapshot that arrived while one compiled, and what it said changed. */
  #waiting: Snapshot | undefined;
  #waitingHint: RouterChangeHint | undefined;

  constructor(opts: RuntimeOptions) {
    this.#opts = opts;
  }

  /** Configurations applied so far (Traefik's config reloads: unchanged ones are skipped, not counted). */
  get appliedCount(): number {
    return this.#version;
  }

  /** When the last configuration was swapped in (Date.now()); 0 before the first. */
  get lastAppliedAt(): number {
    return this.#appliedAt;
  }

  get current(): CompiledGraph | undefined {
    return this.#current;
  }

  /**
   * Compiles `snapshot` in one go and swaps it in. Never throws for bad configuration. A sliced
   * compile still running is finished first (synchronously), so this one is applied on top of it.
   */
  apply(snapshot: Snapshot): CompiledGraph | undefined {
    if (this.#stopped) return this.#current;
    const job = this.#job;
    if (job !== undefined) {
      this.#job = undefined;
      let r: IteratorResult<void, CompiledGraph>;
      do r = job.steps.next();
      while (r.done !== true);
      this.#finish(job.snapshot, r.value, job.started, job.base);
    }
    this.#waiting = undefined;
    this.#waitingHint = undefined;
    if (this.#skip(snapshot)) return this.#current;
    const started = performance.now();
    const base = this.#current;
    const graph = compile(this.#input(snapshot), this.#opts.deps);
    this.#finish(snapshot, graph, started, base);
    return graph;
  }

  /**
   * As apply(), but the compile runs in slices of about `sliceMs` with the event loop free in
   * between (on the process's background queue, scheduling/background.ts), so requests keep being served while a large configuration compiles;
   * the new graph is swapped in, in one assignment per entry point, once it is complete. A
   * snapshot arriving meanwhile waits; only the latest waiting one is applied next (the ones it
   * replaced are never reported: a summary always names its own snapshot's version).
   */
  applySliced(snapshot: Snapshot, sliceMs: number = SLICE_MS, hint?: RouterChangeHint): void {
    if (this.#stopped) return;
    if (this.#job !== undefined) {
      this.#waiting = snapshot;
      this.#waitingHint = hint;
      return;
    }
    if (this.#skip(snapshot)) return;
    // The hint holds only against the snapshot it was made from.
    const changedRouters = hint !== undefined && hint.base === this.#currentSnapshot ? hint.routers : undefined;
    const input = this.#input(snapshot);
    this.#job = { steps: compileSteps(changedRouters ? { ...input, changedRouters } : input, this.#opts.deps), snapshot, started: performance.now(), base: this.#current };
    this.#slice(sliceMs);
  }

  /**
   * Stops applying: a sliced compile in progress is dropped and waiting snapshots forgotten (at
   * shutdown, before the entry points close). Services the dropped compile had built already
   * are not disposed; their timers are unref'd and go with the process.
   */
  stop(): void {
    this.#stopped = true;
    this.#job = undefined;
    this.#waiting = undefined;
    this.#waitingHint = undefined;
  }

  /**
   * Queues the current sliced compile on the process's background queue (scheduling/background.ts),
   * which runs it at most `sliceMs` per turn of the event loop, sharing the turn's budget with the
   * providers' work; then swaps it in.
   */
  #slice(sliceMs: number): void {
    const job = this.#job;
    if (job === undefined || this.#stopped) return;
    schedule({ run: (deadline) => this.#step(job, Math.min(deadline, performance.now() + sliceMs), sliceMs) });
  }

  /** One slice of `job`; true when it is over (done, failed, dropped or replaced). */
  #step(job: SlicedCompile, deadline: number, sliceMs: number): boolean {
    if (this.#job !== job || this.#stopped) return true; // stop() or apply() took it meanwhile
    let r: IteratorResult<void, CompiledGraph>;
    try {
      do r = job.steps.next();
      while (r.done !== true && performance.now() < deadline);
    } catch (err) {
      // compile() is total: a throw is a bug. Keep serving the current graph and say so.
      this.#job = undefined;
      this.#opts.logger.error({ err: err instanceof Error ? (err.stack ?? err.message) : String(err), version: job.snapshot.version }, 'configuration compile failed');
      this.#next(sliceMs);
      return true;
    }
    if (r.done !== true) return false;
    this.#job = undefined;
    // The swap now; the bookkeeping after it (disposing dropped services, the diff for the
    // report) in a later turn: a few milliseconds with 10,000 routers.
    const report = this.#finish(job.snapshot, r.value, job.started, job.base, true);
    schedule({
      run: () => {
        if (!this.#stopped) {
          try {
            report();
          } catch (err) {
            this.#opts.logger.error({ err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'configuration report failed');
          }
        }
        this.#next(sliceMs);
        return true;
      },
    });
    return true;
  }

  #next(sliceMs: number): void {
    const next = this.#waiting;
    const hint = this.#waitingHint;
    this.#waiting = undefined;
    this.#waitingHint = undefined;
    if (next !== undefined) this.applySliced(next, sliceMs, hint);
  }

  /** True (and reported) when `snapshot` is the configuration already in place. */
  #skip(snapshot: Snapshot): boolean {
    if (this.#current === undefined || snapshot.hash !== this.#currentHash) return false;
    // Same configuration (e.g. a file saved unchanged, or only its problems changed): no rebuild.
    this.#done({ skipped: true, version: this.#version, snapshot: snapshot.version, routers: 0, enabled: 0, added: [], removed: [], changed: [], errors: 0, ms: 0, diagnostics: snapshot.diagnostics });
    return true;
  }

  #input(snapshot: Snapshot): CompileInput {
    return { staticConfig: this.#opts.staticConfig, config: snapshot.config, origins: snapshot.origins, ...(this.#current ? { previous: this.#current } : {}) };
  }

  /**
   * Swaps a compiled graph in and reports what changed; with `later`, returns the reporting part
   * (dispose and diff) to run in another turn instead of running it.
   */
  #finish(snapshot: Snapshot, graph: CompiledGraph, started: number, base: CompiledGraph | undefined, later = false): () => void {
    // The TLS state first: a TLS router of the new graph finds its certificates and options.
    const tlsDiagnostics = this.#opts.tls?.update(snapshot.config.tls, graph.tlsRouters) ?? [];
    for (const [name, slot] of this.#opts.slots) {
      const handler = graph.entryPoints.get(name);
      if (handler) slot.setHandler(handler);
    }
    const previous = this.#current;
    this.#current = graph;
    this.#currentHash = snapshot.hash;
    this.#currentSnapshot = snapshot.version;
    this.#version++;
    this.#appliedAt = Date.now();
    this.#opts.sized?.(Math.max(graph.built.routers.size, graph.built.serviceCount));
    const version = this.#version;
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const report = (): void => this.#report(snapshot, graph, previous, version, ms, tlsDiagnostics, base === previous);
    if (later) return report;
    report();
    return noop;
  }

  /** `sameBase`: `graph` was compiled against `previous`, so its `changes` are the diff to report. */
  #report(snapshot: Snapshot, graph: CompiledGraph, previous: CompiledGraph | undefined, version: number, ms: number, tlsDiagnostics: readonly Diagnostic[], sameBase: boolean): void {
    // After the swap: services the new graph no longer uses stop their health checks.
    if (previous !== undefined) disposeDropped(previous, graph);
    const all: Diagnostic[] = [...snapshot.diagnostics, ...graph.diagnostics, ...tlsDiagnostics];
    const changes = sameBase && graph.changes !== undefined ? graph.changes : countChanges(previous, graph);
    this.#done({
      skipped: false,
      version,
      snapshot: snapshot.version,
      routers: changes.routers,
      enabled: changes.enabled,
      added: changes.added,
      removed: changes.removed,
      changed: changes.changed,
      errors: all.filter((d) => d.severity === 'error').length,
      ms,
      diagnostics: all,
    });
  }

  /** Stops the background work of every current service (health checks); for shutdown. */
  dispose(): void {
    if (this.#current !== undefined) disposeDropped(this.#current, undefined);
  }

  #done(summary: ApplySummary): void {
    if (this.#opts.report) this.#opts.report(summary);
    else logApplied(this.#opts.logger, summary);
  }
}
