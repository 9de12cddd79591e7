/**
 * The store of upstream connection pools, keyed by origin + transport identity. It outlives
 * configurations: the runtime creates one and passes it to every load balancer it builds, so a
 * reload that keeps a server (and its transport) keeps its warm connections.
 *
 * One unref'd sweeper timer serves every pool: it closes connections idle longer than their
 * transport's idleConnTimeout and drops pools that stayed empty (no idle connection, nothing in
 * use) for `EMPTY_POOL_TTL_MS`, so servers removed from the configuration are forgotten.
 */
import type { ResolvedTransport } from './transport.js';
import type { ServerTarget } from './server-target.js';
import { OriginPool } from './origin-pool.js';

const EMPTY_POOL_TTL_MS = 60_000;
const MAX_SWEEP_MS = 1_000;
const MIN_SWEEP_MS = 10;

export interface UpstreamPoolsOptions {
  /** Sweep period in ms; default: a quarter of the smallest idleConnTimeout, within 10 ms..1 s. */
  readonly sweepIntervalMs?: number;
}

export interface UpstreamPoolStats {
  readonly key: string;
  readonly idle: number;
  readonly inUse: number;
  /** Connections opened since the pool was created (HTTP/2 sessions included). */
  readonly created: number;
  /** HTTP/2 sessions open now (h2c origins, https origins that picked h2). */
  readonly h2Sessions: number;
}

export class UpstreamPools {
  readonly #pools = new Map<string, OriginPool>();
  readonly #fixedSweep: number | undefined;
  #sweepMs = MAX_SWEEP_MS;
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: UpstreamPoolsOptions = {}) {
    this.#fixedSweep = opts.sweepIntervalMs;
  }

  /** The pool for `target` through `transport`, created on first use. */
  get(target: ServerTarget, transport: ResolvedTransport): OriginPool {
    const key = `${target.origin}|${transport.id}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new OriginPool(key, target, transport);
      this.#pools.set(key, pool);
      this.#schedule(transport.idleConnTimeout);
    }
    return pool;
  }

  get size(): number {
    return this.#pools.size;
  }

  stats(): UpstreamPoolStats[] {
    const out: UpstreamPoolStats[] = [];
    for (const p of this.#pools.values()) out.push({ key: p.key, idle: p.idleCount, inUse: p.inUse, created: p.created, h2Sessions: p.h2Sessions });
    return out;
  }

  /** Close every idle connection and stop the sweeper (shutdown, tests). In-flight exchanges finish. */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
  }

  #schedule(idleConnTimeout: number): void {
    let period = this.#fixedSweep ?? (idleConnTimeout > 0 ? Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, idleConnTimeout / 4)) : MAX_SWEEP_MS);
    period = Math.floor(period);
    if (this.#timer !== null && period >= this.#sweepMs) return;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#sweepMs = period;
    this.#timer = setInterval(this.#sweep, period);
    this.#timer.unref();
  }

  readonly #sweep = (): void => {
    const now = performance.now();
    for (const [key, pool] of this.#pools) {
      if (pool.sweep(now) && now - pool.lastUsed > Math.max(EMPTY_POOL_TTL_MS, pool.transport.idleConnTimeout)) {
        pool.evicted = true;
        this.#pools.delete(key);
      }
    }
    if (this.#pools.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
      this.#sweepMs = MAX_SWEEP_MS;
    }
  };
}
