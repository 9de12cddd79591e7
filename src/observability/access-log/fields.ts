/**
 * The access log's fields, in Traefik's spelling, and the keep/drop/redact decisions of
 * `accessLog.fields`, compiled once: per request the formatters read a flag per field and a mode
 * per header name (canonical names cached).
 */
import type { AccessLogFields, AccessLogHeaderMode } from '../../config/static/sections/access-log.js';

/** Index of each core field in an entry's value array. */
export const enum F {
  StartUTC,
  StartLocal,
  Duration,
  RouterName,
  ServiceName,
  ServiceURL,
  ServiceAddr,
  ClientAddr,
  ClientHost,
  ClientPort,
  ClientUsername,
  RequestAddr,
  RequestHost,
  RequestPort,
  RequestMethod,
  RequestPath,
  RequestProtocol,
  RequestScheme,
  RequestContentSize,
  RequestCount,
  OriginDuration,
  OriginContentSize,
  OriginStatus,
  DownstreamStatus,
  DownstreamContentSize,
  GzipRatio,
  Overhead,
  RetryAttempts,
  TLSVersion,
  TLSCipher,
  TLSClientSubject,
  TraceId,
  SpanId,
}

/** Traefik's field names, by F. */
export const FIELD_NAMES: readonly string[] = [
  'StartUTC',
  'StartLocal',
  'Duration',
  'RouterName',
  'ServiceName',
  'ServiceURL',
  'ServiceAddr',
  'ClientAddr',
  'ClientHost',
  'ClientPort',
  'ClientUsername',
  'RequestAddr',
  'RequestHost',
  'RequestPort',
  'RequestMethod',
  'RequestPath',
  'RequestProtocol',
  'RequestScheme',
  'RequestContentSize',
  'RequestCount',
  'OriginDuration',
  'OriginContentSize',
  'OriginStatus',
  'DownstreamStatus',
  'DownstreamContentSize',
  'GzipRatio',
  'Overhead',
  'RetryAttempts',
  'TLSVersion',
  'TLSCipher',
  'TLSClientSubject',
  'TraceId',
  'SpanId',
];

export const FIELD_COUNT = FIELD_NAMES.length;

/** The fields the genericCLF line shows (the start time is formatted from the entry's own clock). */
const GENERIC_CLF_FIELDS: readonly F[] = [F.ClientHost, F.ClientUsername, F.RequestMethod, F.RequestPath, F.RequestProtocol, F.DownstreamStatus, F.DownstreamContentSize];
/** The fields Traefik's common line shows. */
const COMMON_FIELDS: readonly F[] = [...GENERIC_CLF_FIELDS, F.RequestCount, F.RouterName, F.ServiceURL];

/** Which fields a format needs computed: the kept ones it shows (JSON shows every kept field). */
export function neededFields(keep: readonly boolean[], format: 'common' | 'genericCLF' | 'json'): boolean[] {
  if (format === 'json') return [...keep];
  const shown = format === 'common' ? COMMON_FIELDS : GENERIC_CLF_FIELDS;
  return keep.map((k, i) => k && shown.includes(i as F));
}

/** Field indexes in the byte order of their names (Go's JSON encoder sorts map keys that way). */
export const SORTED_FIELDS: readonly F[] = FIELD_NAMES.map((_, i) => i as F).sort((a, b) => cmp(FIELD_NAMES[a] as string, FIELD_NAMES[b] as string));

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Go's textproto.CanonicalMIMEHeaderKey: `user-agent` -> `User-Agent`. Names holding a byte that
 * is not a token character (or a space) are returned unchanged, as Go does.
 */
export function canonicalHeaderName(name: string): string {
  let upper = true;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isTokenChar(c)) return name;
    let ch = name[i] as string;
    if (upper && c >= 97 && c <= 122) ch = String.fromCharCode(c - 32);
    else if (!upper && c >= 65 && c <= 90) ch = String.fromCharCode(c + 32);
    out += ch;
    upper = c === 45; // '-'
  }
  return out;
}

function isTokenChar(c: number): boolean {
  if (c >= 48 && c <= 57) return true; // 0-9
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  return c < 128 && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

/** What `accessLog.fields` decides, compiled. */
export class FieldPolicy {
  /** keep[F] = the field goes into lines. */
  readonly keep: readonly boolean[];
  /** Kept fields, in name order (JSON). */
  readonly sortedKept: readonly F[];
  /** True when some header may be logged (keep or redact): header fields are collected only then. */
  readonly anyHeader: boolean;
  readonly #headerDefault: AccessLogHeaderMode;
  readonly #headerNames: ReadonlyMap<string, AccessLogHeaderMode>;
  /** Raw header name -> canonical name, for the names seen so far (bounded). */
  readonly #canonical = new Map<string, string>();

  constructor(fields: AccessLogFields) {
    // Field names are matched case-insensitively, as Traefik lower-cases both sides.
    const names = new Map<string, string>();
    for (const [k, v] of Object.entries(fields.names)) names.set(k.toLowerCase(), v);
    const keep: boolean[] = [];
    for (let i = 0; i < FIELD_COUNT; i++) {
      const mode = names.get((FIELD_NAMES[i] as string).toLowerCase()) ?? fields.defaultMode;
      keep.push(mode === 'keep');
    }
    this.keep = keep;
    this.sortedKept = SORTED_FIELDS.filter((f) => keep[f] === true);
    const headerNames = new Map<string, AccessLogHeaderMode>();
    for (const [k, v] of Object.entries(fields.headers.names)) headerNames.set(canonicalHeaderName(k), v);
    this.#headerNames = headerNames;
    this.#headerDefault = fields.headers.defaultMode;
    this.anyHeader = fields.headers.defaultMode !== 'drop' || [...headerNames.values()].some((m) => m !== 'drop');
  }

  /** The canonical spelling of a header name (cached). */
  canonical(raw: string): string {
    let c = this.#canonical.get(raw);
    if (c === undefined) {
      c = canonicalHeaderName(raw);
      if (this.#canonical.size < 4096) this.#canonical.set(raw, c);
    }
    return c;
  }

  /** keep | drop | redact for a canonical header name. */
  headerMode(canonical: string): AccessLogHeaderMode {
    return this.#headerNames.get(canonical) ?? this.#headerDefault;
  }
}
