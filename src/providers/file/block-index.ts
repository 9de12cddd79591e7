/**
 * What a large YAML file's cache keeps per object, in columns: which collection and name, and its
 * origin (file and line), read through look-ups instead of kept as maps.
 *
 * A file of 20,000 routers and services kept, per object, an origin entry in a Map (~46 bytes of
 * table), an origin object (40), a key string `http.routers.<name>` (32), and a `clean` entry in a
 * second Map with a slice of its text (~78): about 200 bytes per object, 14% of everything kept per
 * router and service. Here an object costs a slot in the names list, a collection byte and, once
 * something looks a key up, a 4-byte entry of the look-up order; its line and text span live in
 * the typed columns the incremental update keeps anyway (incremental.ts). The names are the
 * validated records' own key strings (`api@file` when the file provider qualified them: the
 * `suffix`), so the columns add no string.
 */
import type { ObjectOrigin } from '../../config/dynamic/types.js';
import type { HttpCollection } from '../../config/dynamic/validate.js';
import { EntriesMap } from '../../collections/entries-map.js';

/** Collections in the order validation reads them (and origins list them). */
export const BLOCK_COLLECTIONS: readonly HttpCollection[] = ['routers', 'services', 'middlewares', 'serversTransports'];
const PREFIXES: readonly string[] = BLOCK_COLLECTIONS.map((c) => `http.${c}.`);

/** `http.<collection>.<name>` as a collection index and name, or undefined for another key. */
export function splitObjectKey(key: string): { readonly collection: number; readonly name: string } | undefined {
  if (!key.startsWith('http.')) return undefined;
  for (let c = 0; c < PREFIXES.length; c++) {
    const prefix = PREFIXES[c] as string;
    if (key.startsWith(prefix)) return { collection: c, name: key.slice(prefix.length) };
  }
  return undefined;
}

export function objectKey(collection: number, name: string): string {
  return (PREFIXES[collection] as string) + name;
}

/**
 * The objects of a file, in the order of its text: collection and name of each. Never changed
 * (an edit that renames an object is read whole), so every version of the file's cache shares it.
 */
export class BlockNames {
  /** Each object's collection, an index into BLOCK_COLLECTIONS. */
  readonly collections: Uint8Array;
  /** Each object's key in its record: its name, then `suffix`. */
  readonly keys: readonly string[];
  /** `@provider` when the records are keyed by qualified names, else ''. */
  readonly suffix: string;
  /** Object indices by (collection, key), made at the first look-up. */
  #order: Int32Array | undefined;

  constructor(collections: Uint8Array, keys: readonly string[], suffix = '') {
    this.collections = collections;
    this.keys = keys;
    this.suffix = suffix;
  }

  get length(): number {
    return this.keys.length;
  }

  /** Object `j`'s name as written (made from its key when the keys are qualified). */
  nameAt(j: number): string {
    const key = this.keys[j] as string;
    return this.suffix === '' ? key : key.slice(0, -this.suffix.length);
  }

  /** The index of the object named `name` (as written), or -1; `hint` is tried first (look-ups in text order hit it). */
  find(collection: number, name: string, hint = -1): number {
    const { collections, keys: names } = this;
    if (this.suffix !== '') name += this.suffix;
    if (hint >= 0 && hint < names.length && collections[hint] === collection && names[hint] === name) return hint;
    const order = (this.#order ??= this.#sorted());
    let lo = 0;
    let hi = order.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const j = order[mid] as number;
      const c = collections[j] as number;
      const n = names[j] as string;
      if (c === collection && n === name) return j;
      if (c < collection || (c === collection && n < name)) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  #sorted(): Int32Array {
    const { collections, keys: names } = this;
    const order = new Int32Array(names.length);
    for (let j = 0; j < order.length; j++) order[j] = j;
    return order.sort((a, b) => {
      const c = (collections[a] as number) - (collections[b] as number);
      if (c !== 0) return c;
      const x = names[a] as string;
      const y = names[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
}

/** An origin of the file outside the http collections (its `tls` section's objects). */
export interface OtherOrigin {
  readonly key: string;
  readonly line: number;
}

/**
 * A file's origins read from its columns: keyed and ordered as the map validation makes (the
 * collections in order, each in the order of the text, then the others), one origin object made
 * per look-up. Look-ups are for diagnostics, the API and a worker's delta, not the data path.
 */
export class BlockOrigins extends EntriesMap<string, ObjectOrigin> {
  readonly size: number;
  readonly #source: string;
  readonly #names: BlockNames;
  readonly #lines: Int32Array;
  readonly #others: readonly OtherOrigin[];

  constructor(source: string, names: BlockNames, lines: Int32Array, others: readonly OtherOrigin[]) {
    super();
    this.#source = source;
    this.#names = names;
    this.#lines = lines;
    this.#others = others;
    this.size = names.length + others.length;
    Object.freeze(this);
  }

  #indexOf(key: string): number {
    const split = splitObjectKey(key);
    return split === undefined ? -1 : this.#names.find(split.collection, split.name);
  }

  get(key: string): ObjectOrigin | undefined {
    const j = this.#indexOf(key);
    if (j >= 0) return { source: this.#source, line: this.#lines[j] as number };
    for (const o of this.#others) if (o.key === key) return { source: this.#source, line: o.line };
    return undefined;
  }

  has(key: string): boolean {
    return this.#indexOf(key) >= 0 || this.#others.some((o) => o.key === key);
  }

  *entries(): MapIterator<[string, ObjectOrigin]> {
    const names = this.#names;
    const { collections } = names;
    for (let c = 0; c < BLOCK_COLLECTIONS.length; c++) {
      for (let j = 0; j < names.length; j++) {
        if (collections[j] === c) yield [objectKey(c, names.nameAt(j)), { source: this.#source, line: this.#lines[j] as number }];
      }
    }
    for (const o of this.#others) yield [o.key, { source: this.#source, line: o.line }];
  }
}
