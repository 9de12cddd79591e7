/**
 * One measured run of one target in one scenario: the load generator (wrk for HTTP/1.1, h2load
 * for HTTP/2 over TLS) pinned beside the upstream, and around it the target's CPU time and RSS
 * (its whole process tree) and how busy the rest of the machine was.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_HOST } from './constants.js';
import { h2loadArgs, h2loadResult, parseH2loadOutput } from './h2load.js';
import { durationMs, type BenchOptions } from './options.js';
import { cpuSeconds, machineBusySeconds, rssMiB, selfAndChildrenSeconds } from './proc-stats.js';
import type { ProcessSet } from './processes.js';
import { LABELS, type Sample } from './report.js';
import type { Scenario } from './scenarios.js';
import type { Running } from './targets.js';
import { parseWrkOutput, wrkArgs, type LoadResult } from './wrk.js';

/** Attempts per measured run when other processes keep the machine busy. */
const MAX_ATTEMPTS = 3;

export interface MeasureEnv {
  readonly opts: BenchOptions;
  readonly procs: ProcessSet;
  readonly dir: string;
  readonly wrk: string;
  /** '' when h2load is not installed. */
  readonly h2load: string;
  /** CPU of the load generator (beside the upstream); undefined: not pinned. */
  readonly loadCpu: number | undefined;
  readonly upstreamPid: number;
  readonly say: (line: string) => void;
}

/** A load-generator run's figures and, for TLS, what was negotiated (`TLSv1.3 TLS_AES_...`). */
export interface RunResult extends LoadResult {
  readonly tls: string | undefined;
}

async function runWrk(env: MeasureEnv, t: Running, path: string, duration: string, tag: string, tls: boolean): Promise<RunResult> {
  const log = join(env.dir, `wrk-${tag}.txt`);
  const args = wrkArgs(`${tls ? 'https' : 'http'}://127.0.0.1:${t.port}${path}`, BENCH_HOST, env.opts.connections, duration);
  const p = env.procs.start('wrk', env.loadCpu, env.wrk, args, log);
  const how = await p.exited;
  const out = readFileSync(log, 'utf8');
  if (how !== 'code 0') throw new Error(`wrk failed (${how}):\n${out}`);
  return { ...parseWrkOutput(out), tls: tls ? 'wrk (OpenSSL defaults)' : undefined };
}

async function runH2load(env: MeasureEnv, t: Running, path: string, duration: string, tag: string, percentiles: boolean): Promise<RunResult> {
  const out = join(env.dir, `h2load-${tag}.txt`);
  const logFile = percentiles ? join(env.dir, `h2load-${tag}.log`) : undefined;
  const settings = { connections: env.opts.connections, streams: env.opts.h2Streams, durationMs: durationMs(duration) };
  const p = env.procs.start('h2load', env.loadCpu, env.h2load, h2loadArgs(t.port, BENCH_HOST, path, settings, logFile), out);
  const how = await p.exited;
  const text = readFileSync(out, 'utf8');
  let summary;
  try {
    summary = parseH2loadOutput(text);
  } catch (err) {
    throw new Error(`h2load failed (${how}): ${err instanceof Error ? err.message : String(err)}\n${text.slice(-2000)}`);
  }
  if (summary.protocol !== 'h2') throw new Error(`h2load negotiated ${summary.protocol ?? 'no protocol'}, not h2:\n${text.slice(-2000)}`);
  const log = logFile === undefined ? '' : readFileSync(logFile, 'utf8');
  // The per-request log is large (a line per request): keep it only with --keep.
  if (logFile !== undefined && !env.opts.keep) rmSync(logFile, { force: true });
  const tls = [/^TLS Protocol: (\S+)/m.exec(text)?.[1], /^Cipher: (\S+)/m.exec(text)?.[1]].filter((s) => s !== undefined).join(' ');
  return { ...h2loadResult(summary, log), tls: tls === '' ? undefined : tls };
}

/** One load-generator run against the target for `duration`; `measured`: not a warm-up. */
function runLoad(env: MeasureEnv, t: Running, sc: Scenario, duration: string, tag: string, measured: boolean): Promise<RunResult> {
  return sc.protocol === 'h2' ? runH2load(env, t, sc.path, duration, tag, measured) : runWrk(env, t, sc.path, duration, tag, sc.protocol === 'h1s');
}

interface CpuSnapshot {
  readonly at: number;
  readonly target: number | undefined;
  readonly upstream: number | undefined;
  readonly self: number | undefined;
  readonly machine: number | undefined;
}

function snapshot(env: MeasureEnv, t: Running): CpuSnapshot {
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
 * the upstream's, and the load generator's (a reaped child of this process). Other work on the
 * machine shares the pinned CPUs and skews the run.
 */
export function otherCpuPct(a: CpuSnapshot, b: CpuSnapshot): number | undefined {
  const machine = delta(a.machine, b.machine);
  const target = delta(a.target, b.target);
  const upstream = delta(a.upstream, b.upstream);
  const self = delta(a.self, b.self);
  if (machine === undefined || target === undefined || upstream === undefined || self === undefined) return undefined;
  return Math.max(0, (100 * (machine - target - upstream - self)) / ((b.at - a.at) / 1000));
}

export interface MeasuredSample extends Sample {
  readonly tls: string | undefined;
}

async function measureOnce(env: MeasureEnv, t: Running, sc: Scenario, round: number, tag: string): Promise<MeasuredSample> {
  const before = snapshot(env, t);
  const r = await runLoad(env, t, sc, env.opts.duration, tag, true);
  const after = snapshot(env, t);
  const cpu = delta(before.target, after.target);
  const cpuUs = cpu !== undefined && r.requests > 0 ? (cpu * 1e6) / r.requests : undefined;
  return { ...r, round, cpuUsPerRequest: cpuUs, rssMiB: rssMiB(t.proc.pid), otherCpuPct: otherCpuPct(before, after) };
}

/**
 * Warm-up, then a measured run. A run during which the rest of the machine used more than
 * --max-other-cpu is repeated (up to MAX_ATTEMPTS in all); the quietest attempt is kept.
 */
export async function measure(env: MeasureEnv, t: Running, sc: Scenario, round: number): Promise<MeasuredSample> {
  const base = `${sc.id}-${t.name}-r${round}`;
  if (env.opts.warmup !== '0') await runLoad(env, t, sc, env.opts.warmup, `${base}-warmup`, false);
  let best: MeasuredSample | undefined;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const s = await measureOnce(env, t, sc, round, `${base}-a${attempt}`);
    if (!best || (s.otherCpuPct ?? 0) < (best.otherCpuPct ?? 0)) best = s;
    const other = s.otherCpuPct;
    if (env.opts.maxOtherCpu <= 0 || other === undefined || other <= env.opts.maxOtherCpu) break;
    if (attempt < MAX_ATTEMPTS) env.say(`round ${round}  ${sc.id}  ${LABELS[t.name]}: other processes used ${other.toFixed(0)}% of a CPU; repeating the run`);
  }
  return best as MeasuredSample;
}

/** The wrk run of the --profile pass (HTTP/1.1, given path). */
export function profileRun(env: MeasureEnv, t: Running, sc: Scenario, duration: string, tag: string): Promise<RunResult> {
  return runLoad(env, t, sc, duration, tag, false);
}
