/**
 * Turns the per-round wrk figures into the table the benchmark prints: medians, and ratios to
 * nginx and Caddy taken inside each round (the machines drift between runs; ratios within one
 * round do not).
 */
import type { TargetName } from './options.js';
import type { WrkResult } from './wrk.js';

/** One measured wrk run plus what /proc said about the target during it. */
export interface Sample extends WrkResult {
  readonly round: number;
  /** CPU microseconds the target's process tree spent per request; undefined for unknown. */
  readonly cpuUsPerRequest: number | undefined;
  readonly rssMiB: number | undefined;
  /** CPU the rest of the machine used during the run, % of one CPU (interference). */
  readonly otherCpuPct: number | undefined;
}

export interface Row {
  readonly target: TargetName;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number | undefined;
  readonly rssMiB: number | undefined;
  readonly xNginx: number | undefined;
  readonly xCaddy: number | undefined;
  readonly errors: number;
  /** Median over rounds of the other processes' CPU use (% of one CPU). */
  readonly otherCpuPct: number | undefined;
}

export const LABELS: Readonly<Record<TargetName, string>> = {
  upstream: 'upstream alone (the limit)',
  'turnpike-1': 'Turnpike, 1 router',
  'turnpike-1k': 'Turnpike, 1,000 routers',
  nginx: 'nginx (reverse proxy)',
  caddy: 'Caddy (reverse_proxy)',
};

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

function medianDefined(values: readonly (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined);
  return v.length === 0 ? undefined : median(v);
}

/** Median over rounds of (a's req/s / b's req/s) in the same round. */
export function ratioByRound(a: readonly Sample[], b: readonly Sample[] | undefined): number | undefined {
  if (!b) return undefined;
  const ratios: number[] = [];
  for (const s of a) {
    const other = b.find((x) => x.round === s.round);
    if (other && other.requestsPerSec > 0) ratios.push(s.requestsPerSec / other.requestsPerSec);
  }
  return ratios.length === 0 ? undefined : median(ratios);
}

export function buildRows(samples: ReadonlyMap<TargetName, readonly Sample[]>): Row[] {
  const rows: Row[] = [];
  for (const [target, list] of samples) {
    rows.push({
      target,
      requestsPerSec: median(list.map((s) => s.requestsPerSec)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      p99Ms: median(list.map((s) => s.p99Ms)),
      cpuUsPerRequest: medianDefined(list.map((s) => s.cpuUsPerRequest)),
      rssMiB: medianDefined(list.map((s) => s.rssMiB)),
      xNginx: ratioByRound(list, samples.get('nginx')),
      xCaddy: ratioByRound(list, samples.get('caddy')),
      errors: list.reduce((n, s) => n + s.non2xx + s.socketErrors, 0),
      otherCpuPct: medianDefined(list.map((s) => s.otherCpuPct)),
    });
  }
  return rows;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number): string => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const fmtOpt = (n: number | undefined, digits: number): string => (n === undefined ? '-' : n.toFixed(digits));

/** A Markdown table (it reads fine in a terminal too). */
export function formatTable(rows: readonly Row[]): string {
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'CPU us/req', 'RSS MiB', 'x nginx', 'x Caddy', 'errors', 'other CPU %'];
  const body = rows.map((r) => [
    LABELS[r.target],
    fmtInt(r.requestsPerSec),
    fmtMs(r.p50Ms),
    fmtMs(r.p99Ms),
    fmtOpt(r.cpuUsPerRequest, 0),
    fmtOpt(r.rssMiB, 0),
    fmtOpt(r.xNginx, 2),
    fmtOpt(r.xCaddy, 2),
    String(r.errors),
    fmtOpt(r.otherCpuPct, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(head), rule, ...body.map(line)].join('\n');
}
