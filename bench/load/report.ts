/**
 * Turns the per-round figures of one scenario into table rows: medians, and ratios to nginx,
 * Caddy and the undici peer taken inside each round (the machines drift between runs; ratios
 * within one round do not).
 */
import { TARGET_NAMES, type TargetName } from './options.js';
import type { LoadResult } from './wrk.js';

/** One measured run plus what /proc said about the target during it. */
export interface Sample extends LoadResult {
  readonly round: number;
  /** CPU microseconds the target's process tree spent per request; undefined for unknown. */
  readonly cpuUsPerRequest: number | undefined;
  /** Resident memory of the target's process tree after the run. */
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
  readonly xUndici: number | undefined;
  /** Sums over rounds. */
  readonly non2xx: number;
  readonly socketErrors: number;
  /** Median over rounds of the other processes' CPU use (% of one CPU). */
  readonly otherCpuPct: number | undefined;
  /** Set for a row without figures: why (n/a, skipped, failed to start). */
  readonly note: string | undefined;
}

export const LABELS: Readonly<Record<TargetName, string>> = {
  upstream: 'upstream alone (the limit)',
  'turnpike-1': 'Turnpike, 1 router',
  'turnpike-1k': 'Turnpike, 1,000 routers',
  'turnpike-2w': 'Turnpike, 1 router, 2 workers',
  'turnpike-mw': 'Turnpike, 1 router, 5 middlewares',
  'turnpike-x': 'Turnpike, 1 router, static extra',
  nginx: 'nginx',
  'nginx-2w': 'nginx, 2 workers',
  haproxy: 'HAProxy',
  caddy: 'Caddy',
  undici: 'node:http + undici Pool',
  fastify: 'fastify + reply-from',
  'http-proxy': 'node:http + http-proxy',
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

/** A row without figures (n/a, skipped, failed to start). */
export function noteRow(target: TargetName, note: string): Row {
  return {
    target,
    requestsPerSec: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    cpuUsPerRequest: undefined,
    rssMiB: undefined,
    xNginx: undefined,
    xCaddy: undefined,
    xUndici: undefined,
    non2xx: 0,
    socketErrors: 0,
    otherCpuPct: undefined,
    note,
  };
}

/** Rows of one scenario, measured ones and `notes` ones, in table order (TARGET_NAMES). */
export function buildRows(samples: ReadonlyMap<TargetName, readonly Sample[]>, notes: ReadonlyMap<TargetName, string> = new Map()): Row[] {
  const rows: Row[] = [];
  for (const [target, list] of samples) {
    if (list.length === 0) continue;
    rows.push({
      target,
      requestsPerSec: median(list.map((s) => s.requestsPerSec)),
      p50Ms: median(list.map((s) => s.p50Ms)),
      p99Ms: median(list.map((s) => s.p99Ms)),
      cpuUsPerRequest: medianDefined(list.map((s) => s.cpuUsPerRequest)),
      rssMiB: medianDefined(list.map((s) => s.rssMiB)),
      xNginx: ratioByRound(list, samples.get('nginx')),
      xCaddy: ratioByRound(list, samples.get('caddy')),
      xUndici: ratioByRound(list, samples.get('undici')),
      non2xx: list.reduce((n, s) => n + s.non2xx, 0),
      socketErrors: list.reduce((n, s) => n + s.socketErrors, 0),
      otherCpuPct: medianDefined(list.map((s) => s.otherCpuPct)),
      note: undefined,
    });
  }
  for (const [target, note] of notes) if (!samples.get(target)?.length) rows.push(noteRow(target, note));
  return rows.sort((a, b) => TARGET_NAMES.indexOf(a.target) - TARGET_NAMES.indexOf(b.target));
}

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const fmtMs = (n: number): string => (!Number.isFinite(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const fmtOpt = (n: number | undefined, digits: number): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));

/** A Markdown table (it reads fine in a terminal too); a note column only when a row has one. */
export function formatTable(rows: readonly Row[]): string {
  const withNotes = rows.some((r) => r.note !== undefined);
  const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'RSS MiB', 'CPU µs/req', 'x nginx', 'x Caddy', 'x undici', 'non-2xx', 'errors', 'other CPU %'];
  if (withNotes) head.push('note');
  const body = rows.map((r) => {
    const measured = r.note === undefined;
    const cells = [
      LABELS[r.target],
      fmtInt(r.requestsPerSec),
      fmtMs(r.p50Ms),
      fmtMs(r.p99Ms),
      fmtOpt(r.rssMiB, 0),
      fmtOpt(r.cpuUsPerRequest, 0),
      fmtOpt(r.xNginx, 2),
      fmtOpt(r.xCaddy, 2),
      fmtOpt(r.xUndici, 2),
      measured ? String(r.non2xx) : '-',
      measured ? String(r.socketErrors) : '-',
      fmtOpt(r.otherCpuPct, 0),
    ];
    if (withNotes) cells.push(r.note ?? '');
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const left = (i: number): boolean => i === 0 || (withNotes && i === head.length - 1);
  const line = (cells: readonly string[]): string =>
    '| ' + cells.map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (left(i) ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(head), rule, ...body.map(line)].join('\n');
}
