/**
 * Go's time.Duration.String(), for the X-Retry-In header Traefik sends: `1h2m3.5s`, `59.9s`,
 * `9.5ms`, `1.5µs`, `42ns`, `0s`. Fractions keep up to 9 digits without trailing zeros.
 */
export function formatGoDuration(ns: number): string {
  let n = Math.trunc(ns);
  if (n === 0) return '0s';
  const sign = n < 0 ? '-' : '';
  n = Math.abs(n);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${fraction(n, 3)}µs`;
  if (n < 1e9) return `${sign}${fraction(n, 6)}ms`;
  const seconds = fraction(n % 60e9, 9);
  const minutes = Math.floor(n / 60e9);
  if (minutes === 0) return `${sign}${seconds}s`;
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${hours}h${minutes % 60}m${seconds}s`;
}

/** `value / 10^digits` as text, the fraction without trailing zeros (integers only, no float error). */
function fraction(value: number, digits: number): string {
  const unit = 10 ** digits;
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
