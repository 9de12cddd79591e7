/**
 * Traefik durations (paerser `types.Duration`): a bare integer is a number of SECONDS (`10` = 10s),
 * anything else is a Go duration string (`1m30s`, `100ms`, `-1s`, `1.5h`). Results are milliseconds,
 * possibly fractional (`500us` = 0.5). Floats without a unit (`1.5`) are rejected, as in Traefik.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const INTEGER = /^[+-]?\d+$/;
const GO_DURATION = /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Parses a Traefik duration to milliseconds; undefined when the text is not a duration. */
export function parseDurationMs(value: string | number | bigint): number | undefined {
  if (typeof value === 'bigint') return Number(value) * 1000;
  if (typeof value === 'number') return Number.isInteger(value) ? value * 1000 : undefined;
  const text = value.trim();
  if (INTEGER.test(text)) return Number(text) * 1000;
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return undefined;
  const negative = text.startsWith('-');
  let total = 0;
  for (const match of text.matchAll(PART)) {
    const amount = Number(match[1]);
    const unit = UNIT_MS[match[2] ?? ''];
    if (unit === undefined || !Number.isFinite(amount)) return undefined;
    total += amount * unit;
  }
  return negative ? -total : total;
}
