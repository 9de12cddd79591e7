/**
 * The flat-key decoder: turns `{segments, value}` entries from any flat source (CLI flags, environment
 * variables, Docker labels, KV keys, flattened files) into one nested plain object, checked against a schema.
 *
 * - Keys match the schema case-insensitively and come out in the schema's spelling; map keys (entry point,
 *   router names) keep the user's spelling.
 * - Values are parsed by the schema type: booleans, numbers, durations (in ms), choices; list values are split
 *   on commas; lists of sections use `[n]` indexes (`domains[0].main`).
 * - A section's own key with no value, `true` or an empty section (`{}`) enables it with defaults; `false`
 *   leaves it out.
 * - Every problem is a coded diagnostic naming the origin (file and line, `flag --x`, `env X`) and the key
 *   path; decoding carries on so that one run reports every problem.
 */
import type { Diagnostic } from '../diagnostics.js';
import { DECODE_CODES, type DecodeCode } from './codes.js';
import { formatKeyPath, indexOf, normalizeSegments } from './key-path.js';
import { expectedText, parseScalar, splitList, type ScalarValue } from './scalars.js';
import { findField, type ScalarSchema, type SchemaNode, type SectionSchema } from './schema.js';
import { closest } from './suggest.js';

/** A value as given: text, a list of texts (files), or null for a bare key (`--providers.file`, `{}`). */
export type FlatValue = string | readonly string[] | null;

export interface Position {
  readonly line: number;
  readonly column?: number;
}

export interface FlatEntry {
  readonly segments: readonly string[];
  readonly value: FlatValue;
  /** Where the entry came from, as shown to users: a file path, `flag --entryPoints.web.address`, `env X`. */
  readonly origin: string;
  /** Where each segment was written (files), parallel to `segments`. */
  readonly positions?: ReadonlyArray<Position | undefined>;
}

/** How keys outside the schema are reported. */
export interface UnknownKeyPolicy {
  /**
   * Given the pattern of a key the schema does not know (lower-case, `_name_` for map names, `[0]` for list
   * indexes: `entrypoints._name_.http.tls`) and its path as written, returns a message to report it as
   * unsupported (TPK_CFG_UNSUPPORTED) instead of unknown.
   */
  readonly unsupported?: (pattern: string, keyPath: string) => string | undefined;
  /** Other valid names at this place in the wider language (for "did you mean"), by parent pattern. */
  readonly siblings?: (parentPattern: string) => Iterable<string>;
}

export interface DecodeOptions {
  readonly unknownKeys?: UnknownKeyPolicy;
  /** A list key given twice: `append` (Traefik's flags) or `replace` (default: the last one wins). */
  readonly repeatedLists?: 'append' | 'replace';
}

export interface Location {
  readonly source: string;
  readonly line?: number;
  readonly column?: number;
}

export interface DecodeResult {
  /** The decoded tree (plain objects and arrays, leaves parsed by type). Partial when there are errors. */
  readonly value: Record<string, unknown>;
  readonly diagnostics: readonly Diagnostic[];
  /** Where each key path was first given (`entryPoints.web.address`), for checks made after decoding. */
  readonly locations: ReadonlyMap<string, Location>;
}

type Container = Record<string, unknown> | unknown[];

/** Marker returned by `step` for a section key the schema does not have. */
const UNKNOWN = '\0unknown';

function setOwn(target: Container, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function getOwn(target: Container, key: string | number): unknown {
  return Object.hasOwn(target, key) ? (target as Record<string | number, unknown>)[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: FlatValue): string {
  if (value === null) return 'nothing';
  if (typeof value === 'string') return `the value "${value}"`;
  return 'a list';
}

class Decoder {
  readonly root: Record<string, unknown> = {};
  readonly diagnostics: Diagnostic[] = [];
  readonly locations = new Map<string, Location>();
  readonly #seen = new Set<string>();
  readonly #arrays: unknown[][] = [];

  constructor(
    readonly schema: SectionSchema,
    readonly options: DecodeOptions,
  ) {}

  report(code: DecodeCode, message: string, entry: FlatEntry, path: readonly string[], position: Position | undefined): void {
    const keyPath = formatKeyPath(path);
    const id = `${code}\0${keyPath}\0${entry.origin}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.diagnostics.push({
      code,
      severity: 'error',
      message,
      source: entry.origin,
      ...(position ? { line: position.line } : {}),
      ...(position?.column !== undefined ? { column: position.column } : {}),
      ...(keyPath ? { path: keyPath } : {}),
    });
  }

  locate(path: readonly string[], entry: FlatEntry, position: Position | undefined): void {
    const key = formatKeyPath(path);
    if (this.locations.has(key)) return;
    this.locations.set(key, {
      source: entry.origin,
      ...(position ? { line: position.line } : {}),
      ...(position?.column !== undefined ? { column: position.column } : {}),
    });
  }

  decode(entry: FlatEntry): void {
    const { segments, positions } = normalizeSegments(entry.segments, entry.positions);
    let node: SchemaNode = this.schema;
    let container: Container = this.root;
    const path: string[] = [];
    const pattern: string[] = [];
    let position: Position | undefined;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] ?? '';
      position = positions[i] ?? position;
      const step = this.step(node, segment);
      if (typeof step === 'string') {
        if (step === UNKNOWN && node.kind === 'section') return this.unknown(entry, node, path, pattern, segments.slice(i), position);
        return this.typeError(entry, path, position, step);
      }
      const { key, child } = step;
      pattern.push(step.pattern);
      path.push(typeof key === 'number' ? `[${key}]` : key);
      this.locate(path, entry, position);
      if (i === segments.length - 1) {
        this.assign(entry, container, key, child, path, position);
        return;
      }
      // Below a value there is nothing to descend into: the next step reports the extra keys.
      const next = this.descend(container, key, child);
      if (next !== undefined) container = next;
      node = child;
    }
    // No segments: the entry enables the root itself (nothing to do).
  }

  /** One segment down the schema: the key and schema below, or why the segment does not fit here. */
  step(node: SchemaNode, segment: string): { key: string | number; child: SchemaNode; pattern: string } | string {
    const index = indexOf(segment);
    switch (node.kind) {
      case 'section': {
        if (index !== undefined) return 'expected a section (keys below it), got a list';
        const field = findField(node, segment);
        if (!field) return UNKNOWN;
        return { key: field[0], child: field[1], pattern: field[0].toLowerCase() };
      }
      case 'map':
        if (index !== undefined) return 'expected named entries (keys below it), got a list';
        return { key: segment, child: node.of, pattern: '_name_' };
      case 'list':
        if (node.of.kind !== 'section') return `expected a list of values (${expectedText(node.of)}, comma separated), got keys below it`;
        if (index === undefined) return `expected a list index like [0], got "${segment}"`;
        return { key: index, child: node.of, pattern: '[0]' };
      case 'scalar':
        return `expected a single value (${expectedText(node)}), got keys below it ("${segment}")`;
    }
  }

  /** The container for `key` below `container`, created when missing. */
  descend(container: Container, key: string | number, child: SchemaNode): Container | undefined {
    const existing = getOwn(container, key);
    if (child.kind === 'list') {
      if (Array.isArray(existing)) return existing as unknown[];
      const created: unknown[] = [];
      this.#arrays.push(created);
      setOwn(container, key, created);
      return created;
    }
    if (child.kind === 'section' || child.kind === 'map') {
      if (isRecord(existing)) return existing;
      const created: Record<string, unknown> = {};
      setOwn(container, key, created);
      return created;
    }
    return undefined;
  }

  assign(entry: FlatEntry, container: Container, key: string | number, node: SchemaNode, path: readonly string[], position: Position | undefined): void {
    const { value } = entry;
    switch (node.kind) {
      case 'section':
      case 'map': {
        if (value === null || (typeof value === 'string' && ['', 'true'].includes(value.trim().toLowerCase()))) {
          this.descend(container, key, node);
          return;
        }
        if (typeof value === 'string' && value.trim().toLowerCase() === 'false') {
          const existing = getOwn(container, key);
          if (isRecord(existing) && Object.keys(existing).length === 0) delete (container as Record<string | number, unknown>)[key];
          return;
        }
        const what = node.kind === 'section' ? 'a section (keys below it, or true to enable it with defaults)' : 'named entries (keys below it)';
        this.typeError(entry, path, position, `expected ${what}, got ${describeValue(value)}`);
        return;
      }
      case 'list': {
        if (node.of.kind === 'section') {
          if (Array.isArray(value) && value.length === 0) {
            this.descend(container, key, node);
            return;
          }
          this.typeError(entry, path, position, `expected a list of sections (${formatKeyPath([...path, '[0]'])}.<key>), got ${describeValue(value)}`);
          return;
        }
        if (value === null) {
          this.typeError(entry, path, position, `expected a list of values (${expectedText(node.of)}, comma separated), got nothing`);
          return;
        }
        const items = typeof value === 'string' ? splitList(value) : value.flatMap(splitList);
        const parsed: ScalarValue[] = [];
        for (const item of items) {
          const r = parseScalar(node.of, item);
          if (!r.ok) {
            this.report(DECODE_CODES.value, `invalid list item "${item}": expected ${r.expected}`, entry, path, position);
            return;
          }
          parsed.push(r.value);
        }
        const existing = getOwn(container, key);
        const merged = this.options.repeatedLists === 'append' && Array.isArray(existing) ? [...(existing as unknown[]), ...parsed] : parsed;
        setOwn(container, key, merged);
        return;
      }
      case 'scalar':
        this.assignScalar(entry, container, key, node, path, position);
        return;
    }
  }

  assignScalar(entry: FlatEntry, container: Container, key: string | number, node: ScalarSchema, path: readonly string[], position: Position | undefined): void {
    const { value } = entry;
    if (value === null) {
      if (node.type === 'boolean') setOwn(container, key, true);
      else this.typeError(entry, path, position, `expected ${expectedText(node)}, got nothing`);
      return;
    }
    if (typeof value !== 'string') {
      this.typeError(entry, path, position, `expected a single value (${expectedText(node)}), got a list`);
      return;
    }
    const r = parseScalar(node, value);
    if (r.ok) setOwn(container, key, r.value);
    else this.report(DECODE_CODES.value, `invalid value "${value}": expected ${r.expected}`, entry, path, position);
  }

  typeError(entry: FlatEntry, path: readonly string[], position: Position | undefined, message: string): void {
    this.report(DECODE_CODES.type, message, entry, path, position);
  }

  /**
   * Reports `rest[0]`, unknown in `node`. Flat sources (one key per flag or variable) name the whole key
   * (`api.insecure`); files name the section where the schema stops (`api`), once.
   */
  unknown(entry: FlatEntry, node: SectionSchema, path: readonly string[], pattern: readonly string[], rest: readonly string[], position: Position | undefined): void {
    const segment = rest[0] ?? '';
    const keyPath = [...path, segment];
    const policy = this.options.unknownKeys;
    const fullPattern = formatKeyPath([...pattern, segment.toLowerCase()]);
    const shown = entry.positions === undefined ? [...path, ...rest] : keyPath;
    const unsupported = policy?.unsupported?.(fullPattern, formatKeyPath(shown));
    if (unsupported !== undefined) {
      this.report(DECODE_CODES.unsupported, unsupported, entry, shown, position);
      return;
    }
    const candidates = new Set(Object.keys(node.fields));
    for (const name of policy?.siblings?.(formatKeyPath(pattern)) ?? []) candidates.add(name);
    const guess = closest(segment, candidates);
    const hint = guess !== undefined && guess.toLowerCase() !== segment.toLowerCase() ? ` (did you mean "${guess}"?)` : '';
    this.report(DECODE_CODES.unknownKey, `unknown key "${segment}"${hint}`, entry, keyPath, position);
  }

  finish(): DecodeResult {
    // Lists of sections were filled by index: close the gaps (`[0]` and `[2]` make a list of two).
    for (const list of this.#arrays) {
      const dense = list.filter(() => true);
      list.length = 0;
      list.push(...dense);
    }
    return { value: this.root, diagnostics: this.diagnostics, locations: this.locations };
  }
}

/** Decodes flat entries against a schema (see the module comment). Later entries override earlier ones. */
export function decodeFlat(schema: SectionSchema, entries: readonly FlatEntry[], options: DecodeOptions = {}): DecodeResult {
  const decoder = new Decoder(schema, options);
  for (const entry of entries) decoder.decode(entry);
  return decoder.finish();
}
