/**
 * How large V8's young generation may grow in a process that serves requests, set from the size
 * of the configuration it serves.
 *
 * V8 doubles its new space (two semi-spaces) each time as many bytes as it holds have survived
 * scavenges since it last grew, up to 16 MB per semi-space, and shrinks it only when the process
 * allocates little. A proxy under load always has requests in flight when a scavenge comes, so
 * some bytes survive every scavenge and the new space ends at its maximum: 32 MB committed,
 * ~27 MiB resident. Measured on the 2-vCPU VM of docs/benchmarks.md, one process, 10 routers,
 * 64 connections (about 30,000 requests/s): 90-99 MiB RSS, against 71-72 MiB with 4 MB
 * semi-spaces at the same throughput.
 *
 * What a small young generation costs is at reloads of a large configuration. A one-object edit
 * makes a new record of the whole collection (~1 MB with 10,000 routers: replaceObjectSteps in
 * providers/file/incremental.ts), which lives on as the configuration, so it is promoted, and the
 * one it replaced is old garbage. With 4 MB semi-spaces the old generation was then marked every
 * second reload (9-12 full collections during 20 reloads, against 2-3 with 16 MB), and p99 during
 * reloads every 500 ms went from 0.9-1.4x the p99 without reloads to 1.9-2.4x. With 1,000 and
 * 3,000 routers, 4 MB semi-spaces made no difference (1 and 3 full collections, against 1 and 2).
 *
 * So the limit follows the configuration: SEMI_SPACE_PER_OBJECT bytes of semi-space per object of
 * its largest collection (a reload's garbage, ~100 B per object, stays under a tenth of it), as a
 * power of two from MIN_SEMI_SPACE; from V8's maximum on, no limit. 10 routers: 4 MB; 6,000: 8 MB;
 * 10,000: V8's 16 MB, as before.
 *
 * The limit is kept with V8's growth factor (`--semi-space-growth-factor`), which it reads each
 * time it grows the new space, so it can change while the process runs (`--max-semi-space-size`
 * is read once, at start): after each collection, the factor is 1 once the new space has reached
 * the limit (it stays as it is) and V8's 2 below it. A larger configuration raises the limit.
 *
 * The limit stops growth; it does not shrink a new space already past it. V8 shrinks the new space
 * only when the process allocates little (idle), so one that grew before the limit was set or
 * lowered stays as large while the process is busy: the first parse of a configuration is made
 * before its size is known (the limit is set when it is applied), and a parse of several thousand
 * routers grows the new space to 8-16 MB; a configuration made smaller keeps its new space until
 * the process idles. With 10 routers the first parse grows nothing. The other way round, a
 * reload from a small configuration to a large one is parsed and compiled under the small
 * configuration's limit: that reload promotes more, once.
 *
 * A process whose node arguments set the young generation's size or growth (NODE_OPTIONS too) is
 * left alone.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const MB = 1024 * 1024;

/** The smallest limit: below it, scavenges at 30,000 requests/s come every few milliseconds. */
export const MIN_SEMI_SPACE = 4 * MB;
/** Semi-space bytes per object of the configuration's largest collection (see above). */
export const SEMI_SPACE_PER_OBJECT = 1024;
/**
 * V8's own maximum on a 64-bit machine with a few GB of memory or more (`--max-semi-space-size`
 * unset; less on small machines, where a limit at or over V8's maximum changes nothing): a limit
 * this large is none.
 */
export const V8_MAX_SEMI_SPACE = 16 * MB;

/** V8's default growth factor. */
const GROW = 2;
/** A growth factor that keeps the new space as it is. */
const HOLD = 1;

/** Node arguments that size the young generation or its growth: with one of them, no limit is set. */
const YOUNG_GENERATION_FLAGS = /(^|\s)--(max|min)[-_]semi[-_]space[-_]size(=|\s|$)|(^|\s)--semi[-_]space[-_]growth[-_]factor(=|\s|$)/;

/** The semi-space limit for a configuration whose largest collection has `objects` objects; Infinity for none. */
export function semiSpaceLimit(objects: number): number {
  const wanted = Math.max(MIN_SEMI_SPACE, objects * SEMI_SPACE_PER_OBJECT);
  const limit = MIN_SEMI_SPACE * 2 ** Math.ceil(Math.log2(wanted / MIN_SEMI_SPACE));
  return limit >= V8_MAX_SEMI_SPACE ? Infinity : limit;
}

/** True when these node arguments (and NODE_OPTIONS) already say how large the young generation may be. */
export function youngGenerationSetByUser(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return execArgv.some((a) => YOUNG_GENERATION_FLAGS.test(a)) || (nodeOptions !== undefined && YOUNG_GENERATION_FLAGS.test(nodeOptions));
}

/** What the limit reads and sets (V8's, unless a test gives its own). */
export interface YoungGenerationHeap {
  /** The size of one semi-space now (bytes). */
  semiSpace(): number;
  setGrowthFactor(factor: number): void;
  /** Calls `check` after collections until the returned function is called. */
  afterCollections(check: () => void): () => void;
}

const v8Heap: YoungGenerationHeap = {
  semiSpace() {
    // Used plus available is the semi-space's capacity less its pages' headers (3.93 MB for 4):
    // rounded up to the megabyte, its size. (The committed size is not: from-space may be
    // uncommitted, as at start.)
    for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return Math.ceil((s.space_used_size + s.space_available_size) / MB) * MB;
    return 0;
  },
  setGrowthFactor(factor) {
    setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  },
  afterCollections(check) {
    const observer = new PerformanceObserver(check);
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  },
};

export class YoungGenerationLimit {
  readonly #heap: YoungGenerationHeap;
  #limit = Infinity;
  /** The factor last set; undefined before the first (heap-tuning.ts left V8's). */
  #factor: number | undefined;
  #stop: (() => void) | undefined;

  constructor(heap: YoungGenerationHeap = v8Heap) {
    this.#heap = heap;
  }

  /** The limit now (bytes per semi-space; Infinity for none). */
  get limit(): number {
    return this.#limit;
  }

  /** Sets the limit for a configuration whose largest collection has `objects` objects. */
  fit(objects: number): void {
    this.#limit = semiSpaceLimit(objects);
    this.#stop ??= this.#heap.afterCollections(() => this.#check());
    this.#check();
  }

  #check(): void {
    const factor = this.#heap.semiSpace() >= this.#limit ? HOLD : GROW;
    if (factor === this.#factor) return;
    this.#factor = factor;
    this.#heap.setGrowthFactor(factor);
  }

  /** Stops watching collections and gives V8 its own growth factor back. */
  close(): void {
    this.#stop?.();
    this.#stop = undefined;
    if (this.#factor === HOLD) this.#heap.setGrowthFactor(GROW);
    this.#factor = undefined;
    this.#limit = Infinity;
  }
}

/**
 * The process's limit, for a process that serves requests; undefined when its node arguments
 * already size the young generation.
 */
export function youngGenerationLimit(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS']): YoungGenerationLimit | undefined {
  return youngGenerationSetByUser(execArgv, nodeOptions) ? undefined : new YoungGenerationLimit();
}
