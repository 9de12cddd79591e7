/**
 * Scale benchmark (issue 3 items 2-4): the real Turnpike binary with generated dynamic files.
 *
 *   node dist/bench/scale/run.js [--routers 10,100000] [--duration 10s] [--only index,memory,reload]
 *        [--reload-routers 10000] [--throttle 0s] [--entry dist/src/cli/main.js] [--workers N (default 1)] [--keep]
 *        [--cpu-prof DIR]   (Turnpike runs with node --cpu-prof; read the profile with profile-blocks.js)
 *        [--node-args "--trace-gc ..."]   (more node flags for Turnpike; its output goes to turnpike.log with --keep)
 *
 * - index:  per router count, start -> "configuration applied" (wall time and the `ms` the line
 *           logs), then wrk -c64 requests/s and p99 (Turnpike on CPU 0; wrk + nginx upstream on CPU 1).
 * - memory: VmRSS with 0 routers idle, during and after 64-connection load, and idle with each
 *           router count (sampled every 250 ms for 3 s after the process is idle; median reported),
 *           once from 2 s after "configuration applied" (samples over the next 3 s) and again from
 *           15 s after it, when V8 has shrunk an idle heap (its memory reducer runs after several
 *           seconds without allocation); with 10,000 routers or more, also once the reducer has
 *           run (a drop of 10% or more, waited for up to 90 s after the apply: it came 47-71 s
 *           after loading 100,000 routers).
 * - reload: with --reload-routers routers, rewrite the file with one more router's host renamed and
 *           time from the write to the first 200 on the new host (median and max of 10 reloads);
 *           then wrk p99 without reloads and during reloads (one every 500 ms; wrk --timeout 30s so
 *           that requests stalled by a reload count in the latency instead of as timeouts). The files
 *           written during wrk are made before it starts, and this process moves to CPU 1 for it.
 *
 * Not part of `npm test`; see docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rssMiB } from '../load/proc-stats.js';
import { findTool, freePort, ProcessSet, tail, type Started } from '../load/processes.js';
import { startUpstream } from '../load/targets.js';
import { launcherNodeArgs } from '../load/turnpike.js';
import { parseWrkOutput, type WrkResult } from '../load/wrk.js';
import { benchRouter, dynamicYaml, staticYaml } from './generate.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const say = (s: string): void => void process.stdout.write(s + '\n');

const { values: opt } = parseArgs({
  options: {
    routers: { type: 'string', default: '10,100000' },
    duration: { type: 'string', default: '10s' },
    only: { type: 'string', default: 'index,memory,reload' },
    'reload-routers': { type: 'string', default: '10000' },
    throttle: { type: 'string', default: '0s' },
    entry: { type: 'string', default: join(ROOT, 'dist/src/cli/main.js') },
    workers: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    /** More node flags for Turnpike, space-separated, no spaces inside one (e.g. "--trace-gc": its lines go to turnpike.log). */
    'node-args': { type: 'string', default: '' },
  },
});
const counts = opt.routers.split(',').map(Number);
const parts = new Set(opt.only.split(','));
const entry = resolve(opt.entry);
const procs = new ProcessSet();
const dir = mkdtempSync(join(tmpdir(), 'turnpike-scale-'));
const wrkBin = findTool('wrk');
const nginx = findTool('nginx');
if (!wrkBin || !nginx) throw new Error('needs wrk and nginx (apt-get install wrk nginx)');
procs.installCleanup(() => undefined);

interface Tp {
  readonly proc: Started;
  readonly port: number;
  readonly dynamic: string;
  readonly log: string;
  /** ms from spawn to the first "configuration applied" line, and the `ms` it logs. */
  readonly startMs: number;
  readonly compileMs: number;
}

/** Pins every thread of this process to `cpus` (taskset's list syntax). */
function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/**
 * Saves the dynamic file as deployment tools and most editors do (write a temporary file, rename it
 * over the old one), so the provider never reads a half-written 2 MB file: a truncated file is valid
 * YAML missing routers, which would be a different (and noisy) reload than the one measured.
 */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function appliedLines(log: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (!line.includes('configuration applied')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not JSON
    }
  }
  return out;
}

async function until<T>(what: string, boundMs: number, poll: () => T | undefined | Promise<T | undefined>, stepMs = 20): Promise<T> {
  const deadline = performance.now() + boundMs;
  while (performance.now() < deadline) {
    const v = await poll();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startTurnpike(label: string, routers: number, upstreamPort: number): Promise<Tp> {
  const d = join(dir, label);
  mkdirSync(d, { recursive: true });
  const port = await freePort();
  const dynamic = join(d, 'dynamic.yml');
  writeFileSync(dynamic, dynamicYaml(routers, upstreamPort));
  const stat = join(d, 'traefik.yml');
  // One process unless asked: the memory figures are those of one process (RSS of a cluster would
  // need the sum over its processes).
  const workers = `workers: ${opt.workers === undefined ? 1 : Number(opt.workers)}\n`;
  writeFileSync(stat, workers + staticYaml(port, dynamic, opt.throttle).replace('level: INFO', 'level: INFO\n  format: json'));
  const log = join(d, 'turnpike.log');
  const t0 = performance.now();
  // 250 µs samples: a block of a few milliseconds between two requests shows as a dozen.
  const prof = opt['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(opt['cpu-prof'])}`, '--cpu-prof-interval=250'];
  const extra = launcherNodeArgs(opt['node-args'].split(' ').filter((a) => a !== ''), 0);
  const proc = procs.start(label, 0, process.execPath, [...prof, ...extra, entry, `--configFile=${stat}`], log);
  const line = await until('configuration applied', 120_000, () => appliedLines(log)[0], 10);
  const startMs = performance.now() - t0;
  return { proc, port, dynamic, log, startMs, compileMs: Number(line['ms']) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(port: number, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((res) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, headers: { host, ...headers } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', () => res(0));
    req.end();
  });
}

function wrk(port: number, host: string, duration: string): Promise<WrkResult> {
  return new Promise((res, rej) => {
    execFile('taskset', ['-c', '1', wrkBin as string, '-t1', '-c64', `-d${duration}`, '--timeout', '30s', '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`], (err, out) => {
      if (err) rej(new Error(err.message));
      else res(parseWrkOutput(out));
    });
  });
}

async function settledRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 2000));
  const s: number[] = [];
  for (let i = 0; i < 12; i++) {
    s.push(rssMiB(pid) ?? NaN);
    await new Promise((r) => setTimeout(r, 250));
  }
  s.sort((a, b) => a - b);
  return s[6] ?? NaN;
}

const f1 = (n: number): string => n.toFixed(1);

/** When the second idle RSS is taken, ms after "configuration applied". */
const LATE_MS = 15_000;
/** How long after "configuration applied" to wait at most for V8's memory reducer. */
const SETTLED_BOUND_MS = 90_000;

/**
 * The idle RSS once V8's memory reducer has run: polls every second until the RSS is 10% under
 * `before` (the reducer's mark-compacts return the load's garbage in a few steps a second apart),
 * then takes settledRss; gives that, or settledRss at `deadline` when no drop came.
 */
async function reducedRss(pid: number, before: number, deadline: number): Promise<{ rss: number; dropped: boolean; at: number }> {
  while (performance.now() < deadline) {
    const now = rssMiB(pid) ?? NaN;
    if (now < before * 0.9) {
      const at = performance.now();
      // The reducer's last steps come within ~3 s of its first (seen with --trace-gc).
      await new Promise((r) => setTimeout(r, 3000));
      return { rss: await settledRss(pid), dropped: true, at };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { rss: await settledRss(pid), dropped: false, at: deadline };
}

async function main(): Promise<void> {
  say(`entry ${entry}; throttle ${opt.throttle}; scratch ${dir}`);
  const up = await startUpstream({ procs, dir, tools: { nginx: nginx as string, caddy: '', node: process.execPath }, cpu: 1, turnpikeEntry: entry, nodeArgs: [], profileDir: undefined });
  const upstreamPort = up.port;

  if (parts.has('index') || parts.has('memory')) {
    const rows: string[] = [];
    const all = parts.has('memory') ? [0, ...counts.filter((c) => c !== 0)] : counts;
    let baseRss = NaN;
    let baseLate = NaN;
    for (const n of all) {
      const tp = await startTurnpike(`r${n}`, n, upstreamPort);
      const host = `h${benchRouter(n)}.test`;
      let line = `routers ${n}: start->applied ${f1(tp.startMs)} ms, compile ${tp.compileMs} ms`;
      const appliedAt = performance.now();
      const idle = parts.has('memory') ? await settledRss(tp.proc.pid) : NaN;
      if (n === 0) baseRss = idle;
      if (parts.has('memory')) line += `, idle RSS ${f1(idle)} MiB` + (n > 0 ? ` (+${f1(((idle - baseRss) * 10_000) / n)} MiB per 10k)` : '');
      if (parts.has('memory')) {
        // V8 shrinks an idle heap after some seconds without allocation (its memory reducer): the
        // RSS of a process that has been idle a while, beside the one just after the apply above.
        await new Promise((r) => setTimeout(r, Math.max(0, appliedAt + LATE_MS - performance.now())));
        const late = await settledRss(tp.proc.pid);
        if (n === 0) baseLate = late;
        line += `, after ${LATE_MS / 1000} s idle ${f1(late)} MiB` + (n > 0 ? ` (+${f1(((late - baseLate) * 10_000) / n)} MiB per 10k)` : '');
        if (n >= 10_000) {
          // After a large load the reducer waits longer (47-71 s after 100,000 routers): wait for
          // its drop, bounded, and give the RSS it settles at.
          const reduced = await reducedRss(tp.proc.pid, late, appliedAt + SETTLED_BOUND_MS);
          line += `, settled ${f1(reduced.rss)} MiB ${reduced.dropped ? `${f1((reduced.at - appliedAt) / 1000)} s after the apply` : `(no drop within ${SETTLED_BOUND_MS / 1000} s)`}`;
          line += ` (+${f1(((reduced.rss - baseLate) * 10_000) / n)} MiB per 10k)`;
        }
      }
      if (n > 0 && (await get(tp.port, host)) !== 200) throw new Error(`${host} does not answer 200:\n${tail(tp.log)}`);
      if (n > 0 && parts.has('index')) {
        await wrk(tp.port, host, '2s');
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(tp.proc.pid) ?? 0)), 250);
        const w = await wrk(tp.port, host, opt.duration);
        clearInterval(sampler);
        line += `, wrk ${Math.round(w.requestsPerSec)} req/s p50 ${w.p50Ms} ms p99 ${w.p99Ms} ms non2xx ${w.non2xx} errors ${w.socketErrors}, peak RSS under load ${f1(peak)} MiB`;
        if (parts.has('memory')) line += `, after load ${f1(await settledRss(tp.proc.pid))} MiB`;
      }
      say(line);
      rows.push(line);
      await procs.stop(tp.proc);
    }
  }

  if (parts.has('reload')) {
    const n = Number(opt['reload-routers']);
    const tp = await startTurnpike(`reload${n}`, n, upstreamPort);
    say(`reload, ${n} routers: start->applied ${f1(tp.startMs)} ms, compile ${tp.compileMs} ms`);
    const times: number[] = [];
    const compiles: number[] = [];
    // Each reload renames one more router: against the live configuration, a one-router edit.
    const renamed: { index: number; tag: string }[] = [];
    for (let k = 0; k < 10; k++) {
      const index = 4 * (k + 1);
      renamed.push({ index, tag: `v${k}` });
      const text = dynamicYaml(n, upstreamPort, renamed);
      const before = appliedLines(tp.log).length;
      const t0 = performance.now();
      writeAtomically(tp.dynamic, text);
      await until('new route', 30_000, async () => ((await get(tp.port, `h${index}-v${k}.test`)) === 200 ? true : undefined), 2);
      times.push(performance.now() - t0);
      const lines = await until('applied line', 5000, () => { const l = appliedLines(tp.log); return l.length > before ? l : undefined; });
      compiles.push(Number(lines[lines.length - 1]?.['ms']));
    }
    const sorted = [...times].sort((a, b) => a - b);
    say(`reload write -> new route 200: median ${f1(sorted[5] ?? NaN)} ms, max ${f1(sorted[9] ?? NaN)} ms; logged compile ms ${compiles.join(' ')}`);
    const host = `h${benchRouter(n)}.test`;
    // The two files the reloader alternates between, made before the measured phase: making one
    // (10-40 ms of CPU with 10,000 routers) while wrk runs would steal CPU from Turnpike or wrk and
    // show as Turnpike's p99. Each differs from the other (and from the live file after the first
    // write) in router 8's host: every write is a one-router edit.
    const others = renamed.filter((r) => r.index !== 8);
    const texts = ['a', 'b'].map((tag) => dynamicYaml(n, upstreamPort, [...others, { index: 8, tag: `w${tag}` }]));
    // From here on this process (which only writes files and waits) shares CPU 1 with wrk and the
    // upstream, and leaves CPU 0 to Turnpike.
    pinSelf('1');
    await wrk(tp.port, host, '2s');
    const quiet = await wrk(tp.port, host, opt.duration);
    let k = 100;
    let stop = false;
    const reloader = (async () => {
      while (!stop) {
        writeAtomically(tp.dynamic, texts[k++ % 2] as string);
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const busy = await wrk(tp.port, host, opt.duration);
    stop = true;
    await reloader;
    const fig = (w: WrkResult): string => `p99 ${w.p99Ms} ms, p50 ${w.p50Ms} ms, ${Math.round(w.requestsPerSec)} req/s, ${w.socketErrors} socket errors`;
    say(`without reloads: ${fig(quiet)}; during reloads every 500 ms (${k - 100} reloads): ${fig(busy)}; p99 ratio ${(busy.p99Ms / quiet.p99Ms).toFixed(2)}x`);
    await procs.stop(tp.proc);
  }
}

try {
  await main();
} finally {
  agent.destroy();
  await procs.stopAll();
  if (!opt.keep) rmSync(dir, { recursive: true, force: true });
}
