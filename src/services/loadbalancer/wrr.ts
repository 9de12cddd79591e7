/**
 * Smooth weighted round robin, as Traefik's `wrr` balancer: an earliest-deadline-first scheduler.
 * Every item has a virtual deadline `n / weight`; the item with the earliest deadline is picked and
 * its deadline moves on by `1 / weight`. Weights 3:1 give `a a b a a a b a ...` (spread out, not
 * `a a a b`); items of weight <= 0 are never picked.
 *
 * Deterministic: deadlines are compared exactly (`n_a * w_b` vs `n_b * w_a`, integers), and equal
 * deadlines go to the item that has waited longest (earliest (re)insertion), then list order.
 */

interface Entry<T> {
  readonly value: T;
  readonly weight: number;
  /** Deadline numerator: the deadline is n / weight. */
  n: number;
  /** Insertion sequence: tie-break for equal deadlines. */
  seq: number;
}

/** Above this numerator every deadline is shifted back by a whole number (keeps products exact). */
const RENORMALISE_AT = 2 ** 40;

export class SmoothWeightedRoundRobin<T> {
  readonly #heap: Entry<T>[] = [];
  #seq = 0;

  /** `items` in the order that breaks ties; weights must be integers (Traefik's are). */
  constructor(items: readonly { readonly value: T; readonly weight: number }[]) {
    for (const item of items) {
      if (!(item.weight > 0)) continue;
      this.#push({ value: item.value, weight: Math.floor(item.weight) || 1, n: 1, seq: this.#seq++ });
    }
  }

  /** Number of pickable items. */
  get size(): number {
    return this.#heap.length;
  }

  /** The next item, or undefined when there is none. */
  next(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    if (heap.length === 1) return top.value;
    top.n++;
    top.seq = this.#seq++;
    this.#siftDown(0);
    if (top.n > RENORMALISE_AT) this.#renormalise();
    return top.value;
  }

  #push(e: Entry<T>): void {
    const heap = this.#heap;
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry<T>, heap[parent] as Entry<T>)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      let m = l;
      if (r < n && before(heap[r] as Entry<T>, heap[l] as Entry<T>)) m = r;
      if (!before(heap[m] as Entry<T>, heap[i] as Entry<T>)) return;
      swap(heap, i, m);
      i = m;
    }
  }

  /** Subtract the same whole number from every deadline: order and spacing are unchanged. */
  #renormalise(): void {
    let k = Infinity;
    for (const e of this.#heap) k = Math.min(k, Math.floor(e.n / e.weight));
    for (const e of this.#heap) e.n -= k * e.weight;
  }
}

/** Is `a`'s deadline earlier than `b`'s (ties: earlier sequence)? */
function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  const x = a.n * b.weight;
  const y = b.n * a.weight;
  return x < y || (x === y && a.seq < b.seq);
}

function swap<T>(heap: T[], i: number, j: number): void {
  const t = heap[i] as T;
  heap[i] = heap[j] as T;
  heap[j] = t;
}
