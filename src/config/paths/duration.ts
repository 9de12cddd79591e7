/**
 * Durations as Traefik reads them (paerser `types.Duration`), for static and dynamic configuration alike: a Go
 * duration string (`10s`, `1m30s`, `250ms`, `1.5h`, `-1s`, `500us`) or a bare integer, which counts seconds
 * (`10` = 10s). Results are milliseconds, possibly fractional (`500us` = 0.5).
 *
 * Traefik rejects a bare number with a fraction (`1.5`); dynamic configuration does too. The static
 * configuration also takes one (`2.5` = 2.5s) with `{ fractionalSeconds: true }`.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const BARE_INTEGER = /^[+-]?\d+$/;
const BARE_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

export interface DurationOptions {
  /** Also take a bare number with a fraction as seconds (`2.5`, `.5`, numbers like `1.5`). Default false, as Traefik. */
  readonly fractionalSeconds?: boolean;
}

/**
 * Parses a duration into milliseconds; undefined when the value is not a duration (or does not fit a number).
 * Numbers and bigints (as YAML/TOML parsers return them) are seconds.
 */
export function parseDuration(value: string | number | bigint, options: DurationOptions = {}): number | undefined {
  const fractional = options.fractionalSeconds === true;
  let ms: number | undefined;
  if (typeof value === 'bigint') ms = Number(value) * 1000;
  else if (typeof value === 'number') ms = fractional || Number.isInteger(value) ? value * 1000 : undefined;
  else ms = parseDurationText(value.trim(), fractional);
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

function parseDurationText(s: string, fractional: boolean): number | undefined {
  if (s === '') return undefined;
  if ((fractional ? BARE_NUMBER : BARE_INTEGER).test(s)) return Number(s) * 1000;
  let i = 0;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i >= s.length) return undefined;
  let total = 0;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) return undefined;
    const unit = UNIT_MS[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    i = PART.lastIndex;
  }
  return sign * total;
}

/** Formats milliseconds the way Go prints durations (`1m30s`, `250ms`, `0s`), for help and messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${ms}ms`;
  let rest = ms / 1000;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = Math.round(rest * 1000) / 1000;
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${s}s`;
  return out;
}
