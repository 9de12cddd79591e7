/**
 * Latency statistics of the circuit breaker, as Traefik keeps them (oxy's memmetrics):
 *
 * - one histogram counts latencies in microseconds from 1 µs to 1 hour with two significant
 *   digits (an HDR histogram: exact up to 255 µs, then 128 buckets per power of two, so a value
 *   is known to within 1%); longer latencies are not recorded;
 * - the rolling histogram is 6 of them: the one being filled moves on to the next (cleared) when
 *   10 s have passed since the last move, checked when a latency is recorded; the quantile is read
 *   over all 6 merged, so it covers roughly the last minute of traffic;
 * - `valueAtQuantile(q)` (q in percent) is the highest value equivalent to the bucket where the
 *   running count reaches `round(q% of the total)`, 0 when empty.
 */

/** Highest trackable latency: one hour, in microseconds. */
const MAX_VALUE = 3_600_000_000;
/** 2 significant digits: 2 * 10^2 = 200 -> 256 sub-buckets, the upper half of each bucket used. */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE; // 128
const SUB_BUCKET_MASK = (SUB_BUCKET_HALF << 1) - 1; // 255

function bucketOf(v: number): number {
  // Bit length of (v | 255) minus 8: 0 for v < 256. clz32 reads its argument as unsigned.
  return 32 - Math.clz32(v | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
}

function indexOf(v: number): number {
  const bucket = bucketOf(v);
  const sub = Math.floor(v / 2 ** bucket);
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF);
}

/** Number of counters needed up to MAX_VALUE. */
const LENGTH = indexOf(MAX_VALUE) + 1;

/** Lowest value counted at `index`. */
function valueAt(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** Highest value equivalent to `v` (same counter). */
function highestEquivalent(v: number): number {
  const bucket = bucketOf(v);
  return valueAt(indexOf(v)) + 2 ** bucket - 1;
}

export class LatencyHistogram {
  readonly counts = new Uint32Array(LENGTH);
  total = 0;

  /** Record one latency in microseconds; false (nothing recorded) when out of range. */
  record(micros: number): boolean {
    const v = Math.floor(micros);
    if (!(v >= 0) || v > MAX_VALUE) return false;
    const i = indexOf(v);
    this.counts[i] = (this.counts[i] as number) + 1;
    this.total++;
    return true;
  }

  reset(): void {
    if (this.total === 0) return;
    this.counts.fill(0);
    this.total = 0;
  }
}

/** Value at quantile `q` (percent) over the sum of `parts`. */
export function valueAtQuantile(parts: readonly LatencyHistogram[], q: number): number {
  let total = 0;
  for (const p of parts) total += p.total;
  if (total === 0) return 0;
  const target = Math.floor((Math.min(q, 100) / 100) * total + 0.5);
  let seen = 0;
  for (let i = 0; i < LENGTH; i++) {
    for (const p of parts) seen += p.counts[i] as number;
    if (seen >= target) return highestEquivalent(valueAt(i));
  }
  return 0;
}

/** Six histograms filled in turn, moving on every `periodMs` (checked when recording). */
export class RollingLatency {
  readonly #parts: LatencyHistogram[];
  readonly #periodMs: number;
  #index = 0;
  #lastRoll = -Infinity;

  constructor(buckets = 6, periodMs = 10_000) {
    this.#parts = Array.from({ length: buckets }, () => new LatencyHistogram());
    this.#periodMs = periodMs;
  }

  record(latencyMs: number, now: number): void {
    if (now - this.#lastRoll >= this.#periodMs) {
      this.#index = (this.#index + 1) % this.#parts.length;
      (this.#parts[this.#index] as LatencyHistogram).reset();
      this.#lastRoll = now;
    }
    (this.#parts[this.#index] as LatencyHistogram).record(latencyMs * 1000);
  }

  /** Latency at quantile `q` (percent), in whole milliseconds (truncated, as Traefik). */
  atQuantileMs(q: number): number {
    return Math.floor(valueAtQuantile(this.#parts, q) / 1000);
  }

  reset(now: number): void {
    for (const p of this.#parts) p.reset();
    this.#index = 0;
    this.#lastRoll = now;
  }
}
