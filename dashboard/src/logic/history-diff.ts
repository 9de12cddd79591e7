/**
 * The configuration history (`/api/history`) as the dashboard shows it: per entry the objects
 * added, removed and changed, grouped by kind, with the names the API cut off counted. Pure: tested
 * in node.
 */
import type { HistoryEntry, NameDiff } from '../../../src/api/history-types.js';

export type { HistoryEntry, NameDiff };

export type DiffOp = 'added' | 'removed' | 'changed';
export type DiffSection = 'routers' | 'services' | 'middlewares';

export const DIFF_OPS: readonly DiffOp[] = ['added', 'removed', 'changed'];
export const DIFF_SECTIONS: readonly DiffSection[] = ['routers', 'services', 'middlewares'];

/** The sign shown before a name (text, so the diff does not rely on colour alone). */
export const OP_SIGN: Readonly<Record<DiffOp, string>> = { added: '+', removed: '−', changed: '~' };

export interface DiffGroup {
  readonly section: DiffSection;
  readonly op: DiffOp;
  readonly names: readonly string[];
  /** Names the API counted but did not list. */
  readonly more: number;
}

/** The non-empty (section, op) groups of an entry, in a fixed order. */
export function diffGroups(entry: HistoryEntry): DiffGroup[] {
  const out: DiffGroup[] = [];
  for (const section of DIFF_SECTIONS) {
    const d = entry[section];
    if (d === undefined) continue;
    for (const op of DIFF_OPS) {
      const names = d[op];
      const total = Math.max(d.counts[op], names.length);
      if (total === 0) continue;
      out.push({ section, op, names, more: total - names.length });
    }
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${n === 1 ? word.replace(/s$/, '') : word}`;
}

/** One line for an entry: `2 routers added, 1 service changed`, `rejected: 3 errors`, `no change`. */
export function entrySummary(entry: HistoryEntry): string {
  if (entry.kind === 'rejected') return `rejected: ${plural(entry.errors.length, 'errors')}`;
  const parts: string[] = [];
  for (const section of DIFF_SECTIONS) {
    const d = entry[section];
    if (d === undefined) continue;
    for (const op of DIFF_OPS) {
      const n = Math.max(d.counts[op], d[op].length);
      if (n > 0) parts.push(`${plural(n, section)} ${op}`);
    }
  }
  return parts.length === 0 ? 'no change' : parts.join(', ');
}

/** The history entries of `list` that are valid enough to show (the rest is dropped). */
export function readHistory(value: unknown): HistoryEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter((e): e is HistoryEntry => {
    if (typeof e !== 'object' || e === null) return false;
    const o = e as Record<string, unknown>;
    return typeof o['id'] === 'number' && typeof o['time'] === 'string' && (o['kind'] === 'applied' || o['kind'] === 'rejected') && Array.isArray(o['errors']);
  });
}
