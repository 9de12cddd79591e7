/**
 * Route tables: given a request, the first router in priority order whose rule matches. One
 * interface, two implementations (Hono's swappable routers): a plain scan, and an index
 * (indexed-table.ts) proven equal to the scan by a shared suite and a property test.
 *
 * Order: priority descending, then router name ascending (code-unit order), then input order.
 * Traefik leaves same-priority order unspecified (Go's sort.Sort); we pick the name so a
 * configuration always routes the same way.
 */
import type { CompiledRule } from './compile.js';
import type { Predicate } from './http-matchers.js';
import { MatchContext, type MatchInput } from './match-context.js';

export interface RouteEntry<T> {
  /** Router name (unique within a table; used to break priority ties). */
  readonly name: string;
  readonly rule: CompiledRule;
  /** Effective priority: the configured one, or defaultPriority(rule) when unset/0. */
  readonly priority: number;
  readonly value: T;
}

export interface RouteTable<T> {
  /** The highest-priority entry whose rule matches, or undefined (404). Synchronous, not re-entrant. */
  match(input: MatchInput): RouteEntry<T> | undefined;
  /** Number of entries. */
  readonly size: number;
  /** Entries in match order (frozen). */
  readonly entries: readonly RouteEntry<T>[];
}

/** Entries in match order: priority descending, then name ascending, then input order. */
export function sortEntries<T>(entries: readonly RouteEntry<T>[]): readonly RouteEntry<T>[] {
  const sorted = entries.slice();
  // Array.prototype.sort is stable, so equal (priority, name) keep input order.
  sorted.sort(compareEntries);
  return Object.freeze(sorted);
}

/** Match order of two entries: negative when `a` comes first (priority descending, then name). */
export function compareEntries<T>(a: RouteEntry<T>, b: RouteEntry<T>): number {
  return a.priority !== b.priority ? b.priority - a.priority : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

class ScanTable<T> implements RouteTable<T> {
  readonly entries: readonly RouteEntry<T>[];
  readonly size: number;
  private readonly tests: readonly Predicate[];
  private readonly ctx = new MatchContext();

  constructor(entries: readonly RouteEntry<T>[]) {
    this.entries = sortEntries(entries);
    this.size = this.entries.length;
    this.tests = Object.freeze(this.entries.map((e) => e.rule.predicate));
    Object.freeze(this);
  }

  match(input: MatchInput): RouteEntry<T> | undefined {
    const ctx = this.ctx;
    ctx.reset(input);
    const tests = this.tests;
    let found = -1;
    for (let i = 0; i < tests.length; i++) {
      if ((tests[i] as Predicate).test(ctx)) {
        found = i;
        break;
      }
    }
    ctx.release();
    return found < 0 ? undefined : this.entries[found];
  }
}

/** A table that evaluates every rule in order: the reference behaviour. */
export function createScanTable<T>(entries: readonly RouteEntry<T>[]): RouteTable<T> {
  return new ScanTable(entries);
}
