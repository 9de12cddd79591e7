/**
 * What the circuit breaker watches, over a rolling window as Traefik does (oxy's RTMetrics):
 *
 * - request counts, network errors and counts per status code are kept in 10 slots of one second
 *   each: a slot is cleared when its second comes round again, and only slots of the last 10
 *   seconds are summed — a rolling 10 s window;
 * - a "network error" is a response with status 502 or 504: the statuses the proxy answers when it
 *   cannot reach the server or the server does not answer in time (an upstream answering 502
 *   itself counts too, exactly as in Traefik);
 * - latencies go to a rolling histogram (latency-histogram.ts).
 *
 * Times are milliseconds from any monotonic clock (performance.now() in production, a fake one in
 * tests).
 */
import { RollingLatency } from './latency-histogram.js';

/** Statuses 0-999 are counted (node writes three-digit statuses only). */
const STATUSES = 1000;

export class RollingMetrics {
  readonly #slots: number;
  readonly #resolutionMs: number;
  /** Second (time / resolution) each slot holds, -1 for never used. */
  readonly #epochs: Float64Array;
  readonly #totals: Uint32Array;
  readonly #netErrors: Uint32Array;
  /** Per slot, per status: allocated on first use (a breaker that sees no traffic costs little). */
  #codes: Uint32Array | null = null;
  readonly latency: RollingLatency;

  constructor(slots = 10, resolutionMs = 1000) {
    this.#slots = slots;
    this.#resolutionMs = resolutionMs;
    this.#epochs = new Float64Array(slots).fill(-1);
    this.#totals = new Uint32Array(slots);
    this.#netErrors = new Uint32Array(slots);
    this.latency = new RollingLatency();
  }

  /** Record one finished request. */
  record(status: number, latencyMs: number, now: number): void {
    const epoch = Math.floor(now / this.#resolutionMs);
    const slot = epoch % this.#slots;
    const codes = (this.#codes ??= new Uint32Array(this.#slots * STATUSES));
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#totals[slot] = 0;
      this.#netErrors[slot] = 0;
      codes.fill(0, slot * STATUSES, (slot + 1) * STATUSES);
    }
    this.#totals[slot] = (this.#totals[slot] as number) + 1;
    if (status === 502 || status === 504) this.#netErrors[slot] = (this.#netErrors[slot] as number) + 1;
    if (status >= 0 && status < STATUSES) {
      const i = slot * STATUSES + status;
      codes[i] = (codes[i] as number) + 1;
    }
    this.latency.record(latencyMs, now);
  }

  #live(slot: number, now: number): boolean {
    const epoch = this.#epochs[slot] as number;
    return epoch >= 0 && Math.floor(now / this.#resolutionMs) - epoch < this.#slots;
  }

  /** Requests recorded in the window (RequestThreshold()). */
  totalCount(now: number): number {
    let n = 0;
    for (let s = 0; s < this.#slots; s++) if (this.#live(s, now)) n += this.#totals[s] as number;
    return n;
  }

  /** Network errors (502/504) / requests in the window; 0 without requests (NetworkErrorRatio()). */
  networkErrorRatio(now: number): number {
    let total = 0;
    let errors = 0;
    for (let s = 0; s < this.#slots; s++) {
      if (!this.#live(s, now)) continue;
      total += this.#totals[s] as number;
      errors += this.#netErrors[s] as number;
    }
    return total === 0 ? 0 : errors / total;
  }

  /**
   * Responses with a status in [from, to) / responses with a status in [divFrom, divTo); 0 when
   * the divisor is 0 (ResponseCodeRatio()).
   */
  responseCodeRatio(from: number, to: number, divFrom: number, divTo: number, now: number): number {
    const codes = this.#codes;
    if (codes === null) return 0;
    let a = 0;
    let b = 0;
    for (let s = 0; s < this.#slots; s++) {
      if (!this.#live(s, now)) continue;
      const base = s * STATUSES;
      for (let code = 0; code < STATUSES; code++) {
        const n = codes[base + code] as number;
        if (n === 0) continue;
        if (code >= from && code < to) a += n;
        if (code >= divFrom && code < divTo) b += n;
      }
    }
    return b === 0 ? 0 : a / b;
  }

  /** Latency at quantile `q` (percent), whole milliseconds (LatencyAtQuantileMS()). */
  latencyAtQuantileMs(q: number): number {
    return this.latency.atQuantileMs(q);
  }

  /** Forget everything (the breaker trips). */
  reset(now: number): void {
    this.#epochs.fill(-1);
    this.#totals.fill(0);
    this.#netErrors.fill(0);
    this.#codes?.fill(0);
    this.latency.reset(now);
  }
}
