/**
 * The explainer form and its answer (`/api/explain`, src/api/explain.ts): headers typed one per
 * line, the API query built from the form, and a rule's matcher trace flattened into indented rows.
 * Pure: tested in node.
 */
import type { ExplainParams } from './route.js';

/** `Name: value` lines (blank lines skipped) as pairs, with one message per bad line. */
export function parseHeaderLines(text: string): { headers: [string, string][]; errors: string[] } {
  const headers: [string, string][] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (colon <= 0 || name === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      errors.push(`line ${i + 1}: expected "Name: value", got ${JSON.stringify(line.trim())}`);
      return;
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  });
  return { headers, errors };
}

/** The API path (relative to `<basePath>api/`) asking to explain `p`. */
export function explainApiPath(p: ExplainParams): string {
  const q = new URLSearchParams();
  q.set('url', p.url.trim());
  if (p.method !== '') q.set('method', p.method);
  for (const h of p.headers) q.append('header', h);
  if (p.clientIP.trim() !== '') q.set('clientIP', p.clientIP.trim());
  if (p.entryPoint !== '') q.set('entryPoint', p.entryPoint);
  return `explain?${q.toString()}`;
}

/** A rule trace as the API sends it. */
export type TraceJson =
  | { readonly matcher: string; readonly result: boolean }
  | { readonly not: TraceJson; readonly result: boolean }
  | { readonly and: readonly TraceJson[]; readonly result: boolean }
  | { readonly or: readonly TraceJson[]; readonly result: boolean };

export interface TraceRow {
  readonly depth: number;
  /** The matcher text (`Host(\`a.com\`)`) or the operator (`AND`, `OR`, `NOT`). */
  readonly label: string;
  readonly operator: boolean;
  readonly result: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rows for a trace, depth first; an unknown shape gives no rows. */
export function flattenTrace(trace: unknown, depth = 0, out: TraceRow[] = []): TraceRow[] {
  if (!isObject(trace) || typeof trace['result'] !== 'boolean') return out;
  const result = trace['result'];
  if (typeof trace['matcher'] === 'string') {
    out.push({ depth, label: trace['matcher'], operator: false, result });
  } else if (isObject(trace['not'])) {
    out.push({ depth, label: 'NOT', operator: true, result });
    flattenTrace(trace['not'], depth + 1, out);
  } else {
    const op = Array.isArray(trace['and']) ? 'and' : Array.isArray(trace['or']) ? 'or' : undefined;
    if (op === undefined) return out;
    out.push({ depth, label: op.toUpperCase(), operator: true, result });
    for (const t of trace[op] as unknown[]) flattenTrace(t, depth + 1, out);
  }
  return out;
}

/** The words for a result (shown next to the colour). */
export function resultWord(result: boolean): string {
  return result ? 'true' : 'false';
}

export const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];
