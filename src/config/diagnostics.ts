/**
 * A configuration problem, coded, with where it came from. Every build or load error ends up as
 * one of these, shown by `turnpike check`, in the logs and (later) in the API: never only in a log.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable code, e.g. TPK_CFG_UNKNOWN_KEY (see codes listed where they are raised). */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong and what was expected, in a sentence. */
  readonly message: string;
  /** Where: a file path, `flag --x.y`, or `env TRAEFIK_X_Y`. */
  readonly source?: string;
  readonly line?: number;
  readonly column?: number;
  /** Key path inside the configuration, e.g. `http.routers.api.rule`. */
  readonly path?: string;
  /** Qualified object name when the problem belongs to one, e.g. `api@file`. */
  readonly object?: string;
}

/** `file:line:col: path: message` — the one format used by check, logs and start-up errors. */
export function formatDiagnostic(d: Diagnostic): string {
  let where = d.source ?? '';
  if (d.line !== undefined) where += `:${d.line}`;
  if (d.line !== undefined && d.column !== undefined) where += `:${d.column}`;
  const parts: string[] = [];
  if (where) parts.push(where);
  if (d.object) parts.push(d.object);
  if (d.path) parts.push(d.path);
  const head = parts.join(': ');
  const sev = d.severity === 'warning' ? 'warning: ' : '';
  return head ? `${head}: ${sev}${d.message}` : `${sev}${d.message}`;
}
