/**
 * Durations as Traefik's API prints them: Go's time.Duration.String() (`1m30s`, `100ms`, `0s`,
 * `1h0m0s`). Turnpike keeps durations in milliseconds (possibly fractional).
 */

/** Go's formatting of a fraction: digits after the point without trailing zeros. */
function fraction(value: number, unitNs: number): string {
  const whole = Math.floor(value / unitNs);
  const rest = value - whole * unitNs;
  if (rest === 0) return String(whole);
  const digits = String(unitNs).length - 1;
  const frac = String(rest).padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${frac}`;
}

/** `ms` (milliseconds) as Go's Duration.String(). */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '0s';
  const negative = ms < 0;
  const ns = Math.round(Math.abs(ms) * 1e6);
  let text: string;
  if (ns === 0) text = '0s';
  else if (ns < 1e3) text = `${ns}ns`;
  else if (ns < 1e6) text = `${fraction(ns, 1e3)}µs`;
  else if (ns < 1e9) text = `${fraction(ns, 1e6)}ms`;
  else {
    const hours = Math.floor(ns / 3.6e12);
    const minutes = Math.floor((ns - hours * 3.6e12) / 6e10);
    const seconds = fraction(ns - hours * 3.6e12 - minutes * 6e10, 1e9);
    text = hours > 0 ? `${hours}h${minutes}m${seconds}s` : minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
  }
  return negative && ns !== 0 ? `-${text}` : text;
}
