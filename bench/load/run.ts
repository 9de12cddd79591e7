/**
 * Load benchmark: wrk (HTTP/1.1, small and 16 KiB bodies) and h2load (HTTP/2 over TLS) against
 * Turnpike (1 router, 1,000 routers, 2 workers), nginx (1 and 2 workers), HAProxy, Caddy and the
 * Node peers (undici Pool, fastify + reply-from, http-proxy), all proxying to one nginx upstream
 * with keep-alive. Each proxy is pinned to CPU 0, the load generator and the upstream to CPU 1.
 * Rounds are interleaved (every target once per round and scenario, order rotated); the tables
 * show medians, with ratios taken inside each round.
 *
 *   npm run bench -- --duration 10s --rounds 3 --only turnpike,nginx,caddy,undici
 *
 * See docs/benchmarks.md. Not part of `npm test`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topSelfTime } from './cpu-profile.js';
import { machineInfo } from './machine.js';
import { measure, profileRun, type MeasureEnv, type MeasuredSample } from './measure.js';
import { startUpstream } from './nginx.js';
import { parseBenchOptions, USAGE, type BenchOptions, type TargetName } from './options.js';
import { findTool, ProcessSet, tail } from './processes.js';
import { checkBigBody } from './readiness.js';
import { headerLines, renderReport, sectionNotes, shortReason, type Section } from './render.js';
import { buildRows, LABELS, ratioByRound } from './report.js';
import { scenario, scenarios, type Scenario } from './scenarios.js';
import { TARGETS, type Protocol, type Running, type StartContext, type Tools } from './targets.js';
import { makeCert } from './tls.js';
import { startTurnpike } from './turnpike.js';

/** Repository root (this file runs from <outDir>/bench/load/). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROXY_CPU = 0;
const LOAD_CPU = 1;
/** taskset list of the multi-process targets. */
const ALL_CPUS = '0,1';

const say = (s: string): void => void process.stdout.write(s + '\n');
interface Found {
  readonly tools: Tools;
  readonly wrk: string;
  readonly h2load: string;
  readonly openssl: string;
}

/** Finds the tools; throws (with how to install them) only for the ones every run needs. */
function findTools(opts: BenchOptions): Found {
  const missing: string[] = [];
  const wrk = findTool('wrk') ?? '';
  const nginx = findTool('nginx') ?? '';
  if (!wrk) missing.push('wrk');
  if (!nginx) missing.push('nginx');
  if (!findTool('taskset')) missing.push('taskset (package util-linux)');
  if (missing.length > 0) {
    throw new Error(
      `missing tool(s): ${missing.join(', ')}\n` +
        'Install them (Debian/Ubuntu): sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk nginx util-linux\n' +
        '(optional: caddy haproxy nghttp2-client openssl). nginx is always needed: it is the upstream.',
    );
  }
  if (opts.targets.some((t) => t.startsWith('turnpike')) && !existsSync(opts.turnpikeEntry)) {
    throw new Error(`Turnpike entry ${opts.turnpikeEntry} not found: run \`npm run build\` first, or pass --turnpike-entry`);
  }
  return {
    tools: { nginx, caddy: findTool('caddy') ?? '', haproxy: findTool('haproxy') ?? '', node: process.execPath, nginxVersion: '' },
    wrk,
    h2load: findTool('h2load') ?? '',
    openssl: findTool('openssl') ?? '',
  };
}

/** Per scenario: the running targets, and the rows that only carry a note. */
interface Plan {
  readonly running: Map<string, Running[]>;
  readonly notes: Map<string, Map<TargetName, string>>;
}

function note(plan: Plan, sc: Scenario, target: TargetName, text: string): void {
  plan.notes.get(sc.id)?.set(target, text);
}

/**
 * Starts every selected target for the scenarios of one protocol (or records why a row has no
 * figures). `h2` starts the TLS instances, which serve the `h1s` (HTTPS/1.1) scenarios too.
 */
async function startAll(ctxFor: (cpus: 'proxy' | 'all') => StartContext, opts: BenchOptions, list: readonly Scenario[], protocol: Protocol, upstream: Running, plan: Plan): Promise<void> {
  const mine = list.filter((s) => (protocol === 'h2' ? s.protocol !== 'h1' : s.protocol === protocol));
  if (mine.length === 0) return;
  const add = (t: Running, only?: (s: Scenario) => boolean): void => {
    for (const s of mine) if (!only || only(s)) plan.running.get(s.id)?.push(t);
  };
  for (const name of opts.targets) {
    if (name === 'upstream') {
      if (protocol === 'h1') add(upstream);
      continue; // the upstream speaks HTTP/1.1 in the clear only: no HTTP/2 row
    }
    const spec = TARGETS.find((t) => t.name === name);
    if (!spec) continue;
    const ctx = ctxFor(spec.cpus);
    const skip = (text: string): void => mine.forEach((s) => note(plan, s, name, text));
    if (spec.tool !== undefined && ctx.tools[spec.tool] === '') {
      skip(`skipped: ${spec.tool} not installed`);
      continue;
    }
    if (protocol === 'h2' && spec.h2 !== true) {
      skip(spec.h2);
      continue;
    }
    let t: Running;
    try {
      t = await spec.start(ctx, protocol === 'h2');
    } catch (err) {
      say(`${LABELS[name]} (${protocol}) failed to start: ${err instanceof Error ? err.message : String(err)}`);
      skip(`failed to start: ${shortReason(err)}`);
      continue;
    }
    say(`started ${LABELS[name]} (${protocol === 'h2' ? 'HTTP/2 over TLS' : 'HTTP/1.1'}) on 127.0.0.1:${t.port}`);
    let bigOk = true;
    if (mine.some((s) => s.body === '16k')) {
      try {
        await checkBigBody(t);
      } catch (err) {
        bigOk = false;
        say(`${LABELS[name]}: ${shortReason(err)}`);
        mine.filter((s) => s.body === '16k').forEach((s) => note(plan, s, name, `failed: ${shortReason(err)}`));
      }
    }
    add(t, (s) => bigOk || s.body !== '16k');
  }
}

async function main(opts: BenchOptions, procs: ProcessSet, dir: string): Promise<void> {
  const found = findTools(opts);
  const pin = availableParallelism() >= 2;
  if (!pin) say('warning: fewer than 2 CPUs; nothing is pinned, figures are not comparable with pinned runs');
  const machine = machineInfo({ nginx: found.tools.nginx, caddy: found.tools.caddy, haproxy: found.tools.haproxy, wrk: found.wrk, h2load: found.h2load, openssl: found.openssl });
  const tools: Tools = { ...found.tools, nginxVersion: machine.versions['nginx'] ?? '' };
  const load = loadavg()[0] ?? 0;
  if (load > 0.5) say(`warning: load average ${load.toFixed(2)}: the machine is busy; other processes share the pinned CPUs and skew every figure`);

  // HTTP/2 over TLS: on unless --no-h2; skipped (with a note) when its tools are missing.
  let h2State = opts.h2 === 'off' ? 'off' : 'on';
  let cert: StartContext['cert'];
  if (h2State === 'on') {
    if (!found.h2load) h2State = 'skipped: h2load not installed (package nghttp2-client)';
    else if (!found.openssl) h2State = 'skipped: openssl not installed';
    else {
      try {
        mkdirSync(join(dir, 'tls'));
        cert = makeCert(found.openssl, join(dir, 'tls'), 'h500.test');
      } catch (err) {
        h2State = `skipped: ${shortReason(err)}`;
      }
    }
  }
  const list = scenarios(opts, opts.h2 !== 'off');
  const header = headerLines({ machine, opts, loadAverage: load, pinned: pin, h2: h2State });
  for (const l of header) say(l);

  const base = {
    procs,
    dir,
    tools,
    turnpikeEntry: opts.turnpikeEntry,
    nodeArgs: opts.nodeArgs,
    profileDir: undefined,
    cert,
    ...(opts.turnpikeStaticExtra === undefined ? {} : { turnpikeStaticExtra: readFileSync(opts.turnpikeStaticExtra, 'utf8') }),
  };
  const up = await startUpstream({ ...base, cpu: pin ? LOAD_CPU : undefined });
  const upstream: Running = { name: 'upstream', protocol: 'h1', port: up.port, proc: up.proc };
  const ctxFor = (cpus: 'proxy' | 'all'): StartContext => ({ ...base, upstreamPort: up.port, cpu: !pin ? undefined : cpus === 'all' ? ALL_CPUS : PROXY_CPU });
  const plan: Plan = { running: new Map(list.map((s) => [s.id, []])), notes: new Map(list.map((s) => [s.id, new Map()])) };
  await startAll(ctxFor, opts, list, 'h1', upstream, plan);
  if (h2State === 'on') await startAll(ctxFor, opts, list, 'h2', upstream, plan);
  else {
    // Every HTTP/2 row says why there are no figures (the upstream alone has no HTTP/2 row).
    const rows = opts.targets.filter((t) => t !== 'upstream').map((t): [TargetName, string] => [t, h2State]);
    for (const s of list.filter((x) => x.protocol !== 'h1')) plan.notes.set(s.id, new Map(rows));
  }

  const env: MeasureEnv = { opts, procs, dir, wrk: found.wrk, h2load: found.h2load, loadCpu: pin ? LOAD_CPU : undefined, upstreamPid: up.proc.pid, say };
  const samples = new Map<string, Map<TargetName, MeasuredSample[]>>(list.map((s) => [s.id, new Map()]));
  for (let round = 1; round <= opts.rounds; round++) {
    for (const sc of list) {
      const running = plan.running.get(sc.id) ?? [];
      // Rotate the order each round so no target always runs first (or right after a heavy one).
      const order = running.map((_, i) => running[(i + round - 1) % running.length]).filter((t): t is Running => t !== undefined);
      for (const t of order) {
        let s: MeasuredSample;
        try {
          s = await measure(env, t, sc, round);
        } catch (err) {
          if (procs.interrupted) throw err;
          say(`round ${round}  ${sc.id}  ${LABELS[t.name]}: run failed, dropped from this scenario: ${err instanceof Error ? err.message : String(err)}\n${tail(t.proc.logFile, 500)}`);
          note(plan, sc, t.name, `failed: ${shortReason(err)}`);
          samples.get(sc.id)?.delete(t.name);
          plan.running.set(sc.id, (plan.running.get(sc.id) ?? []).filter((x) => x !== t));
          continue;
        }
        const bySc = samples.get(sc.id);
        bySc?.set(t.name, [...(bySc.get(t.name) ?? []), s]);
        const errs = s.non2xx + s.socketErrors > 0 ? `  ERRORS: ${s.non2xx} non-2xx, ${s.socketErrors} socket/stream` : '';
        const other = s.otherCpuPct === undefined ? '' : `  other CPU ${s.otherCpuPct.toFixed(0)}%`;
        say(
          `round ${round}/${opts.rounds}  ${sc.id.padEnd(8)} ${LABELS[t.name].padEnd(29)} ${Math.round(s.requestsPerSec).toLocaleString('en-US').padStart(8)} req/s` +
            `  p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms${other}${errs}`,
        );
      }
    }
  }

  const sections: Section[] = list.map((sc) => {
    const bySc = samples.get(sc.id) ?? new Map<TargetName, MeasuredSample[]>();
    const rows = buildRows(bySc, plan.notes.get(sc.id));
    const one = bySc.get('turnpike-1');
    const tls = [...bySc].flatMap(([name, l]) => [...new Set(l.map((x) => x.tls).filter((x) => x !== undefined))].map((x) => `${LABELS[name]} ${x}`));
    const ratios = {
      routers: one ? ratioByRound(bySc.get('turnpike-1k') ?? [], one) : undefined,
      workers: one ? ratioByRound(bySc.get('turnpike-2w') ?? [], one) : undefined,
      middlewares: one ? ratioByRound(bySc.get('turnpike-mw') ?? [], one) : undefined,
      extra: one ? ratioByRound(bySc.get('turnpike-x') ?? [], one) : undefined,
    };
    return { scenario: sc, rows, notes: sectionNotes(rows, ratios, opts.maxOtherCpu, tls) };
  });
  const report = renderReport(header, sections);
  say('\n' + report);
  if (opts.markdownOut) {
    writeFileSync(opts.markdownOut, report);
    say(`markdown: ${opts.markdownOut}`);
  }
  if (opts.jsonOut) {
    const raw = Object.fromEntries([...samples].map(([id, m]) => [id, Object.fromEntries(m)]));
    writeFileSync(opts.jsonOut, JSON.stringify({ machine, options: opts, h2: h2State, sections, samples: raw }, null, 2) + '\n');
    say(`raw results: ${opts.jsonOut}`);
  }

  if (opts.profileDir) {
    for (const t of new Set([...plan.running.values()].flat())) if (t.name !== 'upstream') await procs.stop(t.proc);
    for (const name of ['turnpike-1', 'turnpike-1k'] as const) {
      if (opts.targets.includes(name)) await profileTurnpike(env, ctxFor('proxy'), opts.profileDir, name);
    }
  }
}

/** One extra HTTP/1.1 run of a Turnpike target under `node --cpu-prof`; prints the top self-time functions. */
async function profileTurnpike(env: MeasureEnv, base: StartContext, profileDir: string, name: 'turnpike-1' | 'turnpike-1k'): Promise<void> {
  const opts = env.opts;
  say(`\nProfiling ${LABELS[name]} with --cpu-prof for ${opts.duration}...`);
  const before = new Set(existsSync(profileDir) ? readdirSync(profileDir) : []);
  const spawnedAt = performance.now();
  const t = await startTurnpike({ ...base, profileDir }, name, { routers: name === 'turnpike-1' ? 1 : 1000, workers: 1, tls: false });
  const sc = scenario('h1', 'small');
  if (opts.warmup !== '0') await profileRun(env, t, sc, opts.warmup, `profile-${name}-warmup`);
  const skipMs = performance.now() - spawnedAt;
  const r = await profileRun(env, t, sc, opts.duration, `profile-${name}`);
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
