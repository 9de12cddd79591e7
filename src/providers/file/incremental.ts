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
import { BLOCK_COLLECTIONS, BlockNames, BlockOrigins, type OtherOrigin, objectKey } from './block-index.js';
import { noteChanges } from '../record-changes.js';

/**
 * Where each object's block starts (its key line), in the order of the text, as typed columns
 * rather than an object per block (a shift after an edit copies typed arrays). The objects'
 * collections and names (block-index.ts) never change from one edit to the next and are shared.
 */
export interface ObjectBlocks {
  readonly names: BlockNames;
  /** Offset of each key line's start, ascending. */
  readonly keyLineStarts: Int32Array;
  /** 1-based line of each key. */
  readonly lines: Int32Array;
  /**
   * Where each object's value text starts and ends, from its key line's start: what it is compared
   * by at the next whole read, to take it as it was when its text is the same.
   */
  readonly valueStarts: Column;
  readonly valueEnds: Column;
}

/**
 * Offsets within one block: 16 bits while every block is under 64 KB (all of them, in practice),
 * 32 once one is not (see withValue). 4 bytes less per object and column.
 */
export type Column = Uint16Array | Int32Array;

/** A column of `n` offsets that holds `max`. */
function column(n: number, max: number): Column {
  return max <= 0xffff ? new Uint16Array(n) : new Int32Array(n);
}

/** A copy of `col` with offset `i` set to `value`, 32-bit when `value` does not fit 16. */
function withValue(col: Column, i: number, value: number): Column {
  const out = value > 0xffff && col instanceof Uint16Array ? Int32Array.from(col) : col.slice();
  out[i] = value;
  return out;
}

export interface IncrementalState {
  /** The text as last parsed (the same rope as the file cache's). */
  readonly source: TextRope;
  readonly blocks: ObjectBlocks;
  /** Origins (keys and lines) of the file's objects that are not blocks: `tls.options.<name>` etc. */
  readonly others?: readonly OtherOrigin[];
}

/** What the file cache needs to describe the file after the edit. */
export interface IncrementalEdit {
  readonly collection: HttpCollection;
  readonly name: string;
  readonly value: unknown;
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly state: IncrementalState;
}

/** The text an object's value had when `state` was made (see ObjectBlocks.valueStarts). */
export function valueText(state: IncrementalState, j: number): string {
  const { keyLineStarts, valueStarts, valueEnds } = state.blocks;
  const start = keyLineStarts[j] as number;
  return state.source.slice(start + (valueStarts[j] as number), start + (valueEnds[j] as number));
}

/**
 * Where an object's value text ends for comparing it: the parser's span ends where the next key
 * starts, after that line's indentation, which is not the object's (and a block parsed alone has
 * none). Spaces after the span's last newline are left out; anything else is kept.
 */
export function valueEnd(text: string, start: number, end: number): number {
  let k = end;
  while (k > start && (text.charCodeAt(k - 1) === 0x20 || text.charCodeAt(k - 1) === 0x09)) k--;
  return k > start && text.charCodeAt(k - 1) === 0x0a ? k : end;
}

/** The origins a file's columns describe (block-index.ts). */
export function originsOf(path: string, state: IncrementalState): BlockOrigins {
  return new BlockOrigins(path, state.blocks.names, state.blocks.lines, state.others ?? []);
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
export function tryIncremental(
  state: IncrementalState,
  diff: TextDiff,
  text: TextRope,
  source: string,
  origins: ReadonlyMap<string, ObjectOrigin>,
  locate: Locate,
  provider?: string,
): IncrementalEdit | undefined {
  const old = state.source;
  const { prefix, suffix } = diff;
  const { names, keyLineStarts: starts, lines } = state.blocks;
  const i = blockAt(starts, prefix);
  if (i < 0 || i + 1 >= names.length) return undefined;
  const collection = names.collections[i] as number;
  if (names.collections[i + 1] !== collection) return undefined;
  const block = { collection: BLOCK_COLLECTIONS[collection] as HttpCollection, name: names.nameAt(i), keyLineStart: starts[i] as number, line: lines[i] as number };
  const next = { keyLineStart: starts[i + 1] as number };
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
  // Validated as a whole read validates it (references qualified with the same provider).
  const checked = validateObject(block.collection, block.name, value, provider === undefined ? { source, locate } : { source, locate, provider });
  if (checked.value === undefined || checked.diagnostics.length > 0) return undefined;

  const lineDelta = countLines(snippet, 0, snippet.length) - countLines(oldBlock, 0, oldBlock.length);
  // The snippet starts at the key line: its positions are already relative to it.
  const valueStarts = withValue(state.blocks.valueStarts, i, span[0]);
  const valueEnds = withValue(state.blocks.valueEnds, i, valueEnd(snippet, span[0], span[1]));
  let movedStarts = starts;
  let movedLines = lines;
  let others = state.others ?? [];
  if (delta !== 0) {
    movedStarts = starts.slice();
    for (let j = i + 1; j < names.length; j++) movedStarts[j] = (starts[j] as number) + delta;
  }
  if (lineDelta !== 0) {
    movedLines = lines.slice();
    for (let j = i + 1; j < names.length; j++) movedLines[j] = (lines[j] as number) + lineDelta;
    others = others.map((o) => (o.line > block.line ? { key: o.key, line: o.line + lineDelta } : o));
  }
  const newState: IncrementalState = { source: text, blocks: { names, keyLineStarts: movedStarts, lines: movedLines, valueStarts, valueEnds }, ...(others.length > 0 ? { others } : {}) };
  return {
    collection: block.collection,
    name: block.name,
    value: checked.value,
    // Origins change only when lines moved: otherwise the same (frozen) view goes on, and the
    // stages after this one recognise it.
    origins: lineDelta !== 0 ? originsOf(source, newState) : origins,
    state: newState,
  };
}

/**
 * The blocks of a cleanly validated file, from the fast parser's positions, or undefined when
 * they cannot tell its objects apart. `records` are the validated collections (their names are
 * kept, not copied); `raw` gives each object's decoded node by its origin key.
 */
export function blocksOf(
  records: { readonly [K in HttpCollection]: Readonly<Record<string, unknown>> },
  raw: ReadonlyMap<string, unknown>,
  origins: ReadonlyMap<string, ObjectOrigin>,
  positions: { readonly text: string; readonly keyLineStartOf: (node: object) => number | undefined; readonly spanOf: (node: object) => readonly [number, number] | undefined },
  provider: string | undefined,
): ObjectBlocks | undefined {
  const found: { c: number; name: string; start: number; line: number; valueStart: number; valueEnd: number }[] = [];
  // Records keyed `name@provider` (TranslateOptions.provider): the columns keep the keys (the
  // records' own strings) and the suffix.
  const suffix = provider === undefined ? '' : `@${provider}`;
  for (let c = 0; c < BLOCK_COLLECTIONS.length; c++) {
    for (const recordKey of Object.keys(records[BLOCK_COLLECTIONS[c] as HttpCollection])) {
      const key = objectKey(c, suffix === '' ? recordKey : recordKey.slice(0, -suffix.length));
      const node = raw.get(key);
      if (typeof node !== 'object' || node === null) return undefined;
      const start = positions.keyLineStartOf(node);
      const value = positions.spanOf(node);
      const line = origins.get(key)?.line;
      if (start === undefined || value === undefined || line === undefined) return undefined;
      found.push({ c, name: recordKey, start, line, valueStart: value[0] - start, valueEnd: valueEnd(positions.text, value[0], value[1]) - start });
    }
  }
  found.sort((a, b) => a.start - b.start);
  const n = found.length;
  const collections = new Uint8Array(n);
  const names = new Array<string>(n);
  const keyLineStarts = new Int32Array(n);
  const lines = new Int32Array(n);
  let widest = 0;
  for (const b of found) widest = Math.max(widest, b.valueEnd);
  const valueStarts = column(n, widest);
  const valueEnds = column(n, widest);
  for (let j = 0; j < n; j++) {
    const b = found[j] as (typeof found)[number];
    // Two objects on one line (flow style) cannot be told apart by lines.
    if (j > 0 && b.start === keyLineStarts[j - 1]) return undefined;
    collections[j] = b.c;
    names[j] = b.name;
    keyLineStarts[j] = b.start;
    lines[j] = b.line;
    valueStarts[j] = b.valueStart;
    valueEnds[j] = b.valueEnd;
  }
  return { names: new BlockNames(collections, names, suffix), keyLineStarts, lines, valueStarts, valueEnds };
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
