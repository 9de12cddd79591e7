/**
 * One-object edits of a large YAML file without reading the whole file again. After a clean
 * fast read, the file cache keeps the text and, per object (`http.<collection>.<name>`), where its
 * block starts. When the new text differs from the old one only inside one object's block — from
 * the start of its key's line to the start of the next object's key line in the same collection —
 * only that block is parsed (js-yaml, as a document of its own) and validated; every other object
 * keeps its validated version, and origins after it move by the lines the edit added or removed.
 *
 * It steps aside (the caller reads the whole file) whenever that is not certain to give what a
 * whole read gives: the edit touches more than one block, the key line, the last object of a
 * collection, or anything outside the collections; the block does not parse on its own as exactly
 * that one key with a mapping; or the object has any diagnostic. A differential test compares it
 * with whole reads on random edits. Objects outside the collections (the `tls` section's) are not
 * blocks: an edit that touches them is outside every block, so the file is read whole; an edit
 * above them moves their origins by the lines it added or removed.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { freezeFresh } from '../../config/dynamic/freeze.js';
import { setOwn } from '../../config/dynamic/schema/fields.js';
import type { ObjectOrigin } from '../../config/dynamic/types.js';
import { type HttpCollection, type Locate, validateObject } from '../../config/dynamic/validate.js';
import { loadFastYaml } from '../../config/paths/fast-yaml.js';
import type { TextDiff, TextRope } from './file-text.js';
import { noteChanges } from '../record-changes.js';

/**
 * Where each object's block starts (its key line), in the order of the text: three parallel
 * columns rather than an object per block (a file of 100,000 routers and services keeps 16 bytes
 * per block this way instead of about 90, and a shift after an edit copies two typed arrays).
 */
export interface ObjectBlocks {
  /** `http.<collection>.<name>` (the same strings as the origins' keys). */
  readonly keys: readonly string[];
  /** Offset of each key line's start, ascending. */
  readonly keyLineStarts: Int32Array;
  /** 1-based line of each key. */
  readonly lines: Int32Array;
}

export interface IncrementalState {
  /** The text as last parsed (the same rope as the file cache's). */
  readonly source: TextRope;
  readonly blocks: ObjectBlocks;
  /** Origins (keys and lines) of the file's objects that are not blocks: `tls.options.<name>` etc. */
  readonly others?: readonly { readonly key: string; readonly line: number }[];
}

/** What the file cache needs to describe the file after the edit. */
export interface IncrementalEdit {
  readonly collection: HttpCollection;
  readonly name: string;
  readonly value: unknown;
  /** Text the value is compared by at the next reload (see CachedFile.clean). */
  readonly fingerprint: string;
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly state: IncrementalState;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The last block whose key line starts at or before `offset` (binary search). */
function blockAt(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] as number) <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The edit as one object's block replaced, or undefined. `diff` says where the new read differs
 * from the kept text (file-text.ts); `text` is the new text (the kept one with the middle spliced).
 */
export function tryIncremental(state: IncrementalState, diff: TextDiff, text: TextRope, source: string, origins: ReadonlyMap<string, ObjectOrigin>, locate: Locate): IncrementalEdit | undefined {
  const old = state.source;
  const { prefix, suffix } = diff;
  const { keys: blockKeys, keyLineStarts: starts, lines } = state.blocks;
  const i = blockAt(starts, prefix);
  const blockKey = blockKeys[i];
  const nextKey = blockKeys[i + 1];
  if (blockKey === undefined || nextKey === undefined) return undefined;
  const block = { ...splitKey(blockKey), keyLineStart: starts[i] as number, line: lines[i] as number };
  const next = { collection: splitKey(nextKey).collection, keyLineStart: starts[i + 1] as number };
  if (next.collection !== block.collection) return undefined;
  // The key line's start and everything from the next block's key line on must be unchanged, and
  // the edit must not start on the key line itself (a renamed key is a different object).
  const oldBlock = old.slice(block.keyLineStart, next.keyLineStart);
  const newline = oldBlock.indexOf('\n');
  const keyLineEnd = block.keyLineStart + newline;
  if (newline === -1 || prefix <= keyLineEnd || old.length - suffix > next.keyLineStart) return undefined;
  const delta = text.length - old.length;
  if (next.keyLineStart + delta <= keyLineEnd) return undefined;
  const snippet = text.slice(block.keyLineStart, next.keyLineStart + delta);
  // The block ends with its last line's newline, or the edit reached into the next key line (its
  // indentation, say): that is not one object's edit.
  if (!snippet.endsWith('\n')) return undefined;
  const parsed = loadFastYaml(snippet);
  const doc = parsed?.raw;
  if (parsed === undefined || typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const keys = Object.keys(doc);
  const value = (doc as Record<string, unknown>)[block.name];
  if (keys.length !== 1 || keys[0] !== block.name || typeof value !== 'object' || value === null) return undefined;
  const span = parsed.spanOf(value);
  if (span === undefined) return undefined;
  const checked = validateObject(block.collection, block.name, value, { source, locate });
  if (checked.value === undefined || checked.diagnostics.length > 0) return undefined;

  const lineDelta = countLines(snippet, 0, snippet.length) - countLines(oldBlock, 0, oldBlock.length);
  let blocks = state.blocks;
  let others = state.others ?? [];
  let newOrigins = origins;
  if (delta !== 0 || lineDelta !== 0) {
    const movedStarts = starts.slice();
    const movedLines = lines.slice();
    // Origins change only when lines moved: otherwise the same (frozen) map goes on, and the
    // stages after this one recognise it.
    const shifted = lineDelta !== 0 ? new Map(origins) : undefined;
    for (let j = i + 1; j < blockKeys.length; j++) {
      movedStarts[j] = (starts[j] as number) + delta;
      movedLines[j] = (lines[j] as number) + lineDelta;
      shifted?.set(blockKeys[j] as string, { source, line: movedLines[j] as number });
    }
    blocks = { keys: blockKeys, keyLineStarts: movedStarts, lines: movedLines };
    if (shifted !== undefined) {
      for (const o of others) if (o.line > block.line) shifted.set(o.key, { source, line: o.line + lineDelta });
      others = others.map((o) => (o.line > block.line ? { key: o.key, line: o.line + lineDelta } : o));
      newOrigins = freezeFresh(shifted);
    }
  }
  return {
    collection: block.collection,
    name: block.name,
    value: checked.value,
    fingerprint: snippet.slice(span[0], span[1]),
    origins: newOrigins,
    state: { source: text, blocks, ...(others.length > 0 ? { others } : {}) },
  };
}

/** `http.<collection>.<name>` split (collections have no dot; names may). */
function splitKey(key: string): { collection: HttpCollection; name: string } {
  const dot = key.indexOf('.', 5);
  return { collection: key.slice(5, dot) as HttpCollection, name: key.slice(dot + 1) };
}

/** The blocks of a cleanly validated file, from the fast parser's key line offsets. */
export function blocksOf(objects: Iterable<readonly [string, unknown]>, origins: ReadonlyMap<string, ObjectOrigin>, keyLineStartOf: (node: object) => number | undefined): ObjectBlocks | undefined {
  const found: { key: string; start: number; line: number }[] = [];
  for (const [key, raw] of objects) {
    const start = typeof raw === 'object' && raw !== null ? keyLineStartOf(raw) : undefined;
    const line = origins.get(key)?.line;
    if (start === undefined || line === undefined) return undefined;
    found.push({ key, start, line });
  }
  found.sort((a, b) => a.start - b.start);
  const keys = new Array<string>(found.length);
  const keyLineStarts = new Int32Array(found.length);
  const lines = new Int32Array(found.length);
  for (let j = 0; j < found.length; j++) {
    const b = found[j] as { key: string; start: number; line: number };
    // Two objects on one line (flow style) cannot be told apart by lines.
    if (j > 0 && b.start === keyLineStarts[j - 1]) return undefined;
    keys[j] = b.key;
    keyLineStarts[j] = b.start;
    lines[j] = b.line;
  }
  return { keys, keyLineStarts, lines };
}

/**
 * A file's objects with one replaced (records copied only for that collection; the copy says
 * which name changed, so the aggregator does not compare 10,000 names to find it).
 */
export function replaceObject<T extends { readonly [K in HttpCollection]: Readonly<Record<string, unknown>> }>(objects: T, collection: HttpCollection, name: string, value: unknown): T {
  const steps = replaceObjectSteps(objects, collection, name, value);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** Names copied between two checkpoints of replaceObjectSteps (about 0.25 ms). */
const COPY_STEP = 1024;

/** replaceObject as a generator that yields every COPY_STEP names (the copy of 100,000 takes ~30 ms). */
export function* replaceObjectSteps<T extends { readonly [K in HttpCollection]: Readonly<Record<string, unknown>> }>(
  objects: T,
  collection: HttpCollection,
  name: string,
  value: unknown,
): Generator<void, T, void> {
  const base = objects[collection];
  // A loop, not a spread: V8 copies a dictionary-mode object (over ~1,000 names) about twice as
  // fast this way. The values are frozen already: only the new record and value are frozen here.
  // `base` is frozen, so pausing the for-in between checkpoints is safe.
  const record: Record<string, unknown> = {};
  let copied = 0;
  for (const k in base) {
    setOwn(record, k, base[k]);
    if (++copied % COPY_STEP === 0) yield;
  }
  setOwn(record, name, freezeFresh(value));
  Object.freeze(record);
  noteChanges(record, base, [name]);
  return Object.freeze({ ...objects, [collection]: record });
}

export type { Diagnostic };

/** Replacements an OverlayMap holds before it is flattened into a new Map. */
const OVERLAY_MAX = 64;

/**
 * A read-only map made of a base map and a few replaced entries, so that a one-object edit does
 * not copy a map of 20,000 entries (the file cache's `clean`): flattened every OVERLAY_MAX
 * replacements, which makes the copy's cost per edit 1/64th of it.
 */
class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly #base: ReadonlyMap<K, V>;
  readonly #over: ReadonlyMap<K, V>;
  readonly size: number;

  constructor(base: ReadonlyMap<K, V>, over: ReadonlyMap<K, V>) {
    this.#base = base;
    this.#over = over;
    let added = 0;
    for (const k of over.keys()) if (!base.has(k)) added++;
    this.size = base.size + added;
  }

  static with<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
    const base = map instanceof OverlayMap ? (map as OverlayMap<K, V>).#base : map;
    const over = new Map(map instanceof OverlayMap ? (map as OverlayMap<K, V>).#over : undefined);
    over.set(key, value);
    if (over.size <= OVERLAY_MAX) return new OverlayMap(base, over);
    const flat = new Map(base);
    for (const [k, v] of over) flat.set(k, v);
    return flat;
  }

  get(key: K): V | undefined {
    return this.#over.has(key) ? this.#over.get(key) : this.#base.get(key);
  }

  has(key: K): boolean {
    return this.#over.has(key) || this.#base.has(key);
  }

  /** Iteration is rare (look-ups are what a reload needs): it goes through a flat copy, made once. */
  #flat: Map<K, V> | undefined;

  #flatten(): Map<K, V> {
    if (this.#flat === undefined) {
      this.#flat = new Map(this.#base);
      for (const [k, v] of this.#over) this.#flat.set(k, v);
    }
    return this.#flat;
  }

  entries(): MapIterator<[K, V]> {
    return this.#flatten().entries();
  }

  keys(): MapIterator<K> {
    return this.#flatten().keys();
  }

  values(): MapIterator<V> {
    return this.#flatten().values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#flatten().entries();
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#flatten()) fn.call(thisArg, v, k, this);
  }
}

/** `map` with `key` set to `value`, sharing `map` (see OverlayMap). */
export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  return OverlayMap.with(map, key, value);
}
