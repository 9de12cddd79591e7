/**
 * Reads the figures out of h2load (nghttp2's HTTP/2 load generator): its summary text, and p50/p99
 * computed from its per-request `--log-file` (h2load itself prints only min, max, mean and sd).
 */
import type { LoadResult } from './wrk.js';

export interface H2loadSettings {
  readonly connections: number;
  /** `-m`: concurrent streams per connection. */
  readonly streams: number;
  readonly durationMs: number;
}

/**
 * The h2load command line (without the CPU pinning): one thread, TLS with SNI and :authority
 * `host:port`, connecting to 127.0.0.1.
 */
export function h2loadArgs(port: number, host: string, path: string, s: H2loadSettings, logFile: string | undefined): string[] {
  const args = ['-t1', `-c${s.connections}`, `-m${s.streams}`, `-D${s.durationMs}ms`, `--connect-to=127.0.0.1:${port}`];
  if (logFile !== undefined) args.push(`--log-file=${logFile}`);
  args.push(`https://${host}:${port}${path}`);
  return args;
}

const UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000 };

function num(out: string, re: RegExp, what: string): number {
  const m = re.exec(out);
  if (!m?.[1]) throw new Error(`h2load output has no ${what}`);
  return Number(m[1]);
}

/** h2load's summary; latency percentiles come from the log file (see percentilesFromLog). */
export interface H2loadSummary {
  readonly requestsPerSec: number;
  readonly done: number;
  readonly succeeded: number;
  /** Requests that failed below HTTP (stream or connection errors), plus timeouts. */
  readonly errored: number;
  /** Answers with a 3xx, 4xx or 5xx status. */
  readonly non2xx: number;
  readonly meanMs: number;
  /** The negotiated application protocol (`h2` expected). */
  readonly protocol: string | undefined;
}

/** Parses the text h2load prints. Throws when a figure is missing. */
export function parseH2loadOutput(out: string): H2loadSummary {
  const requestsPerSec = num(out, /^finished in [\d.]+\w+, ([\d.]+) req\/s/m, 'finished line');
  const req = /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(out);
  if (!req) throw new Error('h2load output has no requests line');
  const status = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(out);
  if (!status) throw new Error('h2load output has no status codes line');
  const mean = /^time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\s/m.exec(out);
  const meanMs = mean?.[1] && mean[2] ? Number(mean[1]) * (UNITS[mean[2]] ?? NaN) : NaN;
  return {
    requestsPerSec,
    done: Number(req[3]),
    succeeded: Number(req[4]),
    errored: Number(req[6]) + Number(req[7]),
    non2xx: Number(status[2]) + Number(status[3]) + Number(status[4]),
    meanMs,
    protocol: /^Application protocol: (\S+)/m.exec(out)?.[1],
  };
}

/**
 * p50 and p99 in ms from an h2load `--log-file` (tab-separated: start time in µs since the epoch,
 * status (-1: no response, skipped), µs until the end of the response). Undefined when the log
 * holds no answered request.
 */
export function percentilesFromLog(text: string): { p50Ms: number; p99Ms: number } | undefined {
  const lines = text.split('\n');
  const us = new Float64Array(lines.length);
  let n = 0;
  for (const line of lines) {
    const tab = line.lastIndexOf('\t');
    // Requests that got no response are logged with status -1: they have no latency.
    if (tab < 0 || line.charCodeAt(line.indexOf('\t') + 1) === 45 /* '-' */) continue;
    const v = Number(line.slice(tab + 1));
    if (Number.isFinite(v) && v >= 0) us[n++] = v;
  }
  if (n === 0) return undefined;
  const sorted = us.subarray(0, n).sort();
  const at = (p: number): number => (sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)] ?? NaN) / 1000;
  return { p50Ms: at(50), p99Ms: at(99) };
}

/** The summary and the log's percentiles as one result, comparable with wrk's. */
export function h2loadResult(s: H2loadSummary, log: string): LoadResult {
  const p = percentilesFromLog(log);
  return {
    requestsPerSec: s.requestsPerSec,
    requests: s.done,
    p50Ms: p?.p50Ms ?? s.meanMs,
    p99Ms: p?.p99Ms ?? NaN,
    non2xx: s.non2xx,
    socketErrors: s.errored,
  };
}
