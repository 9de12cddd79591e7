/**
 * The circuit breaker's state machine, as Traefik runs it (oxy's cbreaker), with an injectable
 * clock so that it can be tested without waiting:
 *
 * - **closed** (oxy: standby): every request goes through and is recorded; after a response, when
 *   `checkPeriod` has passed since the last check, the condition is evaluated; true -> open;
 * - **open** (tripped): for `fallbackDuration` every request gets the fallback answer; the metrics
 *   are cleared when it opens;
 * - **recovering**: the first request after `fallbackDuration` starts it; for `recoveryDuration` a
 *   growing share of requests goes through — a request passes when letting it keep the share
 *   passed below 0.5 * elapsed / recoveryDuration — the others get the fallback. The condition is
 *   still checked after responses: true -> open again. The first request after
 *   `recoveryDuration` closes the breaker.
 */
import type { Eval } from '../expression/compile.js';
import type { BreakerStats } from './conditions.js';
import { RollingMetrics } from './rolling-metrics.js';

export const enum BreakerState {
  Closed,
  Open,
  Recovering,
}

export interface BreakerTimings {
  readonly checkPeriod: number;
  readonly fallbackDuration: number;
  readonly recoveryDuration: number;
}

export class Breaker implements BreakerStats {
  readonly metrics = new RollingMetrics();
  state = BreakerState.Closed;
  /** When the open or recovering state ends. */
  #until = 0;
  /** No check before this time. */
  #nextCheck = -Infinity;
  // Recovering: the share of requests let through.
  #recoveryStart = 0;
  #allowed = 0;
  #denied = 0;
  /** Time of the check being evaluated (BreakerStats). */
  now = 0;

  constructor(
    readonly condition: Eval<BreakerStats, boolean>,
    readonly timings: BreakerTimings,
  ) {}

  /** Should this request go through (true) or get the fallback (false)? */
  allow(now: number): boolean {
    switch (this.state) {
      case BreakerState.Closed:
        return true;
      case BreakerState.Open:
        if (now < this.#until) return false;
        this.state = BreakerState.Recovering;
        this.#until = now + this.timings.recoveryDuration;
        this.#recoveryStart = now;
        this.#allowed = 0;
        this.#denied = 0;
        return this.#ratioAllows(now);
      case BreakerState.Recovering:
        if (now > this.#until) {
          this.state = BreakerState.Closed;
          return true;
        }
        return this.#ratioAllows(now);
    }
  }

  #ratioAllows(now: number): boolean {
    const duration = this.timings.recoveryDuration;
    const target = duration > 0 ? (0.5 * (now - this.#recoveryStart)) / duration : 0.5;
    const share = (this.#allowed + 1) / (this.#allowed + 1 + this.#denied);
    if (share < target) {
      this.#allowed++;
      return true;
    }
    this.#denied++;
    return false;
  }

  /** A request that went through finished with `status` after `latencyMs`. */
  observe(status: number, latencyMs: number, now: number): void {
    this.metrics.record(status, latencyMs, now);
    if (!(now > this.#nextCheck)) return;
    this.#nextCheck = now + this.timings.checkPeriod;
    if (this.state === BreakerState.Open) return;
    this.now = now;
    if (!this.condition(this)) return;
    this.state = BreakerState.Open;
    this.#until = now + this.timings.fallbackDuration;
    this.metrics.reset(now);
  }
}
