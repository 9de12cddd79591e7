/**
 * The printed report (also what --markdown writes): a header saying when, on what and how it was
 * measured, then one table per scenario with its notes. Markdown that reads fine in a terminal.
 */
import { formatMachine, formatVersions, type MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import { formatTable, LABELS, type Row } from './report.js';
import type { Scenario } from './scenarios.js';
import { CERT_DESCRIPTION } from './tls.js';

export interface Section {
  readonly scenario: Scenario;
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
}

export interface HeaderFacts {
  readonly machine: MachineInfo;
  readonly opts: BenchOptions;
  readonly loadAverage: number;
  /** Proxies on CPU 0, load generator and upstream on CPU 1 (false with one CPU). */
  readonly pinned: boolean;
  /** HTTP/2 scenarios: 'on', 'off', or why they were skipped. */
  readonly h2: string;
}

export function headerLines(f: HeaderFacts): string[] {
  const o = f.opts;
  const warm = o.warmup === '0' ? 'no warm-up' : `warm-up run ${o.warmup} before each`;
  const lines = [
    `Date: ${f.machine.date}`,
    `Machine: ${formatMachine(f.machine)}`,
    `Tools: ${formatVersions(f.machine)}`,
    `Load average (1 min) before the start: ${f.loadAverage.toFixed(2)}`,
    `HTTP/1.1: wrk -t1 -c${o.connections} -d${o.duration} --latency -H 'Host: h500.test' (${warm})`,
  ];
  if (f.h2 === 'on') {
    lines.push(
      `HTTP/2: h2load -t1 -c${o.connections} -m${o.h2Streams} -D ${o.duration} over TLS (${CERT_DESCRIPTION}, SNI and :authority h500.test; ${warm}); ` +
        "p50/p99 computed from h2load's per-request --log-file",
    );
  } else if (f.h2 !== 'off') {
    lines.push(`HTTP/2: ${f.h2}`);
  }
  lines.push(
    f.pinned
      ? 'Pinning (taskset): each proxy on CPU 0, the load generator and the upstream (nginx, 1 worker) on CPU 1; the 2-worker rows on CPUs 0,1'
      : 'Pinning: none (fewer than 2 CPUs): figures are not comparable with pinned runs',
    `Rounds: ${o.rounds}, interleaved (every target once per round and scenario, order rotated); medians. ` +
      'x nginx / x Caddy / x undici: medians of per-round ratios of req/s in the same scenario. ' +
      'RSS and CPU µs/req: the whole process tree (master + workers, primary + workers).',
  );
  const twoWorkers = o.targets.includes('turnpike-2w') || o.targets.includes('nginx-2w');
  if (twoWorkers && f.machine.cpus <= 2) {
    lines.push(
      `Note: this machine has ${f.machine.cpus} cores, so the 2-worker rows (pinned to CPUs 0,1) share them with the load generator ` +
        'and the upstream: they show contention, not scale-out.',
    );
  }
  if (o.maxOtherCpu > 0) lines.push(`A run during which other processes used more than ${o.maxOtherCpu}% of a CPU was repeated (3 attempts at most, the quietest kept).`);
  return lines;
}

/** The whole report as Markdown. */
export function renderReport(header: readonly string[], sections: readonly Section[]): string {
  const out = ['## Load benchmark', '', ...header.map((l) => `- ${l}`)];
  for (const s of sections) {
    out.push('', `### ${s.scenario.title}`, '', formatTable(s.rows));
    if (s.notes.length > 0) out.push('', ...s.notes.map((n) => `- ${n}`));
  }
  return out.join('\n') + '\n';
}

/** Notes a scenario's rows call for: router-count and worker ratios, errors, interference. */
export function sectionNotes(
  rows: readonly Row[],
  ratios: { routers?: number | undefined; workers?: number | undefined; middlewares?: number | undefined; extra?: number | undefined },
  maxOtherCpu: number,
  tls: readonly string[],
): string[] {
  const notes: string[] = [];
  if (ratios.routers !== undefined) notes.push(`${LABELS['turnpike-1k']} vs ${LABELS['turnpike-1']}: ${ratios.routers.toFixed(3)}x req/s`);
  if (ratios.workers !== undefined) notes.push(`${LABELS['turnpike-2w']} vs ${LABELS['turnpike-1']}: ${ratios.workers.toFixed(2)}x req/s`);
  if (ratios.middlewares !== undefined) notes.push(`${LABELS['turnpike-mw']} vs ${LABELS['turnpike-1']}: ${ratios.middlewares.toFixed(3)}x req/s (the chain costs ${((1 - ratios.middlewares) * 100).toFixed(1)}%)`);
  if (ratios.extra !== undefined) notes.push(`${LABELS['turnpike-x']} vs ${LABELS['turnpike-1']}: ${ratios.extra.toFixed(3)}x req/s (the extra static configuration costs ${((1 - ratios.extra) * 100).toFixed(1)}%)`);
  const bad = rows.filter((r) => r.non2xx + r.socketErrors > 0);
  if (bad.length > 0) {
    notes.push(`warning: non-2xx answers or socket/stream errors: ${bad.map((r) => `${LABELS[r.target]} ${r.non2xx} non-2xx, ${r.socketErrors} errors`).join('; ')}`);
  }
  if (maxOtherCpu > 0 && rows.some((r) => (r.otherCpuPct ?? 0) > maxOtherCpu)) {
    notes.push(`warning: other processes used more than ${maxOtherCpu}% of a CPU during some runs (column "other CPU %"); those figures are skewed`);
  }
  if (tls.length > 0) notes.push(`TLS negotiated: ${tls.join('; ')}`);
  return notes;
}

/** A one-line reason for a table note: the error's first line, plus the log's first alert (or last line) when it points to the log. */
export function shortReason(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const first = lines[0] ?? '';
  // "... before it was ready:" is followed by the process log: its first alert says most.
  const detail = lines.slice(1).find((l) => /alert|error|fatal/i.test(l)) ?? lines[lines.length - 1];
  const text = first.endsWith(':') && lines.length > 1 ? `${first} ${detail ?? ''}` : first;
  return text.length > 160 ? text.slice(0, 157) + '...' : text;
}
