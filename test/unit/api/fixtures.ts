/**
 * Builds a real compiled graph from Traefik-shaped dynamic configuration of one or more providers
 * (validateDynamic -> aggregator -> compile, as the running proxy does), and serves the API of it on
 * a real entry point (127.0.0.1, port 0).
 */
import { validateDynamic } from '../../../src/config/dynamic/validate.js';
import { loadStaticConfig } from '../../../src/config/static/load.js';
import type { StaticConfig } from '../../../src/config/static/types.js';
import { HttpEntryPoint } from '../../../src/entrypoints/http-entrypoint.js';
import { loadMiddlewareKinds } from '../../../src/middlewares/registry.js';
import { createAggregator, type Snapshot } from '../../../src/providers/aggregator.js';
import { UpstreamPools } from '../../../src/proxy/upstream-pools.js';
import { compile, disposeDropped, type CompiledGraph } from '../../../src/runtime/compile.js';
import { compileDeps } from '../../../src/cli/compile-deps.js';
import { ApiHandler } from '../../../src/api/handler.js';
import { ConfigHistory } from '../../../src/api/history.js';
import { entryPointConfig, httpRequest, type SimpleResponse } from '../../e2e/entrypoint-helpers.js';

/** A static configuration from flags (as `turnpike --api ...` would load it). */
export function staticFromFlags(flags: readonly string[]): StaticConfig {
  const r = loadStaticConfig({ argv: flags, env: {}, cwd: process.cwd(), searchDirs: [] });
  if (!r.config) throw new Error(`bad static flags: ${JSON.stringify(r.diagnostics)}`);
  return r.config;
}

/** One snapshot of several providers' configurations (names get qualified `name@provider`). */
export function snapshotOf(providers: Record<string, unknown>): Snapshot {
  let last: Snapshot | undefined;
  const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => (last = s) });
  for (const [provider, raw] of Object.entries(providers)) {
    const v = validateDynamic(raw, { source: `${provider}.yml` });
    agg.push({ provider, config: v.config, origins: v.origins, diagnostics: v.diagnostics });
  }
  agg.close();
  if (last === undefined) throw new Error('no snapshot');
  return last;
}

export interface Built {
  readonly graph: CompiledGraph;
  readonly snapshot: Snapshot;
  close(): Promise<void>;
}

export async function buildGraph(staticConfig: StaticConfig, providers: Record<string, unknown>): Promise<Built> {
  await loadMiddlewareKinds();
  const snapshot = snapshotOf(providers);
  const pools = new UpstreamPools();
  const graph = compile({ staticConfig, config: snapshot.config, origins: snapshot.origins }, compileDeps(pools));
  return {
    graph,
    snapshot,
    async close() {
      disposeDropped(graph, undefined);
      pools.close();
    },
  };
}

export interface ApiServer {
  readonly port: number;
  readonly history: ConfigHistory;
  get(path: string): Promise<SimpleResponse & { json: unknown }>;
  close(): Promise<void>;
}

/** The API handler of `graph` on a real entry point. */
export async function serveApi(staticConfig: StaticConfig, graph: () => CompiledGraph | undefined, history = new ConfigHistory()): Promise<ApiServer> {
  const handler = new ApiHandler({ config: staticConfig, history, startDate: '2026-01-01T00:00:00.000Z', graph });
  const ep = new HttpEntryPoint(entryPointConfig());
  ep.setHandler(handler.handle);
  const { port } = await ep.listen();
  return {
    port,
    history,
    async get(path) {
      const res = await httpRequest(port, { path, headers: { host: 'api.test' } });
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { ...res, json };
    },
    close: () => ep.close(0),
  };
}

/**
 * `expected` is contained in `actual`: every key of an expected object is in the actual one with a
 * contained value; arrays have the same length and contained elements. Traefik's golden files list
 * what Traefik serves; Turnpike may add fields (a router's `using`, a load balancer's defaults).
 */
export function contained(actual: unknown, expected: unknown, path = '$'): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((e, i) => contained(actual[i], e, `${path}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const a = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([k, v]) => (k in a ? contained(a[k], v, `${path}.${k}`) : [`${path}.${k}: missing`]));
  }
  return Object.is(actual, expected) ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
