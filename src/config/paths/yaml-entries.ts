/**
 * A YAML document flattened into decoder entries, each segment with its line and column — the way Traefik
 * reads files (every value becomes text; lists of values stay lists; `{}` and empty keys enable a section).
 * Anchors, aliases and `<<` merge keys are followed.
 */
import type { Document, LineCounter } from 'yaml';
import { loadFastYaml } from './fast-yaml.js';
import { yamlPackage } from './lazy-parsers.js';
import type { Diagnostic } from '../diagnostics.js';
import { DECODE_CODES } from './codes.js';
import type { FlatEntry, Position } from './decode.js';
import { yamlErrorDetail, yamlNodePosition } from './source-positions.js';

export interface FileEntries {
  readonly entries: FlatEntry[];
  /** Syntax errors (TPK_CFG_PARSE) and a non-mapping document (TPK_CFG_TYPE). */
  readonly diagnostics: Diagnostic[];
}

const MAX_ALIAS_DEPTH = 32;

function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  // Anything else (binary, custom tags) is kept as its JSON text.
  return JSON.stringify(value) ?? '';
}

class YamlFlattener {
  readonly entries: FlatEntry[] = [];

  constructor(
    readonly doc: Document,
    readonly lines: LineCounter,
    readonly origin: string,
  ) {}

  push(segments: string[], positions: (Position | undefined)[], value: FlatEntry['value']): void {
    if (segments.length === 0) return;
    this.entries.push({ segments, value, origin: this.origin, positions });
  }

  walk(node: unknown, segments: string[], positions: (Position | undefined)[], depth: number): void {
    const { isAlias, isMap, isScalar, isSeq } = yamlPackage();
    if (isAlias(node)) {
      if (depth > MAX_ALIAS_DEPTH) return;
      this.walk(node.resolve(this.doc), segments, positions, depth + 1);
      return;
    }
    if (isMap(node)) {
      if (node.items.length === 0) this.push(segments, positions, null);
      for (const pair of node.items) {
        const key: unknown = pair.key;
        const keyValue: unknown = isScalar(key) ? key.value : key;
        if (typeof keyValue === 'symbol' || keyValue === '<<') {
          // Merge key: the merged mapping(s) add their keys at this level.
          const merged: unknown = isAlias(pair.value) ? pair.value.resolve(this.doc) : pair.value;
          const sources: unknown[] = isSeq(merged) ? merged.items : [merged];
          for (const source of sources) this.walk(source, segments, positions, depth + 1);
          continue;
        }
        const name = scalarText(keyValue) ?? '';
        this.walk(pair.value, [...segments, name], [...positions, yamlNodePosition(isScalar(key) ? key : undefined, this.lines)], depth);
      }
      return;
    }
    if (isSeq(node)) {
      const items = node.items.map((item) => (isAlias(item) ? item.resolve(this.doc) : item));
      if (items.every((item) => isScalar(item))) {
        const values = items.map((item) => (isScalar(item) ? (scalarText(item.value) ?? '') : ''));
        this.push(segments, positions, values);
        return;
      }
      items.forEach((item, i) => {
        this.walk(item, [...segments, `[${i}]`], [...positions, yamlNodePosition(isScalar(item) || isMap(item) || isSeq(item) ? item : undefined, this.lines)], depth + 1);
      });
      return;
    }
    if (isScalar(node)) {
      this.push(segments, positions, scalarText(node.value));
      return;
    }
    // A key with no value at all (`api:`): like an empty section.
    this.push(segments, positions, null);
  }
}

/**
 * Entries without positions, from the fast parser (js-yaml), or undefined when it steps aside
 * (a syntax error, an alias, a directive): then yamlEntries decides. A caller that gets
 * diagnostics from these entries reads the file again with yamlEntries, for positions.
 */
export function fastYamlEntries(text: string, origin: string): FileEntries | undefined {
  const fast = loadFastYaml(text);
  if (fast === undefined) return undefined;
  const entries: FlatEntry[] = [];
  const contents = fast.raw;
  if (contents === null || contents === undefined || contents === '') return { entries, diagnostics: [] };
  if (typeof contents !== 'object' || Array.isArray(contents)) return undefined; // the careful path words the error
  const push = (segments: string[], value: FlatEntry['value']): void => {
    if (segments.length > 0) entries.push({ segments, value, origin, positions: [] });
  };
  const walk = (node: unknown, segments: string[]): void => {
    if (Array.isArray(node)) {
      const items: unknown[] = node;
      if (items.every((item) => item === null || typeof item !== 'object' || item instanceof Date)) {
        push(segments, items.map((item) => scalarText(item) ?? ''));
        return;
      }
      items.forEach((item, i) => walk(item, [...segments, `[${i}]`]));
      return;
    }
    if (node !== null && typeof node === 'object' && !(node instanceof Date)) {
      const keys = Object.keys(node);
      if (keys.length === 0) push(segments, null);
      for (const key of keys) walk((node as Record<string, unknown>)[key], [...segments, key]);
      return;
    }
    push(segments, scalarText(node));
  };
  walk(contents, []);
  return { entries, diagnostics: [] };
}

/** Parses YAML text into entries; `origin` names the file in entries and diagnostics. */
export function yamlEntries(text: string, origin: string): FileEntries {
  const { LineCounter, parseDocument, isMap, isScalar } = yamlPackage();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  for (const error of doc.errors) {
    const { reason, ...at } = yamlErrorDetail(error, lines);
    diagnostics.push({ code: DECODE_CODES.parse, severity: 'error', message: `invalid YAML: ${reason}`, source: origin, ...at });
  }
  if (diagnostics.length > 0) return { entries: [], diagnostics };
  const flattener = new YamlFlattener(doc, lines, origin);
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return { entries: [], diagnostics };
  }
  if (!isMap(contents)) {
    const at = yamlNodePosition(contents, lines);
    diagnostics.push({
      code: DECODE_CODES.type,
      severity: 'error',
      message: 'expected a mapping of keys at the top of the file',
      source: origin,
      ...(at ? { line: at.line, column: at.column ?? 1 } : {}),
    });
    return { entries: [], diagnostics };
  }
  flattener.walk(contents, [], [], 0);
  return { entries: flattener.entries, diagnostics };
}
