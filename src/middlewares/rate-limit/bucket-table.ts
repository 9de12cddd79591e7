/**
 * The buckets of one rateLimit middleware, keyed by source, in bounded memory: at most `capacity`
 * sources (Traefik keeps 65536), and a bucket that has refilled completely is dropped (a fresh
 * bucket is full too, so forgetting it changes nothing). A lookup of a known source is one Map
 * get; only a new source does housekeeping: it looks at a couple of the oldest entries, drops
 * the full ones and moves the others to the back (a clock sweep), and when the table is at
 * capacity it evicts the oldest. Memory therefore stays flat under any number of sources.
 */
import { type Bucket, type RateParams, fullBucket, isFull } from './token-bucket.js';

/** Traefik's maxSources. */
export const DEFAULT_CAPACITY = 65536;
/** Entries examined per new source. */
const SWEEP_STEPS = 2;

export class BucketTable {
  readonly #buckets = new Map<string, Bucket>();
  readonly #params: RateParams;
  readonly #capacity: number;

  constructor(params: RateParams, capacity = DEFAULT_CAPACITY) {
    this.#params = params;
    this.#capacity = Math.max(1, capacity);
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** The bucket of `source`, created full at `now` when unknown. */
  get(source: string, now: number): Bucket {
    const known = this.#buckets.get(source);
    if (known !== undefined) return known;
    this.#sweep(now);
    const bucket = fullBucket(this.#params, now);
    this.#buckets.set(source, bucket);
    return bucket;
  }

  #sweep(now: number): void {
    const buckets = this.#buckets;
    for (let step = 0; step < SWEEP_STEPS && buckets.size > 0; step++) {
      const oldest = buckets.entries().next().value;
      if (oldest === undefined) return;
      const [source, bucket] = oldest;
      buckets.delete(source);
      // Still refilling: keep it, at the back, so that the next sweeps reach the others.
      if (!isFull(bucket, this.#params, now)) buckets.set(source, bucket);
    }
    // Every entry examined was busy: make room by evicting the oldest.
    while (buckets.size >= this.#capacity) {
      const oldest = buckets.keys().next().value;
      if (oldest === undefined) return;
      buckets.delete(oldest);
    }
  }
}
