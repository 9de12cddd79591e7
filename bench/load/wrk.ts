/**
 * Reads the figures out of `wrk --latency` output.
 */

/** What one load-generator run measured (wrk or h2load). */
export interface LoadResult {
  readonly requestsPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses with a status >= 400 (wrk's "Non-2xx or 3xx responses"); h2load: any non-2xx. */
  readonly non2xx: number;
  /** wrk: connect + read + write + timeout socket errors; h2load: errored + timed-out requests. */
  readonly socketErrors: number;
}

const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1.23ms` / `850.00us` / `2.01s` -> milliseconds. */
export function parseWrkTime(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/.exec(text.trim());
  const unit = m?.[2];
  const scale = unit === undefined ? undefined : TIME_UNITS[unit];
  if (!m || scale === undefined) throw new Error(`not a wrk time: "${text}"`);
  return Number(m[1]) * scale;
}

function percentile(out: string, p: string): number {
  const m = new RegExp(`^\\s*${p}%\\s+(\\S+)\\s*$`, 'm').exec(out);
  if (!m?.[1]) throw new Error(`wrk output has no ${p}% latency (was --latency given?)`);
  return parseWrkTime(m[1]);
}

/** Parses the text wrk prints. Throws when a figure is missing. */
export function parseWrkOutput(out: string): LoadResult {
  const rps = /^Requests\/sec:\s+([\d.]+)\s*$/m.exec(out);
  if (!rps?.[1]) throw new Error('wrk output has no Requests/sec line');
  const total = /^\s*(\d+) requests in /m.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1, 5).reduce((n, s) => n + Number(s), 0) : 0;
  return {
    requestsPerSec: Number(rps[1]),
    requests: total?.[1] ? Number(total[1]) : 0,
    p50Ms: percentile(out, '50'),
    p99Ms: percentile(out, '99'),
    non2xx: non2xx?.[1] ? Number(non2xx[1]) : 0,
    socketErrors,
  };
}

/** The wrk command line (without the CPU pinning) for one run. */
export function wrkArgs(url: string, host: string, connections: number, duration: string): string[] {
  return ['-t1', `-c${connections}`, `-d${duration}`, '--latency', '-H', `Host: ${host}`, url];
}

/** The first name of LoadResult (bench/scale uses it). */
export type WrkResult = LoadResult;
