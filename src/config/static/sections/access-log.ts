/**
 * `accessLog`: one line per request, in Traefik's spelling and with its defaults. Off unless the
 * section is present (`--accessLog` alone turns it on with the defaults: common format on stdout).
 *
 * - `filePath`: the file to append to (created with its directory); stdout when unset.
 * - `format`: `common` (Traefik's CLF line, the default), `genericCLF` (the combined log format)
 *   or `json` (Traefik's field names).
 * - `bufferingSize`: lines kept in memory before they are written (at most one second); with 0
 *   lines are written within 10 ms. Writing is asynchronous either way.
 * - `addInternals`: also log requests served by internal routers (`ping@internal`...).
 * - `filters`: a line is kept when ANY configured filter matches: `statusCodes` (`200`,
 *   `300-302`, `400,404`), `retryAttempts` (the request was retried), `minDuration` (it took
 *   longer). With no filter configured every line is kept.
 * - `fields`: `defaultMode` keep|drop, `names.<Field>` keep|drop per field (case-insensitive);
 *   `headers.defaultMode` (drop) and `headers.names.<Header>` keep|drop|redact for the
 *   `request_*`, `origin_*` and `downstream_*` header fields.
 */
import type { DecodeResult } from '../../paths/index.js';
import { bool, duration, int, listOf, mapOf, section, str } from '../../paths/schema.js';
import { parseStatusRanges } from '../../dynamic/schema/middlewares/status-ranges.js';
import { type Tree, subtree, text } from '../tree.js';

export type AccessLogFormat = 'common' | 'genericCLF' | 'json';
export type AccessLogFieldMode = 'keep' | 'drop';
export type AccessLogHeaderMode = 'keep' | 'drop' | 'redact';

export interface AccessLogFilters {
  /** As written (`200`, `300-302`, `400,404`); each entry checked when decoded. */
  readonly statusCodes: readonly string[];
  readonly retryAttempts: boolean;
  /** ms; 0 = no duration filter. A line is kept when the request took strictly longer. */
  readonly minDuration: number;
}

export interface AccessLogFields {
  readonly defaultMode: AccessLogFieldMode; // default keep
  /** Field name (as written) -> mode. */
  readonly names: Readonly<Record<string, AccessLogFieldMode>>;
  readonly headers: {
    readonly defaultMode: AccessLogHeaderMode; // default drop
    /** Header name (as written) -> mode. */
    readonly names: Readonly<Record<string, AccessLogHeaderMode>>;
  };
}

export interface AccessLogConfig {
  /** undefined = stdout. */
  readonly filePath: string | undefined;
  readonly format: AccessLogFormat; // default common
  readonly bufferingSize: number; // default 0
  readonly addInternals: boolean; // default false
  /** undefined when `filters` is absent (every line kept). */
  readonly filters: AccessLogFilters | undefined;
  readonly fields: AccessLogFields;
}

function checkStatusCodes(value: string): string | undefined {
  const parsed = parseStatusRanges(value);
  return typeof parsed === 'string' ? `status codes like "200", "300-302" or "400,404" (${parsed})` : undefined;
}

export const accessLogSection = section(
  {
    filePath: str({ doc: 'Append access logs to this file (stdout when unset); SIGUSR1 reopens it' }),
    format: str({ doc: 'Line format', default: 'common', oneOf: ['common', 'genericCLF', 'json'] }),
    bufferingSize: int({ doc: 'Lines kept in memory before they are written', default: '0', min: 0 }),
    addInternals: bool({ doc: 'Also log requests to internal routers (ping@internal...)', default: 'false' }),
    filters: section(
      {
        statusCodes: listOf(str({ check: checkStatusCodes }), { doc: 'Keep lines whose status is in these codes or ranges ("200", "300-302")' }),
        retryAttempts: bool({ doc: 'Keep lines of requests that were retried', default: 'false' }),
        minDuration: duration({ doc: 'Keep lines of requests that took longer than this', default: '0s' }),
      },
      { doc: 'Keep only some lines: a line is kept when any filter matches' },
    ),
    fields: section({
      defaultMode: str({ doc: 'Fields kept or dropped by default', default: 'keep', oneOf: ['keep', 'drop'] }),
      names: mapOf(str({ oneOf: ['keep', 'drop'] }), { doc: 'keep or drop one field (ClientUsername, StartLocal...)', keyLabel: 'field' }),
      headers: section({
        defaultMode: str({ doc: 'Header fields kept, dropped or redacted by default', default: 'drop', oneOf: ['keep', 'drop', 'redact'] }),
        names: mapOf(str({ oneOf: ['keep', 'drop', 'redact'] }), { doc: 'keep, drop or redact one header', keyLabel: 'header' }),
      }),
    }),
  },
  { doc: 'Enable access logs (one line per request)' },
);

function modes<M extends string>(tree: Tree | undefined, allowed: readonly M[]): Record<string, M> {
  const out: Record<string, M> = {};
  if (tree === undefined) return out;
  for (const [name, value] of Object.entries(tree)) {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
      Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

const FIELD_MODES = ['keep', 'drop'] as const;
const HEADER_MODES = ['keep', 'drop', 'redact'] as const;

/** The model of `accessLog`, or undefined when the section is absent. */
export function buildAccessLog(decoded: DecodeResult): AccessLogConfig | undefined {
  const root = decoded.value;
  if (!Object.hasOwn(root, 'accessLog')) return undefined;
  const tree = subtree(root, 'accessLog');
  const format = text(tree, 'format');
  const buffering = tree?.['bufferingSize'];
  const filePath = text(tree, 'filePath');
  const filtersTree = subtree(tree, 'filters');
  const hasFilters = tree !== undefined && Object.hasOwn(tree, 'filters');
  const statusCodes = filtersTree?.['statusCodes'];
  const minDuration = filtersTree?.['minDuration'];
  const fields = subtree(tree, 'fields');
  const headers = subtree(fields, 'headers');
  const fieldDefault = text(fields, 'defaultMode');
  const headerDefault = text(headers, 'defaultMode');
  return {
    filePath: filePath === undefined || filePath === '' ? undefined : filePath,
    format: format === 'json' || format === 'genericCLF' ? format : 'common',
    bufferingSize: typeof buffering === 'number' ? buffering : 0,
    addInternals: tree?.['addInternals'] === true,
    filters: hasFilters
      ? {
          statusCodes: Array.isArray(statusCodes) ? statusCodes.filter((s): s is string => typeof s === 'string') : [],
          retryAttempts: filtersTree?.['retryAttempts'] === true,
          minDuration: typeof minDuration === 'number' ? minDuration : 0,
        }
      : undefined,
    fields: {
      defaultMode: fieldDefault === 'drop' ? 'drop' : 'keep',
      names: modes(subtree(fields, 'names'), FIELD_MODES),
      headers: {
        defaultMode: headerDefault === 'keep' || headerDefault === 'redact' ? headerDefault : 'drop',
        names: modes(subtree(headers, 'names'), HEADER_MODES),
      },
    },
  };
}

/** `{ accessLog }` for StaticConfig, or `{}` when the section is absent. */
export function accessLogField(decoded: DecodeResult): { readonly accessLog?: AccessLogConfig } {
  const accessLog = buildAccessLog(decoded);
  return accessLog === undefined ? {} : { accessLog };
}
