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
import { sortEntries, type RouteEntry, type RouteTable } from './route-table.js';

function addTo<K>(map: Map<K, number[]>, key: K, index: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [index]);
  else if (list[list.length - 1] !== index) list.push(index);
}

class IndexedTable<T> implements RouteTable<T> {
  readonly entries: readonly RouteEntry<T>[];
  readonly size: number;
  private readonly tests: readonly Predicate[];
  private readonly hostExact = new Map<string, number[]>();
  private readonly hostSuffix = new Map<string, number[]>();
  private readonly headerNames: string[] = [];
  private readonly headerValues: Map<string, number[]>[] = [];
  private readonly pathExact = new Map<string, number[]>();
  private readonly prefixRoot = new PrefixNode('');
  private readonly hasPrefixes: boolean;
  private readonly rest: number[] = [];
  private readonly ctx = new MatchContext();

  constructor(entries: readonly RouteEntry<T>[]) {
    this.entries = sortEntries(entries);
    this.size = this.entries.length;
    this.tests = Object.freeze(this.entries.map((e) => e.rule.test));
    let hasPrefixes = false;
    const headerIndex = new Map<string, Map<string, number[]>>();
    this.entries.forEach((entry, i) => {
      const keys: readonly IndexKey[] | null = entry.rule.keys;
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
            hasPrefixes = true;
            break;
          case 'header': {
            let values = headerIndex.get(key.name);
            if (values === undefined) {
              values = new Map();
              headerIndex.set(key.name, values);
            }
            addTo(values, key.value, i);
            break;
          }
        }
      }
    });
    for (const [name, values] of headerIndex) {
      this.headerNames.push(name);
      this.headerValues.push(values);
    }
    this.hasPrefixes = hasPrefixes;
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
  return new IndexedTable(entries);
}
