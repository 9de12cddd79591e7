/**
 * `http.middlewares.<name>.errors`: Traefik v3's custom error pages. Status lists and the keys of
 * `statusRewrites` are parsed into ranges here, so a bad one is a configuration error naming its key.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, isPlainObject, readFields, readInt, readString, readStringList, requireField } from '../fields.js';
import { type StatusRange, parseStatusRanges } from './status-ranges.js';

export interface StatusRewrite {
  /** Caught statuses this rewrite applies to. */
  readonly from: readonly StatusRange[];
  /** The status the client gets (and `{status}` in the query). */
  readonly to: number;
}

export interface ErrorsOptions {
  /** Upstream statuses that are replaced by the error page (empty: none). */
  readonly status: readonly StatusRange[];
  /** In configuration order; the first one matching a caught status applies. */
  readonly statusRewrites: readonly StatusRewrite[];
  /** The service that serves the error pages (a name without `@` is in this middleware's provider). */
  readonly service: string;
  /** Path (and query) of the error page, with `{status}`, `{originalStatus}` and `{url}` placeholders; '' = `/`. */
  readonly query: string;
  /** Request headers copied to the error page request; empty = all of them (Traefik's default). */
  readonly errorRequestHeaders: readonly string[];
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Visible ASCII and non-ASCII text only: no space, no control character (it becomes a request target). */
function isTargetText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 127) return false;
  }
  return true;
}

export function readErrors(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: ['status', 'statusRewrites', 'service', 'query', 'errorRequestHeaders'],
  });
  if (fields === undefined) return undefined;

  const status: StatusRange[] = [];
  const statusField = fields.get('status');
  const statusList = readStringList(scope, statusField) ?? [];
  statusList.forEach((text, i) => {
    const parsed = parseStatusRanges(text);
    if (typeof parsed === 'string') {
      const path = Array.isArray(statusField?.value) ? [...(statusField?.path ?? []), i] : (statusField?.path ?? f.path);
      scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `${parsed}${scope.leftOut}`);
    } else status.push(...parsed);
  });

  const statusRewrites = readRewrites(scope, fields.get('statusRewrites'));
  const service = readString(scope, requireField(scope, fields, 'service', f.path, 'the service that serves the error pages'), { nonEmpty: true });
  const query = readString(scope, fields.get('query')) ?? '';
  if (!isTargetText(query)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, fields.get('query')?.path ?? f.path, `the query must be a path such as /{status}.html, without spaces or control characters${scope.leftOut}`);
  }

  const headersField = fields.get('errorRequestHeaders');
  const errorRequestHeaders = readStringList(scope, headersField) ?? [];
  errorRequestHeaders.forEach((name, i) => {
    if (!HEADER_NAME.test(name)) scope.error(DYNAMIC_CODES.INVALID_VALUE, [...(headersField?.path ?? f.path), i], `"${name}" is not a valid header name${scope.leftOut}`);
  });

  if (!scope.ok || service === undefined) return undefined;
  return { kind: 'errors', options: { status, statusRewrites, service, query, errorRequestHeaders } };
}

function readRewrites(scope: Scope, f: Field | undefined): StatusRewrite[] {
  if (f === undefined || f.value === null || f.value === undefined) return [];
  if (!isPlainObject(f.value)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a mapping of statuses or ranges to a status, e.g. "502-504": 500${scope.leftOut}`);
    return [];
  }
  const out: StatusRewrite[] = [];
  for (const [key, value] of Object.entries(f.value)) {
    const path = [...f.path, key];
    const from = parseStatusRanges(key);
    if (typeof from === 'string') {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `${from}${scope.leftOut}`);
      continue;
    }
    const to = readInt(scope, { key, value, path }, { min: 100n, max: 999n });
    if (to === undefined) {
      if (value === null || value === undefined) scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `expected the status to answer with, e.g. 500${scope.leftOut}`);
      continue;
    }
    out.push({ from, to });
  }
  return out;
}
