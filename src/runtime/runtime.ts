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
import { compile, type CompileDeps, type CompiledGraph } from './compile.js';
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
}

export class Runtime {
  readonly #opts: RuntimeOptions;
  #current: CompiledGraph | undefined;
  #currentHash: string | undefined;
  #version = 0;

  constructor(opts: RuntimeOptions) {
    this.#opts = opts;
  }

  get current(): CompiledGraph | undefined {
    return this.#current;
  }

  /** Compiles `snapshot` and swaps it in. Never throws for bad configuration. */
  apply(snapshot: Snapshot): CompiledGraph {
    const { logger, staticConfig, deps, slots } = this.#opts;
    if (this.#current !== undefined && snapshot.hash === this.#currentHash) {
      // Same configuration (e.g. a file saved unchanged, or only its problems changed): no rebuild.
      this.#logDiagnostics(snapshot.diagnostics);
      logger.debug({ version: this.#version }, 'skipping same configuration');
      return this.#current;
    }
    const started = performance.now();
    const graph = compile({ staticConfig, config: snapshot.config, origins: snapshot.origins }, deps);
    for (const [name, slot] of slots) {
      const handler = graph.entryPoints.get(name);
      if (handler) slot.setHandler(handler);
    }
    const previous = this.#current;
    this.#current = graph;
    this.#currentHash = snapshot.hash;
    this.#version++;

    const all: Diagnostic[] = [...snapshot.diagnostics, ...graph.diagnostics];
    this.#logDiagnostics(all);
    const diff = diffRouters(previous?.view, graph.view);
    const routers = Object.values(graph.view.routers);
    logger.info(
      {
        version: this.#version,
        routers: routers.length,
        enabled: routers.filter((r) => r.status === 'enabled').length,
        added: diff.added,
        removed: diff.removed,
        changed: diff.changed,
        errors: all.filter((d) => d.severity === 'error').length,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'configuration applied',
    );
    return graph;
  }

  #logDiagnostics(list: readonly Diagnostic[]): void {
    const { logger } = this.#opts;
    for (const d of list) {
      const line = formatDiagnostic(d);
      if (d.severity === 'warning') logger.warn({ code: d.code, error: line }, 'configuration warning');
      else logger.error({ code: d.code, error: line }, 'configuration error');
    }
  }
}
