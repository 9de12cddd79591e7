/**
 * A read-only map that a reload derives from the previous one without copying it: a base map
 * shared between versions, and over it the keys changed since the base was made (a value, or a
 * tombstone for a key removed). Deriving copies the small overlay only; once the overlay outgrows
 * an eighth of the base, the derived map gets a new base, made in slices. Neither inner map is
 * changed once a LayeredMap is made, so the version still serving keeps its map as it was.
 *
 * Used for the compiler's built-router map and the route index's lists by key. With 10,000
 * routers, copying the built-router map at every one-router reload was 10,000 sets and a 0.5 MB
 * backing store of garbage per save; a derived LayeredMap costs the overlay.
 */
import { EntriesMap } from './entries-map.js';

const GONE: unique symbol = Symbol('gone');

/** Entries copied between two yields when a new base is made. */
const STEP = 4096;

export class LayeredMap<K, V> extends EntriesMap<K, V> {
  readonly #base: ReadonlyMap<K, V>;
  readonly #over: ReadonlyMap<K, V | typeof GONE> | null;
  readonly size: number;

  private constructor(base: ReadonlyMap<K, V>, over: ReadonlyMap<K, V | typeof GONE> | null, size: number) {
    super();
    this.#base = base;
    this.#over = over;
    this.size = size;
  }

  /** `map` as the base of a LayeredMap (not copied: the caller must not change it afterwards). */
  static of<K, V>(map: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return map instanceof LayeredMap ? (map as LayeredMap<K, V>) : new LayeredMap(map, null, map.size);
  }

  /**
   * `from` with the keys of `set` set to their values and the keys of `removed` removed (a key in
   * both is set). `from` is unchanged; a generator that yields while it makes a new base.
   */
  static *derive<K, V>(from: ReadonlyMap<K, V>, set: ReadonlyMap<K, V>, removed: readonly K[]): Generator<void, LayeredMap<K, V>, void> {
    const base = LayeredMap.of(from);
    if (set.size === 0 && removed.length === 0) return base;
    const inner = base.#base;
    const over = new Map<K, V | typeof GONE>(base.#over ?? []);
    let size = base.size;
    // Asked of the overlay as it is being changed (`removed` may name a key twice).
    const present = (key: K): boolean => (over.has(key) ? over.get(key) !== GONE : inner.has(key));
    for (const key of removed) {
      if (set.has(key) || !present(key)) continue;
      size--;
      if (inner.has(key)) over.set(key, GONE);
      else over.delete(key);
    }
    for (const [key, value] of set) {
      if (!present(key)) size++;
      over.set(key, value);
    }
    if (over.size <= Math.max(64, inner.size >> 3)) return new LayeredMap(inner, over, size);
    const next = new Map<K, V>();
    let walked = 0;
    for (const [key, value] of inner) {
      if (!over.has(key)) next.set(key, value);
      if (++walked % STEP === 0) yield;
    }
    for (const [key, value] of over) if (value !== GONE) next.set(key, value);
    return new LayeredMap(next, null, next.size);
  }

  get(key: K): V | undefined {
    const over = this.#over;
    if (over !== null) {
      const value = over.get(key);
      if (value !== undefined) return value === GONE ? undefined : value;
    }
    return this.#base.get(key);
  }

  has(key: K): boolean {
    const over = this.#over;
    if (over !== null && over.has(key)) return over.get(key) !== GONE;
    return this.#base.has(key);
  }

  /** The base's entries that the overlay leaves, in the base's order, then the overlay's. */
  *entries(): MapIterator<[K, V]> {
    const over = this.#over;
    for (const entry of this.#base) if (over === null || !over.has(entry[0])) yield entry;
    if (over !== null) for (const [key, value] of over) if (value !== GONE) yield [key, value];
  }
}
