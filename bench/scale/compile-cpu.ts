/**
 * CPU cost of the compiler alone (issue 3 items 2 and 4), without the provider side or sockets:
 * a generated snapshot of N routers (the four kinds of bench/scale/generate.ts, one service each)
 * is compiled from nothing, then a series of one-router edits is compiled against the previous
 * graph, as a reload does. Prints CPU time (process.cpuUsage: user + system) and wall time, and
 * the longest synchronous step of a sliced compile in CPU time (what blocks an event loop between
 * slices; user + system, so a step that triggers a parallel GC counts its helper threads too).
 *
 *   node --expose-gc dist/bench/scale/compile-cpu.js [--routers 100000] [--edits 10] [--runs 3]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/scale/compile-cpu.js --runs 1
 *
 * Not part of `npm test`; see docs/benchmarks.md.
 */
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { load as loadYaml } from 'js-yaml';
import { validateDynamic, validateObject } from '../../src/config/dynamic/validate.js';
import type { DynamicConfig } from '../../src/config/dynamic/types.js';
import { loadStaticConfig } from '../../src/config/static/load.js';
import type { StaticConfig } from '../../src/config/static/types.js';
import { compileDeps } from '../../src/cli/compile-deps.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { createAggregator, type Snapshot } from '../../src/providers/aggregator.js';
import type { ProviderMessage } from '../../src/providers/provider.js';
import { compile, compileSteps, disposeDropped, type CompiledGraph } from '../../src/runtime/compile.js';
import { dynamicYaml, routerRule } from './generate.js';

const { values: opt } = parseArgs({
  options: {
    routers: { type: 'string', default: '100000' },
    edits: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
  },
});
const N = Number(opt.routers);
const say = (s: string): void => void process.stdout.write(s + '\n');

// What the binary builds from `--entryPoints.web.address=127.0.0.1:8080` (Traefik's defaults elsewhere).
const loaded = loadStaticConfig({ argv: ['--entryPoints.web.address=127.0.0.1:8080', '--log.level=ERROR'], env: {}, cwd: tmpdir(), searchDirs: [] });
if (loaded.config === undefined) throw new Error(`static configuration: ${JSON.stringify(loaded.diagnostics)}`);
const staticConfig: StaticConfig = loaded.config;

/** CPU ms (user + system) and wall ms of fn. */
function measure<T>(fn: () => T): { value: T; cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = fn();
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1000, wall };
}

const gc = (globalThis as { gc?: () => void }).gc;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f1 = (n: number): string => n.toFixed(1);

// --- the snapshots: through the validator and the aggregator, as the file provider does --------
const v = validateDynamic(loadYaml(dynamicYaml(N, 8081)), { source: 'dynamic.yml' });
let snapshot: Snapshot | undefined;
const aggregator = createAggregator({ throttleMs: 0, onSnapshot: (s) => (snapshot = s) });
let message: ProviderMessage = { provider: 'file', config: v.config, origins: v.origins, diagnostics: v.diagnostics };
aggregator.push(message);
if (snapshot === undefined) throw new Error('no snapshot');

/** The message with router `index` renamed to `tag` (a one-router edit; every other object kept). */
function edited(prev: ProviderMessage, index: number, tag: string): ProviderMessage {
  const raw = { entryPoints: ['web'], rule: routerRule(index, `-${tag}`), service: `s${index}` };
  const value = validateObject('routers', `r${index}`, raw, { source: 'dynamic.yml' }).value;
  const routers = { ...prev.config.http.routers, [`r${index}`]: value } as DynamicConfig['http']['routers'];
  const config: DynamicConfig = Object.freeze({ ...prev.config, http: Object.freeze({ ...prev.config.http, routers: Object.freeze(routers) }) });
  return { ...prev, config, origins: prev.origins };
}

const deps = compileDeps(new UpstreamPools());
say(`routers ${N}`);
const full: number[] = [];
let graph: CompiledGraph | undefined;
for (let run = 0; run < Number(opt.runs); run++) {
  gc?.();
  const r = measure(() => compile({ staticConfig, config: (snapshot as Snapshot).config, origins: (snapshot as Snapshot).origins }, deps));
  if (graph !== undefined) disposeDropped(graph, r.value);
  graph = r.value;
  full.push(r.cpu);
  say(`full compile: cpu ${f1(r.cpu)} ms, wall ${f1(r.wall)} ms`);
}
say(`full compile: median cpu ${f1(median(full))} ms`);

const edits: number[] = [];
const blocks: number[] = [];
for (let k = 0; k < Number(opt.edits); k++) {
  message = edited(message, 4 * (k + 1), `v${k}`);
  aggregator.push(message);
  const s = snapshot;
  gc?.();
  const previous = graph as CompiledGraph;
  let longest = 0;
  const r = measure(() => {
    const steps = compileSteps({ staticConfig, config: s.config, origins: s.origins, previous }, deps);
    for (;;) {
      // CPU time of the step: on a shared machine its wall time includes being scheduled out.
      const c0 = process.cpuUsage();
      const step = steps.next();
      const c = process.cpuUsage(c0);
      longest = Math.max(longest, (c.user + c.system) / 1000);
      if (step.done === true) return step.value;
    }
  });
  disposeDropped(previous, r.value);
  graph = r.value;
  edits.push(r.cpu);
  blocks.push(longest);
  say(`one-router edit ${k}: cpu ${f1(r.cpu)} ms, wall ${f1(r.wall)} ms, longest step ${f1(longest)} ms cpu`);
}
say(`one-router edit: median cpu ${f1(median(edits))} ms, longest step max ${f1(Math.max(...blocks))} ms cpu, median ${f1(median(blocks))}`);
aggregator.close();
