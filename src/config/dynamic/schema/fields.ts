/**
 * The small reading kit the dynamic schema is written with. It follows how Traefik's decoder
 * (paerser) reads files, so the same YAML/TOML means the same thing here:
 * - keys match case-insensitively (`entrypoints` = `entryPoints`); object names and header names
 *   keep their case;
 * - scalars convert the way Traefik converts them: a number where a string is expected becomes its
 *   text, `"true"`/`"1"` is a boolean, `"10"` is an integer, durations are Go strings or seconds;
 * - an empty value (`key:` in YAML, i.e. null) means "not set" for a scalar and "present and empty"
 *   for a section (`tls:` turns TLS on), as Traefik's `allowEmpty` sections do.
 * Every problem becomes a coded Diagnostic on the Scope; an error marks the scope failed, which
 * makes the caller leave the whole object out.
 */
import type { Diagnostic, Severity } from '../../diagnostics.js';
import { DYNAMIC_CODES, type DynamicCode } from '../codes.js';
import { parseDuration } from '../../paths/duration.js';
import { LOOSE_TYPOS, closest } from '../../paths/suggest.js';

export type PathSegment = string | number;
export type KeyPath = readonly PathSegment[];

/** Finds the line (and column) of a key path in the source text, when the source can tell. */
export type Locate = (path: KeyPath) => { line: number; column?: number } | undefined;
/** A cheaper question than Locate: only the line of an object (`value`, found at `path`), for origins. */
export type LocateLine = (path: KeyPath, value: unknown) => number | undefined;

export interface ValidateContext {
  /** Where the data came from, e.g. a file path; copied to every diagnostic. */
  readonly source: string;
  readonly locate?: Locate;
  /** Asked first for the line of each object's origin; `locate` when it has no answer. */
  readonly locateLine?: LocateLine;
  /**
   * The validated value of an object whose decoded data is unchanged since it last validated with
   * no diagnostic (keyed as origins, `http.routers.<name>`), or undefined: validate it.
   */
  readonly reuse?: (objectKey: string, raw: unknown) => unknown;
  /**
   * The provider the configuration comes from, when its names and references should be written
   * qualified: each collection keyed `api@file`, a router's `service: api` as `api@file` (see
   * qualifyRef), origins and diagnostics still by the names as written. The provider state would
   * qualify them anyway; qualified here, neither a router nor a whole collection needs a qualified
   * copy (with 100,000 routers a record of names costs ~63 bytes per name).
   */
  readonly provider?: string;
}

/**
 * A reference as its provider resolves it (Traefik's namespaces): `name@provider` unless it names
 * a provider already (`api@docker`, `noop@internal`). Unchanged without a provider; the same
 * string when it is unchanged. The one rule: src/providers/qualify.ts uses it too.
 */
export function qualifyRef(ref: string, provider: string | undefined): string {
  return provider === undefined || ref.includes('@') ? ref : `${ref}@${provider}`;
}

/**
 * Collection records keyed by qualified names, with their references qualified, by the provider
 * they were qualified for (a side channel, as the change notes of record-changes.ts): the provider
 * state takes such a record as its own qualified record instead of copying it.
 */
const qualifiedRecords = new WeakMap<object, string>();

/** Says that `record` is keyed `name@provider` and its objects' references are qualified. */
export function markQualified<T extends object>(record: T, provider: string): T {
  qualifiedRecords.set(record, provider);
  return record;
}

/** The provider `record` was qualified for (markQualified), or undefined. */
export function qualifiedFor(record: object): string | undefined {
  return qualifiedRecords.get(record);
}

/** The TLS options `default` are shared by every provider: never qualified. */
export function qualifyTlsOptionsRef(options: string, provider: string | undefined): string {
  return options === 'default' ? options : qualifyRef(options, provider);
}

/** `http.services.app.loadBalancer.servers[0].url` */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Collects the diagnostics of one object (or of a section); `ok` turns false on the first error. */
export class Scope {
  ok = true;

  constructor(
    readonly ctx: ValidateContext,
    /** Object name for diagnostics (unqualified: the aggregator adds `@provider`). */
    readonly object: string | undefined,
    /** `router`, `service`, ... for messages. */
    readonly what: string,
    readonly diagnostics: Diagnostic[],
  ) {}

  report(severity: Severity, code: DynamicCode, path: KeyPath, message: string): void {
    if (severity === 'error') this.ok = false;
    const where = this.ctx.locate?.(path);
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
      code,
      severity,
      message,
      source: this.ctx.source,
      path: formatPath(path),
    };
    if (where !== undefined) {
      d.line = where.line;
      if (where.column !== undefined) d.column = where.column;
    }
    if (this.object !== undefined) d.object = this.object;
    this.diagnostics.push(d);
  }

  error(code: DynamicCode, path: KeyPath, message: string): void {
    this.report('error', code, path, message);
  }

  warn(code: DynamicCode, path: KeyPath, message: string): void {
    this.report('warning', code, path, message);
  }

  /** Suffix for messages that drop the object. */
  get leftOut(): string {
    return this.object === undefined ? '' : `; this ${this.what} is left out`;
  }
}

export interface Field {
  /** The key as written in the source. */
  readonly key: string;
  readonly value: unknown;
  readonly path: KeyPath;
}

export interface KeySpec {
  /** Keys Turnpike reads (canonical Traefik spelling). */
  readonly supported: readonly string[];
  /** Traefik keys Turnpike does not implement yet: an error naming the key. */
  readonly unsupported?: readonly string[];
  /** Traefik keys that are accepted and ignored, with the warning to show (e.g. deprecated ones). */
  readonly ignored?: Readonly<Record<string, string>>;
}

export type Fields = ReadonlyMap<string, Field>;

/** Own enumerable property, safe for names such as `__proto__`. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` is an accessor on Object.prototype; any other name is a plain own property,
  // and plain assignment is several times faster than defineProperty on a map of 100,000 names.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/**
 * The canonical name of `key` in `spec`, or undefined. Keys are matched case-insensitively; a key
 * spelled as in the spec (nearly all of them) is found by identity first, with no lower-casing.
 * Specs are small lists, often written inline, so a scan beats building (or caching) a map.
 */
function canonicalName(spec: KeySpec, key: string): string | undefined {
  for (const k of spec.supported) if (k === key) return k;
  if (spec.unsupported !== undefined) for (const k of spec.unsupported) if (k === key) return k;
  if (spec.ignored !== undefined && Object.hasOwn(spec.ignored, key)) return key;
  // Later lists win on a clash in case, as they did when one map was filled in this order.
  const lower = key.toLowerCase();
  let found: string | undefined;
  const consider = (k: string): void => {
    if (k.length === key.length && k.toLowerCase() === lower) found = k;
  };
  spec.supported.forEach(consider);
  spec.unsupported?.forEach(consider);
  if (spec.ignored !== undefined) Object.keys(spec.ignored).forEach(consider);
  return found;
}

/** Every canonical name of `spec` (for suggestions), in the order the lists give them. */
function canonicalNames(spec: KeySpec): string[] {
  const byLower = new Map<string, string>();
  for (const k of [...spec.supported, ...(spec.unsupported ?? []), ...Object.keys(spec.ignored ?? {})]) byLower.set(k.toLowerCase(), k);
  return [...byLower.values()];
}

/**
 * A field found by readFields. Its path is made when asked (a diagnostic, a nested section), not
 * for every key read: a 100,000-router file has about a million keys.
 */
class KeyField implements Field {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly parent: KeyPath,
  ) {}

  get path(): KeyPath {
    return [...this.parent, this.key];
  }
}

/**
 * Reads the keys of a mapping against a spec: returns the known ones keyed by canonical name,
 * reports unknown keys (with a suggestion), unsupported keys and keys written twice.
 * `undefined` when the value is not a mapping at all.
 */
export function readFields(scope: Scope, value: unknown, path: KeyPath, spec: KeySpec): Map<string, Field> | undefined {
  const out = new Map<string, Field>();
  if (value === null || value === undefined) return out;
  if (!isPlainObject(value)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `expected a mapping of options, got ${describe(value)}${scope.leftOut}`);
    return undefined;
  }
  /** Keys seen that are not in `out` (unsupported, ignored): canonical name to the key as written. */
  let seen: Map<string, string> | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const name = canonicalName(spec, key);
    if (name === undefined) {
      const guess = closest(key, canonicalNames(spec), LOOSE_TYPOS);
      const hint = guess === undefined ? `expected one of ${[...spec.supported, ...(spec.unsupported ?? [])].join(', ')}` : `did you mean "${guess}"?`;
      scope.error(DYNAMIC_CODES.UNKNOWN_KEY, [...path, key], `unknown key "${key}"; ${hint}${scope.leftOut}`);
      continue;
    }
    const earlier = out.get(name)?.key ?? seen?.get(name);
    if (earlier !== undefined) {
      scope.error(DYNAMIC_CODES.DUPLICATE_KEY, [...path, key], `"${key}" repeats "${earlier}" (keys are case-insensitive)${scope.leftOut}`);
      continue;
    }
    if (spec.unsupported?.includes(name) === true) {
      (seen ??= new Map()).set(name, key);
      scope.error(DYNAMIC_CODES.UNSUPPORTED, [...path, key], `"${name}" is a Traefik option Turnpike does not support yet${scope.leftOut}`);
      continue;
    }
    const ignoredWarning = spec.ignored?.[name];
    if (ignoredWarning !== undefined) {
      (seen ??= new Map()).set(name, key);
      scope.warn(DYNAMIC_CODES.DEPRECATED, [...path, key], ignoredWarning);
      continue;
    }
    out.set(name, new KeyField(key, value[key], path));
  }
  return out;
}

/** Reports a missing required key; returns the field when present and not empty. */
export function requireField(scope: Scope, fields: Fields, name: string, parent: KeyPath, expected: string): Field | undefined {
  const f = fields.get(name);
  if (f === undefined || f.value === null || f.value === undefined) {
    scope.error(DYNAMIC_CODES.MISSING_KEY, f?.path ?? [...parent, name], `"${name}" is required (${expected})${scope.leftOut}`);
    return undefined;
  }
  return f;
}

function invalid(scope: Scope, f: Field, expected: string): undefined {
  scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected ${expected}, got ${describe(f.value)}${scope.leftOut}`);
  return undefined;
}

/** A string; numbers and booleans become their text (as Traefik). null = not set. */
export function readString(scope: Scope, f: Field | undefined, opts: { nonEmpty?: boolean } = {}): string | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  let text: string;
  if (typeof v === 'string') text = v;
  else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint' || typeof v === 'boolean') text = String(v);
  else return invalid(scope, f, 'a string');
  if (opts.nonEmpty === true && text.trim() === '') return invalid(scope, f, 'a non-empty string');
  return text;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** A boolean; Go's ParseBool spellings (`true`, `"1"`, `"F"`, ...) are accepted. null = not set. */
export function readBool(scope: Scope, f: Field | undefined): boolean | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  if (typeof v === 'boolean') return v;
  const text = typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
  if (text !== undefined && TRUE.has(text)) return true;
  if (text !== undefined && FALSE.has(text)) return false;
  return invalid(scope, f, 'true or false');
}

const INTEGER_TEXT = /^[+-]?\d+$/;

/** An integer (number, bigint or decimal text), optionally bounded. null = not set. */
export function readInt(scope: Scope, f: Field | undefined, bounds: { min?: bigint; max?: bigint } = {}): number | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  let big: bigint;
  if (typeof v === 'bigint') big = v;
  else if (typeof v === 'number' && Number.isInteger(v)) big = BigInt(v);
  else if (typeof v === 'string' && INTEGER_TEXT.test(v.trim())) big = BigInt(v.trim());
  else return invalid(scope, f, 'an integer');
  if (bounds.min !== undefined && big < bounds.min) return invalid(scope, f, `an integer >= ${bounds.min}`);
  if (bounds.max !== undefined && big > bounds.max) return invalid(scope, f, `an integer <= ${bounds.max}`);
  return Number(big);
}

/** A duration in ms: Go duration text (`30s`, `1m30s`, `100ms`) or an integer number of seconds. */
export function readDuration(scope: Scope, f: Field | undefined, opts: { min?: number } = {}): number | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  const ms = typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' ? parseDuration(v) : undefined;
  if (ms === undefined) return invalid(scope, f, 'a duration such as "30s", "1m30s", "100ms" or a number of seconds');
  if (opts.min !== undefined && ms < opts.min) return invalid(scope, f, `a duration >= ${opts.min}ms`);
  return ms;
}

/** A list of strings; a single scalar is a one-item list and an empty value an empty list. */
export function readStringList(scope: Scope, f: Field | undefined): string[] | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  if (isPlainObject(v) && Object.keys(v).length === 0) return [];
  if (!Array.isArray(v)) {
    const single = readString(scope, f);
    return single === undefined ? undefined : [single];
  }
  const out: string[] = [];
  let ok = true;
  v.forEach((item: unknown, i) => {
    const s = readString(scope, { key: f.key, value: item, path: [...f.path, i] });
    if (s === undefined) {
      if (item === null || item === undefined) invalid(scope, { key: f.key, value: item, path: [...f.path, i] }, 'a string');
      ok = false;
    } else out.push(s);
  });
  return ok ? exactList(out) : undefined;
}

/** A list of mappings (servers, domains): each item is handed to `item`. Empty value/`{}` = []. */
export function readList<T>(scope: Scope, f: Field | undefined, item: (value: unknown, path: KeyPath) => T | undefined): T[] | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  if (isPlainObject(v) && Object.keys(v).length === 0) return [];
  if (!Array.isArray(v)) return invalid(scope, f, 'a list');
  const out: T[] = [];
  let ok = true;
  v.forEach((entry: unknown, i) => {
    const r = item(entry, [...f.path, i]);
    if (r === undefined) ok = false;
    else out.push(r);
  });
  return ok ? exactList(out) : undefined;
}

/**
 * `list` in an array of exactly its length. An array grown by push keeps room for 17 items (152
 * bytes for a one-item list); a validated configuration of 100,000 routers keeps several lists per
 * router, so each is copied to its size once here.
 */
export function exactList<T>(list: T[]): T[] {
  return list.length === 0 ? [] : list.slice();
}

/** Interned lists (see internList); cleared when it reaches INTERNED_MAX names. */
const interned = new Map<string, readonly string[]>();
const INTERNED_MAX = 4096;
const EMPTY_LIST: readonly string[] = Object.freeze([]);

/**
 * One frozen array per distinct short list of names (a router's `entryPoints: [web]`, its
 * `middlewares`): 100,000 routers on the same entry points share one list instead of holding
 * 100,000 copies. Lists of more than four names, or of long names, are frozen as they are.
 */
export function internList(list: readonly string[]): readonly string[] {
  if (list.length === 0) return EMPTY_LIST;
  if (list.length > 4) return Object.freeze(list);
  const key = list.length === 1 ? `=${list[0] as string}` : JSON.stringify(list);
  if (key.length > 256) return Object.freeze(list);
  const known = interned.get(key);
  if (known !== undefined) return known;
  if (interned.size >= INTERNED_MAX) interned.clear();
  const frozen = Object.freeze(list.slice());
  interned.set(key, frozen);
  return frozen;
}

/** A mapping of string to string (header maps); values convert as readString does. */
export function readStringMap(scope: Scope, f: Field | undefined): Record<string, string> | undefined {
  if (f === undefined || f.value === null || f.value === undefined) return undefined;
  const v = f.value;
  if (!isPlainObject(v)) return invalid(scope, f, 'a mapping of names to strings');
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, item] of Object.entries(v)) {
    const entry = { key: k, value: item, path: [...f.path, k] };
    // An empty value means "" (Traefik: remove the header), not "not set".
    const s = item === null ? '' : readString(scope, entry);
    if (s === undefined) ok = false;
    else setOwn(out, k, s);
  }
  return ok ? out : undefined;
}

/**
 * An `allowEmpty` section (router tls, ...): a mapping, an empty value or `true` turn it on,
 * `false` turns it off. Returns the mapping to read (empty when turned on without options).
 */
export function readSection(scope: Scope, f: Field | undefined): Record<string, unknown> | false | undefined {
  if (f === undefined) return undefined;
  const v = f.value;
  if (v === null || v === undefined || v === true || v === 'true') return {};
  if (v === false || v === 'false') return false;
  if (isPlainObject(v)) return v;
  return invalid(scope, f, 'a mapping of options (or true/false)');
}
