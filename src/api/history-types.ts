/**
 * The entries of `/api/history` as they go over the wire: one definition for the API that writes
 * them (history.ts) and the dashboard that reads them (dashboard/src/logic/history-diff.ts). No
 * imports, so the dashboard's browser build can take it as it is.
 */

export interface NameDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** Exact sizes (the lists stop at 1,000 names: src/api/history.ts). */
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number };
}

export interface HistoryEntry {
  /** 1, 2, 3 ... in the order things happened in this process. */
  readonly id: number;
  /** ISO 8601. */
  readonly time: string;
  /** `applied`: a new configuration is live; `rejected`: an update was refused, the previous one stays. */
  readonly kind: 'applied' | 'rejected';
  /** The snapshot version (the aggregator's count). */
  readonly version: number;
  /** Providers whose objects changed (applied), or whose update was refused (rejected). */
  readonly providers: readonly string[];
  readonly routers?: NameDiff;
  readonly services?: NameDiff;
  readonly middlewares?: NameDiff;
  /** Compile time of an applied configuration, ms. */
  readonly ms?: number;
  /** Error diagnostics, formatted (`file:line: CODE message`). */
  readonly errors: readonly string[];
  readonly warnings: number;
}
