/**
 * A read-only map that is a view, not a Map: its subclass says how to look a key up and how to
 * walk its entries, and the rest of ReadonlyMap (keys, values, iteration, forEach) is read from
 * those. For the maps Turnpike keeps as views over other structures (LayeredMap, a file's
 * origins, a provider's qualified origins), whose look-ups matter and whose walks are rare.
 */
export abstract class EntriesMap<K, V> implements ReadonlyMap<K, V> {
  abstract readonly size: number;
  abstract get(key: K): V | undefined;
  abstract has(key: K): boolean;
  abstract entries(): MapIterator<[K, V]>;

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this);
  }
}
