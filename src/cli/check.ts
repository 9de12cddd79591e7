/**
 * `turnpike check`: load the static configuration and every dynamic file it points to, compile
 * them as the runtime would, and return every problem (file:line, key path, object, reason).
 * No socket is opened and no upstream contacted.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { loadStaticConfig, type LoadStaticInput } from '../config/static/load.js';
import { UpstreamPools } from '../proxy/upstream-pools.js';
import { createAggregator, type Snapshot } from '../providers/aggregator.js';
import { checkDynamicFiles } from '../providers/file/watch.js';
import { compile, disposeDropped, type CompileDeps } from '../runtime/compile.js';
import { preloadMiddlewares } from '../middlewares/registry.js';

export interface CheckReport {
  readonly diagnostics: readonly Diagnostic[];
  readonly errors: number;
  readonly routers: number;
  /** The static file checked, or the source kind (flags, env, defaults). */
  readonly source: string;
}

export async function checkConfiguration(input: LoadStaticInput, deps: (pools: UpstreamPools) => CompileDeps): Promise<CheckReport> {
  const res = loadStaticConfig(input);
  const problems: Diagnostic[] = [...res.diagnostics];
  let routers = 0;
  if (res.config?.providers.file) {
    const dyn = await checkDynamicFiles(res.config.providers.file);
    // Qualify names exactly as the running aggregator does, then compile to catch rule and reference errors.
    let snapshot: Snapshot | undefined;
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => (snapshot = s) });
    agg.push({ provider: 'file', config: dyn.config, origins: dyn.origins, diagnostics: dyn.diagnostics });
    agg.close();
    problems.push(...(snapshot?.diagnostics ?? dyn.diagnostics));
    if (snapshot) {
      await preloadMiddlewares(snapshot.config);
      const pools = new UpstreamPools();
      try {
        const base = deps(pools);
        // prometheus@internal exists when metrics.prometheus is configured (a router may name it).
        const withInternals = res.config.metrics?.prometheus
          ? { ...base, internals: { services: new Map([...(base.internals?.services ?? []), ['prometheus@internal', () => undefined]]), routers: base.internals?.routers ?? [] } }
          : base;
        const graph = compile({ staticConfig: res.config, config: snapshot.config, origins: snapshot.origins }, withInternals);
        problems.push(...graph.diagnostics);
        routers = Object.keys(graph.view.routers).length;
        disposeDropped(graph, undefined); // health checks were armed by the build: stop them
      } finally {
        pools.close();
      }
    }
  }
  return {
    diagnostics: problems,
    errors: problems.filter((d) => d.severity === 'error').length,
    routers,
    source: res.files.static ?? res.config?.origin.kind ?? 'configuration',
  };
}
