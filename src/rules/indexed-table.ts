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
 */
import type { IndexKey, Predicate } from './http-matchers.js';
import { MatchContext, type MatchInput } from './match-context.js';
import { PrefixNode, insertPrefix } from './prefix-tree.js';
import { compareEntries, sortEntries, type RouteEntry, type RouteTable } from './route-table.js';

function addTo<K>(map: Map<K, number[]>, key: K, index: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [index]);
  else if (list[list.length - 1] !== index) list.push(index);
}

/** The look-up structures of one table, filed entry by entry in match order (see IndexedTable). */
class TableIndex {
  readonly hostExact = new Map<string, number[]>();
  readonly hostSuffix = new Map<string, number[]>();
  readonly headerIndex = new Map<string, Map<string, number[]>>();
  readonly pathExact = new Map<string, number[]>();
  readonly prefixRoot = new PrefixNode('');
  hasPrefixes = false;
  readonly rest: number[] = [];

  /** Files entry `i` (entries must come in ascending order) under each of its rule's keys. */
  add(keys: readonly IndexKey[] | null, i: number): void {
    if (keys === null) {
      this.rest.push(i);
      return;
    }
    for (const key of keys) {
      switch (key.kind) {
        case 'host':
          addTo(this.hostExact, key.value, i);
          break;
        case 'hostSuffix':
          addTo(this.hostSuffix, key.value, i);
          break;
        case 'path':
          addTo(this.pathExact, key.value, i);
          break;
        case 'pathPrefix':
          insertPrefix(this.prefixRoot, key.value, i);
          this.hasPrefixes = true;
          break;
        case 'header': {
          let values = this.headerIndex.get(key.name);
          if (values === undefined) {
            values = new Map();
            this.headerIndex.set(key.name, values);
          }
          addTo(values, key.value, i);
          break;
        }
      }
    }
  }
}

class IndexedTable<T> implements RouteTable<T> {
  readonly entries: readonly RouteEntry<T>[];
  readonly size: number;
  private readonly tests: readonly Predicate[];
  private readonly hostExact: Map<string, number[]>;
  private readonly hostSuffix: Map<string, number[]>;
  private readonly headerNames: string[] = [];
  private readonly headerValues: Map<string, number[]>[] = [];
  private readonly pathExact: Map<string, number[]>;
  private readonly prefixRoot: PrefixNode;
  private readonly hasPrefixes: boolean;
  private readonly rest: number[];
  private readonly ctx = new MatchContext();

  /** `entries` in match order, `tests` their predicates, `index` filed from them. */
  constructor(entries: readonly RouteEntry<T>[], tests: readonly Predicate[], index: TableIndex) {
    this.entries = entries;
    this.size = entries.length;
    this.tests = tests;
    this.hostExact = index.hostExact;
    this.hostSuffix = index.hostSuffix;
    this.pathExact = index.pathExact;
    this.prefixRoot = index.prefixRoot;
    this.hasPrefixes = index.hasPrefixes;
    this.rest = index.rest;
    for (const [name, values] of index.headerIndex) {
      this.headerNames.push(name);
      this.headerValues.push(values);
    }
    Object.freeze(this);
  }

  /** First entry of `list` before `best` whose rule matches, else `best`. */
  private scan(list: readonly number[], best: number, ctx: MatchContext): number {
    const tests = this.tests;
    for (let j = 0; j < list.length; j++) {
      const idx = list[j] as number;
      if (idx >= best) break;
      if ((tests[idx] as Predicate)(ctx)) return idx;
    }
    return best;
  }

  match(input: MatchInput): RouteEntry<T> | undefined {
    const ctx = this.ctx;
    ctx.reset(input);
    let best = this.size;
    let list: number[] | undefined;

    const hostKey = ctx.hostKey;
    list = this.hostExact.get(hostKey);
    if (list !== undefined) best = this.scan(list, best, ctx);

    if (this.hostSuffix.size > 0) {
      for (let dot = hostKey.indexOf('.'); dot >= 0 && best > 0; dot = hostKey.indexOf('.', dot + 1)) {
        list = this.hostSuffix.get(hostKey.slice(dot + 1));
        if (list !== undefined) best = this.scan(list, best, ctx);
      }
    }

    const names = this.headerNames;
    for (let h = 0; h < names.length && best > 0; h++) {
      const name = names[h] as string;
      if (input.headers.get(name) === undefined) continue;
      const byValue = this.headerValues[h] as Map<string, number[]>;
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
        if (pos >= path.length || node.children === null || best === 0) break;
        const child = node.children.get(path.charCodeAt(pos));
        if (child === undefined || !path.startsWith(child.label, pos)) break;
        pos += child.label.length;
        node = child;
      }
    }

    if (this.rest.length > 0) best = this.scan(this.rest, best, ctx);

    ctx.release();
    return best < this.size ? this.entries[best] : undefined;
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
 * (the table this one replaces), the entries it shares with `previous` keep their order from it
 * and only the others are sorted and merged in: a reload that changed a few routers sorts only
 * those instead of the whole table. The table is the same as createIndexedTable(entries) gives.
 */
export function* indexedTableSteps<T>(entries: readonly RouteEntry<T>[], previous?: RouteTable<T>): Generator<void, RouteTable<T>, void> {
  const sorted = previous === undefined || previous.size === 0 ? sortEntries(entries) : yield* mergeOrder(entries, previous.entries);
  yield;
  return yield* indexSteps(sorted);
}

/**
 * `previous` without the entries of `removed` and with those of `added` (entries are told apart by
 * identity): `previous` itself when both are empty; otherwise a new table built in slices, where
 * the entries kept from `previous` keep their order and only `added` is sorted and merged in.
 */
export function* updatedTableSteps<T>(previous: RouteTable<T>, removed: readonly RouteEntry<T>[], added: readonly RouteEntry<T>[]): Generator<void, RouteTable<T>, void> {
  if (removed.length === 0 && added.length === 0) return previous;
  const gone = new Set(removed);
  const kept: RouteEntry<T>[] = [];
  const before = previous.entries;
  for (let i = 0; i < before.length; i++) {
    const e = before[i] as RouteEntry<T>;
    if (!gone.has(e)) kept.push(e);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  const sorted = yield* merge(kept, sortEntries(added));
  return yield* indexSteps(sorted);
}

/** The table over `sorted` (entries in match order), its index filed in slices. */
function* indexSteps<T>(sorted: readonly RouteEntry<T>[]): Generator<void, RouteTable<T>, void> {
  const index = new TableIndex();
  const tests: Predicate[] = new Array<Predicate>(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const rule = (sorted[i] as RouteEntry<T>).rule;
    tests[i] = rule.test;
    index.add(rule.keys, i);
    if ((i + 1) % STEP_ENTRIES === 0) yield;
  }
  return new IndexedTable(sorted, Object.freeze(tests), index);
}

/**
 * `entries` in match order, given `before` (the previous table's entries, in match order): those
 * of `before` still in `entries` keep their relative order, the new ones are sorted and merged in.
 * Equal to sortEntries(entries) when no two entries share a priority and a name (a compiler's
 * table never has two entries of one router).
 */
function* mergeOrder<T>(entries: readonly RouteEntry<T>[], before: readonly RouteEntry<T>[]): Generator<void, readonly RouteEntry<T>[], void> {
  const current = new Set<RouteEntry<T>>();
  for (let i = 0; i < entries.length; i++) {
    current.add(entries[i] as RouteEntry<T>);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  const kept: RouteEntry<T>[] = [];
  for (let i = 0; i < before.length; i++) {
    const e = before[i] as RouteEntry<T>;
    // Each kept entry leaves the set: what remains in it afterwards is new.
    if (current.delete(e)) kept.push(e);
    if ((i + 1) % (4 * STEP_ENTRIES) === 0) yield;
  }
  return yield* merge(kept, sortEntries([...current]));
}

/** `kept` and `fresh` (each in match order) merged in match order; on a tie `kept` first. */
function* merge<T>(kept: RouteEntry<T>[], fresh: readonly RouteEntry<T>[]): Generator<void, readonly RouteEntry<T>[], void> {
  if (fresh.length === 0) return Object.freeze(kept);
  if (fresh.length <= 16) {
    // A few new entries (a reload): each goes in at its place found by binary search.
    for (const y of fresh) {
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareEntries(kept[mid] as RouteEntry<T>, y) <= 0) lo = mid + 1;
        else hi = mid;
      }
      kept.splice(lo, 0, y);
    }
    yield;
    return Object.freeze(kept);
  }
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
  return Object.freeze(out);
}
