/**
 * The indexed route table. Each rule's index keys (see IndexKey) say which requests it can match:
 * a request only evaluates the rules filed under its exact host, the dot-suffixes of its host
 * (`*.example.com`, HostRegexp with a literal suffix), its header values, its path and the path
 * prefixes it starts with, plus the rules without keys ("rest", scanned).
 *
 * Every candidate list is sorted by global match order, and the lists are searched with a shrinking
 * bound: a list stops as soon as its next entry comes after the best match found so far. So the
 * result is exactly the scan's (first match in global order), and a lookup costs a few map
 * look-ups plus the rules that share the request's keys, whatever the table size.
 *
 * A reload derives the next table from the one serving (updatedTableSteps): what it costs is what
 * the change touches, not the size of the table, and the table serving is left as it was.
 */
import { isKeyList, type IndexKey, type Predicate } from './http-matchers.js';
import { MatchContext, type MatchInput } from './match-context.js';
import { LayeredMap } from '../collections/layered-map.js';
import { PrefixNode, insertPrefix, withPrefixList } from './prefix-tree.js';
import { compareEntries, sortEntries, type RouteEntry, type RouteTable } from './route-table.js';

/**
 * One entry as a table files it: its place in match order as a number, and its rule's predicate. The
 * numbers ascend with match order but need not be consecutive, so a reload files a new entry
 * between two others (the middle of their numbers) without renumbering the rest: the tables a
 * reload derives from one another share their slots and every list no change touched. A slot is
 * never changed once made.
 */
class Slot<T> {
  constructor(
    readonly order: number,
    readonly predicate: Predicate,
    readonly entry: RouteEntry<T>,
  ) {}
}

/** Distance between the numbers of consecutive entries in a table filed from scratch. */
const GAP = 1024;

/**
 * The slots filed under one key, in match order: a lone slot, or a list of two or more. Most keys
 * have one rule (every host of a table of unique hosts), and a one-element array would cost 56
 * bytes per key on top of the slot. Never changed once published; reading one is a type check.
 */
type Candidates<T> = Slot<T> | readonly Slot<T>[];

/** Candidates as a table filed from scratch fills them in place, before it is published. */
type Filling<T> = Slot<T> | Slot<T>[];

type Lists<T> = Map<string, Filling<T>>;

/** Lists by key, as a table reads them: a reload derives the next version without copying it. */
type ListMap<T> = LayeredMap<string, Candidates<T>>;

const wrap = <T>(map: Lists<T>): ListMap<T> => LayeredMap.of(map);

/** The changes one update makes to a ListMap (a list, or null for a key emptied), then the ListMap they give. */
class ListMapEdit<T> {
  readonly #from: ListMap<T>;
  readonly #changes = new Map<string, Candidates<T> | null>();

  constructor(from: ListMap<T>) {
    this.#from = from;
  }

  get(key: string): Candidates<T> | undefined {
    const list = this.#changes.get(key);
    if (list !== undefined) return list ?? undefined;
    return this.#from.get(key);
  }

  set(key: string, list: Candidates<T> | null): void {
    this.#changes.set(key, list);
  }

  done(): Generator<void, ListMap<T>, void> {
    const set = new Map<string, Candidates<T>>();
    const removed: string[] = [];
    for (const [key, list] of this.#changes) {
      if (list === null) removed.push(key);
      else set.set(key, list);
    }
    return LayeredMap.derive(this.#from, set, removed);
  }
}

/** The look-up structures of one table. Lists are in match order and never changed once published. */
interface TableIndex<T> {
  readonly hostExact: ListMap<T>;
  readonly hostSuffix: ListMap<T>;
  /** Header lists by header name (lower case), then by value. */
  readonly headers: ReadonlyMap<string, ListMap<T>>;
  readonly pathExact: ListMap<T>;
  readonly prefixRoot: PrefixNode<Candidates<T>>;
  readonly rest: readonly Slot<T>[];
}

/** The structures a table filed from scratch fills in place, in match order. */
interface Filing<T> {
  readonly hostExact: Lists<T>;
  readonly hostSuffix: Lists<T>;
  readonly headers: Map<string, Lists<T>>;
  readonly pathExact: Lists<T>;
  readonly prefixRoot: PrefixNode<Filling<T>>;
  readonly rest: Slot<T>[];
}

function emptyFiling<T>(): Filing<T> {
  return { hostExact: new Map(), hostSuffix: new Map(), headers: new Map(), pathExact: new Map(), prefixRoot: new PrefixNode(''), rest: [] };
}

function filed<T>(f: Filing<T>): TableIndex<T> {
  const headers = new Map<string, ListMap<T>>();
  for (const [name, values] of f.headers) headers.set(name, wrap(values));
  return { hostExact: wrap(f.hostExact), hostSuffix: wrap(f.hostSuffix), headers, pathExact: wrap(f.pathExact), prefixRoot: f.prefixRoot, rest: f.rest };
}

/**
 * `list` with `slot` after its slots (slots come in match order; a slot filed twice under one key,
 * as `Host(a) || Host(a)` does, is kept once). A list of two or more is grown in place: it is not
 * published until the table is filed.
 */
function filedWith<T>(list: Filling<T> | null | undefined, slot: Slot<T>): Filling<T> {
  if (list === null || list === undefined) return slot;
  if (list instanceof Slot) return list === slot ? list : [list, slot];
  if (list[list.length - 1] !== slot) list.push(slot);
  return list;
}

function append<T>(map: Lists<T>, key: string, slot: Slot<T>): void {
  const list = map.get(key);
  const next = filedWith(list, slot);
  if (next !== list) map.set(key, next);
}

/** Files `slot` (slots must come in match order) under each of its rule's keys; in place. */
function fileSlot<T>(index: Filing<T>, slot: Slot<T>): void {
  const keys = slot.entry.rule.keys;
  if (keys === null) index.rest.push(slot);
  else if (!isKeyList(keys)) fileUnder(index, keys, slot);
  else for (const key of keys) fileUnder(index, key, slot);
}

/** Files `slot` under one key (a string is a host key). */
function fileUnder<T>(index: Filing<T>, key: IndexKey, slot: Slot<T>): void {
  if (typeof key === 'string') {
    append(index.hostExact, key, slot);
    return;
  }
  switch (key.kind) {
    case 'hostSuffix':
      append(index.hostSuffix, key.value, slot);
      break;
    case 'path':
      append(index.pathExact, key.value, slot);
      break;
    case 'pathPrefix':
      insertPrefix(index.prefixRoot, key.value, slot, filedWith);
      break;
    case 'header': {
      let values = index.headers.get(key.name);
      if (values === undefined) {
        values = new Map();
        index.headers.set(key.name, values);
      }
      append(values, key.value, slot);
      break;
    }
  }
}

/** `list` with `slot` in its place by order (once), as new candidates (`list` is left as it was). */
function withSlot<T>(list: Candidates<T> | null | undefined, slot: Slot<T>): Candidates<T> {
  if (list === null || list === undefined) return slot;
  if (list instanceof Slot) return list === slot ? list : list.order < slot.order ? [list, slot] : [slot, list];
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Slot<T>).order < slot.order) lo = mid + 1;
    else hi = mid;
  }
  const out = list.slice();
  if (out[lo] !== slot) out.splice(lo, 0, slot);
  return out;
}

/** `list` without `slot`, as new candidates (a lone slot when one is left); null when nothing is left. */
function withoutSlot<T>(list: Candidates<T> | null | undefined, slot: Slot<T>): Candidates<T> | null {
  if (list === null || list === undefined) return null;
  if (list instanceof Slot) return list === slot ? null : list;
  const out = list.filter((s) => s !== slot);
  return out.length === 0 ? null : out.length === 1 ? (out[0] as Slot<T>) : out;
}

/**
 * The index of a table derived from `base` by a reload: each list a change touches is replaced by
 * a new one (in the maps' overlays), and the prefix tree is path-copied; `base` stays as it was
 * for the table still serving.
 */
class IndexEdit<T> {
  readonly #base: TableIndex<T>;
  readonly #hostExact: ListMapEdit<T>;
  readonly #hostSuffix: ListMapEdit<T>;
  readonly #pathExact: ListMapEdit<T>;
  readonly #headers = new Map<string, ListMapEdit<T>>();
  #prefixRoot: PrefixNode<Candidates<T>>;
  #rest: readonly Slot<T>[];

  constructor(base: TableIndex<T>) {
    this.#base = base;
    this.#hostExact = new ListMapEdit(base.hostExact);
    this.#hostSuffix = new ListMapEdit(base.hostSuffix);
    this.#pathExact = new ListMapEdit(base.pathExact);
    this.#prefixRoot = base.prefixRoot;
    this.#rest = base.rest;
  }

  /** Adds (`add`) or removes `slot` under each of its rule's keys. */
  apply(slot: Slot<T>, add: boolean): void {
    const change = (list: Candidates<T> | null | undefined): Candidates<T> | null => (add ? withSlot(list, slot) : withoutSlot(list, slot));
    const keys = slot.entry.rule.keys;
    if (keys === null) {
      // The rest is one list per table, kept as an array whatever its length.
      const rest = change(this.#rest);
      this.#rest = rest === null ? [] : rest instanceof Slot ? [rest] : rest;
    } else if (!isKeyList(keys)) {
      this.#change(keys, change);
    } else {
      for (const key of keys) this.#change(key, change);
    }
  }

  /** Replaces the candidates under `key` by `change(candidates)`. */
  #change(key: IndexKey, change: (list: Candidates<T> | null | undefined) => Candidates<T> | null): void {
    if (typeof key === 'string') {
      this.#hostExact.set(key, change(this.#hostExact.get(key)));
      return;
    }
    let lists: ListMapEdit<T> | undefined;
    switch (key.kind) {
      case 'hostSuffix':
        lists = this.#hostSuffix;
        break;
      case 'path':
        lists = this.#pathExact;
        break;
      case 'pathPrefix':
        this.#prefixRoot = withPrefixList(this.#prefixRoot, key.value, change);
        return;
      case 'header':
        lists = this.#headers.get(key.name);
        if (lists === undefined) {
          lists = new ListMapEdit(this.#base.headers.get(key.name) ?? wrap(new Map()));
          this.#headers.set(key.name, lists);
        }
        break;
    }
    lists.set(key.value, change(lists.get(key.value)));
  }

  *done(): Generator<void, TableIndex<T>, void> {
    const b = this.#base;
    let headers = b.headers;
    if (this.#headers.size > 0) {
      const next = new Map(b.headers);
      for (const [name, edit] of this.#headers) {
        const values = yield* edit.done();
        if (values.size === 0) next.delete(name);
        else next.set(name, values);
      }
      headers = next;
    }
    return {
      hostExact: yield* this.#hostExact.done(),
      hostSuffix: yield* this.#hostSuffix.done(),
      headers,
      pathExact: yield* this.#pathExact.done(),
      prefixRoot: this.#prefixRoot,
      rest: this.#rest,
    };
  }
}

class IndexedTable<T> implements RouteTable<T> {
  readonly entries: readonly RouteEntry<T>[];
  readonly size: number;
  /** The entries' slots, in match order. */
  readonly slots: readonly Slot<T>[];
  readonly index: TableIndex<T>;
  private readonly hostExact: ListMap<T>;
  private readonly hostSuffix: ListMap<T>;
  private readonly headerNames: string[] = [];
  private readonly headerValues: ListMap<T>[] = [];
  private readonly pathExact: ListMap<T>;
  private readonly prefixRoot: PrefixNode<Candidates<T>>;
  private readonly hasPrefixes: boolean;
  private readonly rest: readonly Slot<T>[];
  /** The first slot in match order (null when empty): once it matches, nothing can come before it. */
  private readonly first: Slot<T> | null;
  private readonly ctx = new MatchContext();

  /** `slots` and `entries` (theirs, in the same order) in match order; `index` filed from them. */
  constructor(slots: readonly Slot<T>[], entries: readonly RouteEntry<T>[], index: TableIndex<T>) {
    this.slots = slots;
    this.index = index;
    this.entries = Object.freeze(entries);
    this.size = slots.length;
    this.hostExact = index.hostExact;
    this.hostSuffix = index.hostSuffix;
    this.pathExact = index.pathExact;
    this.prefixRoot = index.prefixRoot;
    this.hasPrefixes = index.prefixRoot.children !== null;
    this.rest = index.rest;
    this.first = slots[0] ?? null;
    for (const [name, values] of index.headers) {
      this.headerNames.push(name);
      this.headerValues.push(values);
    }
    Object.freeze(this);
  }

  /** The first slot of `list` before `best` whose rule matches, else `best`. */
  private scan(list: Candidates<T>, best: Slot<T> | undefined, ctx: MatchContext): Slot<T> | undefined {
    const bound = best === undefined ? Infinity : best.order;
    if (list instanceof Slot) return list.order < bound && list.predicate.test(ctx) ? list : best;
    for (let j = 0; j < list.length; j++) {
      const slot = list[j] as Slot<T>;
      if (slot.order >= bound) break;
      if (slot.predicate.test(ctx)) return slot;
    }
    return best;
  }

  match(input: MatchInput): RouteEntry<T> | undefined {
    const ctx = this.ctx;
    ctx.reset(input);
    let best: Slot<T> | undefined;
    let list: Candidates<T> | undefined;

    const hostKey = ctx.hostKey;
    list = this.hostExact.get(hostKey);
    if (list !== undefined) best = this.scan(list, best, ctx);

    if (this.hostSuffix.size > 0) {
      for (let dot = hostKey.indexOf('.'); dot >= 0 && best !== this.first; dot = hostKey.indexOf('.', dot + 1)) {
        list = this.hostSuffix.get(hostKey.slice(dot + 1));
        if (list !== undefined) best = this.scan(list, best, ctx);
      }
    }

    const names = this.headerNames;
    for (let h = 0; h < names.length && best !== this.first; h++) {
      const name = names[h] as string;
      if (input.headers.get(name) === undefined) continue;
      const byValue = this.headerValues[h] as ListMap<T>;
      const values = input.headers.getAll(name);
      for (let v = 0; v < values.length; v++) {
        list = byValue.get(values[v] as string);
        if (list !== undefined) best = this.scan(list, best, ctx);
      }
    }

    const path = input.routingPath;
    if (this.pathExact.size > 0) {
      list = this.pathExact.get(path);
      if (list !== undefined) best = this.scan(list, best, ctx);
    }

    if (this.hasPrefixes) {
      let node = this.prefixRoot;
      let pos = 0;
      for (;;) {
        if (node.entries !== null) best = this.scan(node.entries, best, ctx);
        if (pos >= path.length || node.children === null || best === this.first) break;
        const child = node.children.get(path.charCodeAt(pos));
        if (child === undefined || !path.startsWith(child.label, pos)) break;
        pos += child.label.length;
        node = child;
      }
    }

    if (this.rest.length > 0) best = this.scan(this.rest, best, ctx);

    ctx.release();
    return best?.entry;
  }
}

/** A table that looks candidates up by host, header, path and path prefix; same result as the scan. */
export function createIndexedTable<T>(entries: readonly RouteEntry<T>[]): RouteTable<T> {
  const steps = indexedTableSteps(entries);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** Entries filed between two checkpoints of indexedTableSteps (about a millisecond of work). */
const STEP_ENTRIES = 1024;

/**
 * createIndexedTable as a generator that yields every STEP_ENTRIES entries, so that a caller on a
 * data path's event loop can build a large table in slices (the compiler does). With `previous`
 * (the table this one replaces), it is updatedTableSteps from `previous` with the entries it does
 * not have and without those it has that `entries` does not (entries are told apart by identity).
 * The table is the same as createIndexedTable(entries) gives.
 */
export function* indexedTableSteps<T>(entries: readonly RouteEntry<T>[], previous?: RouteTable<T>): Generator<void, RouteTable<T>, void> {
  if (!(previous instanceof IndexedTable) || previous.size === 0) {
    const sorted = sortEntries(entries);
    yield;
    return yield* fileSteps(sorted);
  }
  const current = new Set<RouteEntry<T>>();
  for (let i = 0; i < entries.length; i++) {
    current.add(entries[i] as RouteEntry<T>);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  const removed: RouteEntry<T>[] = [];
  const before = previous.entries;
  for (let i = 0; i < before.length; i++) {
    const e = before[i] as RouteEntry<T>;
    // Each kept entry leaves the set: what remains in it afterwards is new.
    if (!current.delete(e)) removed.push(e);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  return yield* updatedTableSteps(previous, removed, [...current]);
}

/** The table over `sorted` (entries in match order), numbered and filed from scratch in slices. */
function* fileSteps<T>(sorted: readonly RouteEntry<T>[]): Generator<void, RouteTable<T>, void> {
  const filing = emptyFiling<T>();
  const slots = new Array<Slot<T>>(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i] as RouteEntry<T>;
    const slot = new Slot((i + 1) * GAP, entry.rule.predicate, entry);
    slots[i] = slot;
    fileSlot(filing, slot);
    if ((i + 1) % STEP_ENTRIES === 0) yield;
  }
  return new IndexedTable(slots, sorted, filed(filing));
}

/**
 * An update numbers and files each changed entry on its own (a binary search, a splice of the slot
 * list and new copies of the lists it touches): cheap for the few entries a reload changes. Beyond
 * this many changed entries, or this share of the table, the table is filed from scratch instead,
 * in slices.
 */
const SMALL_UPDATE = 64;
const REFILE_SHARE = 0.25;

/** Changed entries placed or filed between two yields of an update. */
const UPDATE_STEP = 8;

/**
 * `previous` without the entries of `removed` and with those of `added` (entries are told apart by
 * identity): `previous` itself when both are empty. A change of a few entries costs about what
 * they touch: the kept entries keep their slots and their lists, each added entry is numbered
 * between its neighbours in match order and filed in new copies of the lists it goes in, each
 * removed one leaves new copies of its lists. The one walk over every entry is a copy of the slot
 * list without the removed ones. When the numbers between two neighbours run out (after some
 * thirty additions at one place) or the change is large (SMALL_UPDATE, REFILE_SHARE), the table is
 * filed from scratch. Either way it is the table createIndexedTable gives for the same entries
 * (when no two entries share a priority and a name, as in a compiler's table).
 *
 * Removed slots stay reachable from the maps' bases until a new base is made (see LayeredMap), and a
 * prefix-tree node whose list emptied stays until the table is filed from scratch.
 */
export function* updatedTableSteps<T>(previous: RouteTable<T>, removed: readonly RouteEntry<T>[], added: readonly RouteEntry<T>[]): Generator<void, RouteTable<T>, void> {
  if (removed.length === 0 && added.length === 0) return previous;
  const gone = new Set(removed);
  const fresh = sortEntries(added);
  const before = previous.entries;
  const slotsBefore: readonly Slot<T>[] | undefined = previous instanceof IndexedTable ? (previous as IndexedTable<T>).slots : undefined;
  const refile = function* (): Generator<void, RouteTable<T>, void> {
    return yield* fileSteps(yield* merge(yield* keptSteps(before, gone), fresh));
  };
  if (slotsBefore === undefined) return yield* refile();
  const goneSlots: Slot<T>[] = [];
  for (let i = 0; i < slotsBefore.length; i++) {
    const slot = slotsBefore[i] as Slot<T>;
    if (gone.has(slot.entry)) goneSlots.push(slot);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  const keptCount = slotsBefore.length - goneSlots.length;
  const changes = fresh.length + goneSlots.length;
  if (changes > SMALL_UPDATE || changes > REFILE_SHARE * Math.max(keptCount, 1)) return yield* refile();
  // Where each new entry goes among the previous slots (after every one it does not precede; the
  // removed ones order as well as any), and its number: new entries that go between the same two
  // kept neighbours share the room between their numbers evenly. Out of numbers: file from scratch.
  // No copy of the slot list is made until the one pass that builds the new one (a 10,000-router
  // table used to be copied three times per one-router reload).
  const first = slotsBefore.length > 0 ? (slotsBefore[0] as Slot<T>).order : GAP;
  const last = slotsBefore.length > 0 ? (slotsBefore[slotsBefore.length - 1] as Slot<T>).order : 0;
  const at = new Int32Array(fresh.length);
  const orders = new Float64Array(fresh.length);
  for (let i = 0; i < fresh.length; i++) {
    const entry = fresh[i] as RouteEntry<T>;
    let lo = 0;
    let hi = slotsBefore.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries((slotsBefore[mid] as Slot<T>).entry, entry) <= 0) lo = mid + 1;
      else hi = mid;
    }
    at[i] = lo;
    if ((i + 1) % UPDATE_STEP === 0) yield;
  }
  for (let i = 0; i < fresh.length; ) {
    const p = at[i] as number;
    let below = p - 1;
    while (below >= 0 && gone.has((slotsBefore[below] as Slot<T>).entry)) below--;
    let above = p;
    while (above < slotsBefore.length && gone.has((slotsBefore[above] as Slot<T>).entry)) above++;
    // Every new entry that goes before `above` goes between the same two kept neighbours (only
    // removed slots lie between their positions): they share the room between the two numbers.
    let j = i + 1;
    while (j < fresh.length && (at[j] as number) <= above) j++;
    const low = below >= 0 ? (slotsBefore[below] as Slot<T>).order : Math.min(first, last) - GAP;
    const high = above < slotsBefore.length ? (slotsBefore[above] as Slot<T>).order : Math.max(first, last) + GAP;
    const k = j - i;
    let previousOrder = low;
    for (let q = 0; q < k; q++) {
      const order = low + ((high - low) * (q + 1)) / (k + 1);
      if (!(order > previousOrder && order < high)) return yield* refile();
      orders[i + q] = order;
      previousOrder = order;
    }
    i = j;
  }
  yield;
  const size = keptCount + fresh.length;
  const slots = new Array<Slot<T>>(size);
  const entries = new Array<RouteEntry<T>>(size);
  const placed = new Array<Slot<T>>(fresh.length);
  let o = 0;
  let f = 0;
  for (let s = 0; s <= slotsBefore.length; s++) {
    while (f < fresh.length && at[f] === s) {
      const entry = fresh[f] as RouteEntry<T>;
      const slot = new Slot(orders[f] as number, entry.rule.predicate, entry);
      placed[f++] = slot;
      slots[o] = slot;
      entries[o++] = entry;
    }
    if (s === slotsBefore.length) break;
    const slot = slotsBefore[s] as Slot<T>;
    if (!gone.has(slot.entry)) {
      slots[o] = slot;
      entries[o++] = slot.entry;
    }
    if ((s + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  const edit = new IndexEdit((previous as IndexedTable<T>).index);
  let filed = 0;
  for (const slot of goneSlots) {
    edit.apply(slot, false);
    if (++filed % UPDATE_STEP === 0) yield;
  }
  for (const slot of placed) {
    edit.apply(slot, true);
    if (++filed % UPDATE_STEP === 0) yield;
  }
  const index = yield* edit.done();
  return new IndexedTable(slots, entries, index);
}

/** The entries not in `gone`, in their order. */
function* keptSteps<T>(before: readonly RouteEntry<T>[], gone: ReadonlySet<RouteEntry<T>>): Generator<void, RouteEntry<T>[], void> {
  const kept: RouteEntry<T>[] = [];
  for (let i = 0; i < before.length; i++) {
    const e = before[i] as RouteEntry<T>;
    if (!gone.has(e)) kept.push(e);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  return kept;
}

/** `kept` and `fresh` (each in match order) merged in match order; on a tie `kept` first. */
function* merge<T>(kept: readonly RouteEntry<T>[], fresh: readonly RouteEntry<T>[]): Generator<void, readonly RouteEntry<T>[], void> {
  if (fresh.length === 0) return kept;
  const out: RouteEntry<T>[] = new Array<RouteEntry<T>>(kept.length + fresh.length);
  let a = 0;
  let b = 0;
  for (let o = 0; o < out.length; o++) {
    const x = kept[a];
    const y = fresh[b];
    if (y === undefined || (x !== undefined && compareEntries(x, y) <= 0)) {
      out[o] = x as RouteEntry<T>;
      a++;
    } else {
      out[o] = y;
      b++;
    }
    if ((o + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  return out;
}
