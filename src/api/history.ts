/**
 * Configuration history: the last applied configurations (time, providers that changed, routers /
 * services / middlewares added, removed, changed) and the rejected updates with their errors, for
 * `/api/history`. Fed by the runtime's apply summaries (see ApiPart.reporter). Each process keeps
 * its own: with `workers: N` every worker applies the same sequence of configurations.
 */
import { formatDiagnostic } from '../config/diagnostics.js';
import { sameData } from '../config/dynamic/same-data.js';
import type { ApplySummary } from '../runtime/runtime.js';
import type { HistoryEntry, NameDiff } from './history-types.js';
import { providerOf, type RuntimeView } from '../runtime/view.js';
import { redactDiagnosticText, scrub, viewSecrets } from './redact.js';

/** Entries kept per kind (applied, rejected). */
export const HISTORY_SIZE = 50;
/** Names kept per list of one entry (the count is always exact). */
const MAX_NAMES = 1000;
/** Error lines kept per entry (a last line says how many more there were). */
const MAX_ERRORS = 100;

function capped(list: readonly string[]): readonly string[] {
  return list.length > MAX_NAMES ? list.slice(0, MAX_NAMES) : list;
}

function nameDiff(added: readonly string[], removed: readonly string[], changed: readonly string[]): NameDiff {
  return {
    added: capped(added),
    removed: capped(removed),
    changed: capped(changed),
    counts: { added: added.length, removed: removed.length, changed: changed.length },
  };
}

interface Diffable {
  readonly config: object;
  readonly status: string;
}

/** Added / removed / changed names between two maps of views (unchanged objects keep their config object). */
function diffViews(before: Readonly<Record<string, Diffable>>, after: Readonly<Record<string, Diffable>>): NameDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const name of Object.keys(after)) {
    const next = after[name] as Diffable;
    const old = before[name];
    if (old === undefined) added.push(name);
    else if (old.status !== next.status || (old.config !== next.config && !sameData(old.config, next.config))) changed.push(name);
  }
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) removed.push(name);
  return nameDiff(added.sort(), removed.sort(), changed.sort());
}

/** The provider a diagnostic without an object came from, by its source (a file path: `file`). */
function providerOfSource(source: string | undefined): string {
  if (source === undefined || source === '') return 'unknown';
  if (/^docker\b/i.test(source)) return 'docker';
  return /\.(ya?ml|toml)(:|$)/i.test(source) || source.startsWith('/') ? 'file' : source;
}

const EMPTY_VIEW: RuntimeView = { routers: {}, services: {}, middlewares: {} };

export class ConfigHistory {
  readonly #applied: HistoryEntry[] = [];
  readonly #rejected: HistoryEntry[] = [];
  #lastView: RuntimeView | undefined;
  #nextId = 1;
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /**
   * Records one apply: an applied configuration (with its diff against the previous one), or,
   * for a skipped apply (same configuration) that carries errors, a rejected update. `view` is the
   * runtime view in place after the apply.
   */
  record(summary: ApplySummary, view: RuntimeView | undefined): void {
    const secrets = view ? viewSecrets(view) : [];
    const errors = summary.diagnostics.filter((d) => d.severity === 'error');
    const warnings = summary.diagnostics.length - errors.length;
    const errorLines = errors.slice(0, MAX_ERRORS).map((d) => scrub(redactDiagnosticText(formatDiagnostic(d), d.path), secrets));
    if (errors.length > MAX_ERRORS) errorLines.push(`... and ${errors.length - MAX_ERRORS} more errors`);
    const base = { time: this.#now().toISOString(), version: summary.snapshot ?? summary.version, errors: errorLines, warnings };
    if (summary.skipped) {
      if (errors.length === 0) return;
      const providers = new Set<string>();
      for (const d of errors) providers.add(d.object !== undefined && d.object.includes('@') ? providerOf(d.object) : providerOfSource(d.source));
      this.#push(this.#rejected, { id: this.#nextId++, kind: 'rejected', providers: [...providers].sort(), ...base });
      return;
    }
    const before = this.#lastView ?? EMPTY_VIEW;
    const after = view ?? EMPTY_VIEW;
    this.#lastView = view;
    const routers = nameDiff(summary.added, summary.removed, summary.changed);
    const services = diffViews(before.services, after.services);
    const middlewares = diffViews(before.middlewares, after.middlewares);
    const providers = new Set<string>();
    for (const d of [routers, services, middlewares]) {
      for (const list of [d.added, d.removed, d.changed]) for (const name of list) providers.add(providerOf(name));
    }
    providers.delete('');
    this.#push(this.#applied, { id: this.#nextId++, kind: 'applied', providers: [...providers].sort(), routers, services, middlewares, ms: summary.ms, ...base });
  }

  #push(list: HistoryEntry[], entry: HistoryEntry): void {
    list.push(entry);
    if (list.length > HISTORY_SIZE) list.shift();
  }

  /** Every kept entry, newest first. */
  entries(): HistoryEntry[] {
    return [...this.#applied, ...this.#rejected].sort((a, b) => b.id - a.id);
  }
}
