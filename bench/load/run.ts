/**
 * Load benchmark: wrk against the upstream alone, Turnpike (1 router and 1,000 routers), nginx
 * and Caddy, side by side on this machine. The proxy under test is pinned to CPU 0, wrk and the
 * nginx upstream share CPU 1. Rounds are interleaved (every target once per round, order
 * rotated) and the table shows medians, with ratios taken inside each round.
 *
 *   npm run bench -- --duration 10s --rounds 3 --only turnpike,nginx,caddy
 *
 * See docs/benchmarks.md. Not part of `npm test`.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topSelfTime } from './cpu-profile.js';
import { formatMachine, machineInfo } from './machine.js';
import { parseBenchOptions, USAGE, type BenchOptions, type TargetName } from './options.js';
import { cpuSeconds, machineBusySeconds, rssMiB, selfAndChildrenSeconds } from './proc-stats.js';
import { findTool, ProcessSet, tail } from './processes.js';
import { buildRows, formatTable, LABELS, ratioByRound, type Sample } from './report.js';
import { BENCH_HOST, startCaddy, startNginxProxy, startTurnpike, startUpstream, type Running, type StartContext, type Tools } from './targets.js';
import { parseWrkOutput, wrkArgs } from './wrk.js';

/** Repository root (this file runs from dist/bench/load/). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROXY_CPU = 0;
const LOAD_CPU = 1;
/** Attempts per measured run when other processes keep the machine busy. */
const MAX_ATTEMPTS = 3;

const say = (s: string): void => void process.stdout.write(s + '\n');

interface Env {
  readonly opts: BenchOptions;
  readonly procs: ProcessSet;
  readonly dir: string;
  readonly wrk: string;
  readonly pin: boolean;
  readonly upstreamPid: number;
}

/** Checks the tools the selected targets need; returns them or explains how to get them. */
function requireTools(opts: BenchOptions): { tools: Tools; wrk: string } {
  const missing: string[] = [];
  const wrk = findTool('wrk');
  const nginx = findTool('nginx');
  const caddy = findTool('caddy');
  if (!wrk) missing.push('wrk');
  if (!nginx) missing.push('nginx');
  if (!caddy && opts.targets.includes('caddy')) missing.push('caddy');
  if (!findTool('taskset')) missing.push('taskset (package util-linux)');
  if (missing.length > 0) {
    throw new Error(
      `missing tool(s): ${missing.join(', ')}\n` +
        'Install them (Debian/Ubuntu): sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk nginx caddy util-linux\n' +
        'or skip a proxy with --only (wrk and nginx are always needed: nginx is the upstream).',
    );
  }
  const usesTurnpike = opts.targets.some((t) => t.startsWith('turnpike'));
  if (usesTurnpike && !existsSync(opts.turnpikeEntry)) {
    throw new Error(`Turnpike entry ${opts.turnpikeEntry} not found: run \`npm run build\` first, or pass --turnpike-entry`);
  }
  return { tools: { nginx: nginx ?? '', caddy: caddy ?? '', node: process.execPath }, wrk: wrk ?? '' };
}

/** Runs wrk once (pinned with the upstream) and parses its output. */
async function runWrk(env: Env, port: number, duration: string, tag: string): Promise<ReturnType<typeof parseWrkOutput>> {
  const log = join(env.dir, `wrk-${tag}.txt`);
  const args = wrkArgs(`http://127.0.0.1:${port}/`, BENCH_HOST, env.opts.connections, duration);
  const p = env.procs.start('wrk', env.pin ? LOAD_CPU : undefined, env.wrk, args, log);
  const how = await p.exited;
  const out = readFileSync(log, 'utf8');
  if (how !== 'code 0') throw new Error(`wrk failed (${how}):\n${out}`);
  return parseWrkOutput(out);
}

interface CpuSnapshot {
  readonly at: number;
  readonly target: number | undefined;
  readonly upstream: number | undefined;
  readonly self: number | undefined;
  readonly machine: number | undefined;
}

function snapshot(env: Env, t: Running): CpuSnapshot {
  return {
    at: performance.now(),
    target: cpuSeconds(t.proc.pid),
    upstream: t.proc.pid === env.upstreamPid ? 0 : cpuSeconds(env.upstreamPid),
    self: selfAndChildrenSeconds(),
    machine: machineBusySeconds(),
  };
}

const delta = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : b - a);

/**
 * CPU the rest of the machine used during a run, in % of one CPU: busy time minus the target's,
 * the upstream's, and wrk's (a reaped child of this process). Other work on the machine shares
 * the pinned CPUs and skews the run.
 */
function otherCpuPct(a: CpuSnapshot, b: CpuSnapshot): number | undefined {
  const machine = delta(a.machine, b.machine);
  const target = delta(a.target, b.target);
  const upstream = delta(a.upstream, b.upstream);
  const self = delta(a.self, b.self);
  if (machine === undefined || target === undefined || upstream === undefined || self === undefined) return undefined;
  return Math.max(0, (100 * (machine - target - upstream - self)) / ((b.at - a.at) / 1000));
}

/** One measured run with the target's CPU time, RSS and the machine's other load around it. */
async function measureOnce(env: Env, t: Running, round: number, tag: string): Promise<Sample> {
  const before = snapshot(env, t);
  const r = await runWrk(env, t.port, env.opts.duration, tag);
  const after = snapshot(env, t);
  const cpu = delta(before.target, after.target);
  const cpuUs = cpu !== undefined && r.requests > 0 ? (cpu * 1e6) / r.requests : undefined;
  return { ...r, round, cpuUsPerRequest: cpuUs, rssMiB: rssMiB(t.proc.pid), otherCpuPct: otherCpuPct(before, after) };
}

/**
 * Warm-up, then a measured run. A run during which the rest of the machine used more than
 * --max-other-cpu is repeated (up to MAX_ATTEMPTS in all); the quietest attempt is kept.
 */
async function measure(env: Env, t: Running, round: number): Promise<Sample> {
  if (env.opts.warmup !== '0') await runWrk(env, t.port, env.opts.warmup, `${t.name}-r${round}-warmup`);
  let best: Sample | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const s = await measureOnce(env, t, round, `${t.name}-r${round}-a${attempt}`);
    if (!best || (s.otherCpuPct ?? 0) < (best.otherCpuPct ?? 0)) best = s;
    const other = s.otherCpuPct;
    if (env.opts.maxOtherCpu <= 0 || other === undefined || other <= env.opts.maxOtherCpu) break;
    if (attempt < MAX_ATTEMPTS) say(`round ${round}  ${LABELS[t.name]}: other processes used ${other.toFixed(0)}% of a CPU; repeating the run`);
  }
  return best as Sample;
}

async function startTarget(ctx: StartContext, name: Exclude<TargetName, 'upstream'>): Promise<Running> {
  switch (name) {
    case 'turnpike-1':
      return startTurnpike(ctx, name, 1);
    case 'turnpike-1k':
      return startTurnpike(ctx, name, 1000);
    case 'nginx':
      return startNginxProxy(ctx);
    case 'caddy':
      return startCaddy(ctx);
  }
}

/** One extra run of a Turnpike target under `node --cpu-prof`; prints the top self-time functions. */
async function profileTurnpike(env: Env, base: StartContext, profileDir: string, name: 'turnpike-1' | 'turnpike-1k'): Promise<void> {
  say(`\nProfiling ${LABELS[name]} with --cpu-prof for ${env.opts.duration}...`);
  const before = new Set(existsSync(profileDir) ? readdirSync(profileDir) : []);
  const spawnedAt = performance.now();
  const t = await startTurnpike({ ...base, profileDir }, name, name === 'turnpike-1' ? 1 : 1000);
  if (env.opts.warmup !== '0') await runWrk(env, t.port, env.opts.warmup, `profile-${name}-warmup`);
  const skipMs = performance.now() - spawnedAt;
  const r = await runWrk(env, t.port, env.opts.duration, `profile-${name}`);
  await env.procs.stop(t.proc);
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!file) {
    say(`no .cpuprofile was written in ${profileDir} (did Turnpike exit through process.exit?)\n${tail(t.proc.logFile)}`);
    return;
  }
  say(`${Math.round(r.requestsPerSec).toLocaleString('en-US')} req/s while profiled; ${join(profileDir, file)}`);
  say('Top 10 self-time functions of the measured run (start-up, warm-up and idle excluded):');
  for (const s of topSelfTime(join(profileDir, file), ROOT, 10, skipMs)) say(`  ${s.percent.toFixed(1).padStart(5)}%  ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.fn}`);
}

async function main(opts: BenchOptions, procs: ProcessSet, dir: string): Promise<void> {
  const { tools, wrk } = requireTools(opts);
  const pin = availableParallelism() >= 2;
  if (!pin) say('warning: fewer than 2 CPUs; nothing is pinned, figures are not comparable with pinned runs');
  const machine = machineInfo({ nginx: tools.nginx, caddy: tools.caddy || undefined, wrk });
  say(`Machine: ${formatMachine(machine)}`);
  const load = loadavg()[0] ?? 0;
  say(`Load average (1 min) before starting: ${load.toFixed(2)}`);
  if (load > 0.5) say('warning: the machine is busy; other processes share the pinned CPUs and skew every figure');
  say(`wrk -t1 -c${opts.connections} -d${opts.duration} (warm-up ${opts.warmup}), ${opts.rounds} round(s); Host: ${BENCH_HOST}`);

  const base: Omit<StartContext, 'upstreamPort'> = {
    procs,
    dir,
    tools,
    cpu: pin ? LOAD_CPU : undefined,
    turnpikeEntry: opts.turnpikeEntry,
    nodeArgs: opts.nodeArgs,
    profileDir: undefined,
  };
  const upstream = await startUpstream(base);
  const env: Env = { opts, procs, dir, wrk, pin, upstreamPid: upstream.proc.pid };
  const ctx: StartContext = { ...base, cpu: pin ? PROXY_CPU : undefined, upstreamPort: upstream.port };
  const running: Running[] = [];
  for (const name of opts.targets) {
    if (name === 'upstream') {
      running.push({ name, port: upstream.port, proc: upstream.proc });
      continue;
    }
    // One at a time: each proxy is ready before the next starts.
    running.push(await startTarget(ctx, name));
    say(`started ${LABELS[name]} on 127.0.0.1:${running[running.length - 1]?.port ?? 0}`);
  }

  const samples = new Map<TargetName, Sample[]>(running.map((t) => [t.name, []]));
  for (let round = 1; round <= opts.rounds; round++) {
    // Rotate the order each round so no target always runs first (or right after a heavy one).
    const order = running.map((_, i) => running[(i + round - 1) % running.length]).filter((t): t is Running => t !== undefined);
    for (const t of order) {
      const s = await measure(env, t, round);
      samples.get(t.name)?.push(s);
      const errs = s.non2xx + s.socketErrors > 0 ? `  ERRORS: ${s.non2xx} non-2xx, ${s.socketErrors} socket` : '';
      const other = s.otherCpuPct === undefined ? '' : `  other CPU ${s.otherCpuPct.toFixed(0)}%`;
      say(
        `round ${round}/${opts.rounds}  ${LABELS[t.name].padEnd(27)} ${Math.round(s.requestsPerSec).toLocaleString('en-US').padStart(8)} req/s` +
          `  p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms${other}${errs}`,
      );
    }
  }

  const rows = buildRows(samples);
  say(`\nMedians over ${opts.rounds} round(s); x nginx / x Caddy are medians of per-round ratios of req/s.\n`);
  say(formatTable(rows));
  const one = samples.get('turnpike-1');
  const thousand = samples.get('turnpike-1k');
  const routerRatio = one && thousand ? ratioByRound(thousand, one) : undefined;
  if (routerRatio !== undefined) say(`\nTurnpike 1,000 routers vs 1 router: ${routerRatio.toFixed(3)}x req/s`);
  if (rows.some((r) => r.errors > 0)) say('\nwarning: some runs had non-2xx answers or socket errors; see the errors column');
  if (opts.maxOtherCpu > 0 && rows.some((r) => (r.otherCpuPct ?? 0) > opts.maxOtherCpu)) {
    say(`\nwarning: other processes used more than ${opts.maxOtherCpu}% of a CPU during some runs (column "other CPU %"); the figures are skewed`);
  }

  if (opts.jsonOut) {
    writeFileSync(opts.jsonOut, JSON.stringify({ machine, options: opts, rows, routerRatio, samples: Object.fromEntries(samples) }, null, 2) + '\n');
    say(`\nraw results: ${opts.jsonOut}`);
  }

  if (opts.profileDir) {
    for (const t of running) if (t.name !== 'upstream') await procs.stop(t.proc);
    for (const name of ['turnpike-1', 'turnpike-1k'] as const) {
      if (opts.targets.includes(name)) await profileTurnpike(env, ctx, opts.profileDir, name);
    }
  }
}

let opts: BenchOptions;
try {
  opts = parseBenchOptions(process.argv.slice(2), join(ROOT, 'dist/src/cli/main.js'), (p) => resolve(p));
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const procs = new ProcessSet();
const dir = mkdtempSync(join(tmpdir(), 'turnpike-bench-'));
const removeDir = (): void => {
  if (opts.keep) process.stderr.write(`bench: scratch directory kept: ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
};
procs.installCleanup(removeDir);
try {
  await main(opts, procs, dir);
} catch (err) {
  if (!procs.interrupted) process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await procs.stopAll();
  removeDir();
}
