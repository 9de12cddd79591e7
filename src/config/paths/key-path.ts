/**
 * Key paths: how segments are written and matched. A path is a list of segments; list indexes are their own
 * segment written `[n]`. `http.tls.domains[0].main` <-> ['http', 'tls', 'domains', '[0]', 'main'].
 */
import { findField, type SchemaNode } from './schema.js';

const INDEX = /^\[(\d+)\]$/;
const TRAILING_INDEXES = /^(.*?)((?:\[\d+\])+)$/;

/** The list index of an `[n]` segment, else undefined. */
export function indexOf(segment: string): number | undefined {
  const m = INDEX.exec(segment);
  return m ? Number(m[1]) : undefined;
}

/** Splits `domains[0]` into `domains`, `[0]` (positions follow their segment). */
export function normalizeSegments<P>(segments: readonly string[], positions?: ReadonlyArray<P | undefined>): { segments: string[]; positions: (P | undefined)[] } {
  const outSegments: string[] = [];
  const outPositions: (P | undefined)[] = [];
  segments.forEach((segment, i) => {
    const position = positions?.[i];
    const m = INDEX.test(segment) ? null : TRAILING_INDEXES.exec(segment);
    if (!m) {
      outSegments.push(segment);
      outPositions.push(position);
      return;
    }
    if (m[1]) {
      outSegments.push(m[1]);
      outPositions.push(position);
    }
    for (const index of (m[2] ?? '').match(/\[\d+\]/g) ?? []) {
      outSegments.push(index);
      outPositions.push(position);
    }
  });
  return { segments: outSegments, positions: outPositions };
}

/** Joins segments for messages and location keys: `entryPoints.web.http.tls.domains[0].main`. */
export function formatKeyPath(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) {
    if (indexOf(segment) !== undefined) out += segment;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export type PathLookup =
  /** The path names a node of the schema; `path` is in canonical spelling. */
  | { readonly found: true; readonly node: SchemaNode; readonly path: readonly string[]; readonly pattern: readonly string[] }
  /**
   * The schema stops at segment `at`: `path`/`pattern` cover the segments before it, plus the unknown segment
   * itself (as written in `path`, lower-case in `pattern`).
   */
  | { readonly found: false; readonly at: number; readonly path: readonly string[]; readonly pattern: readonly string[] };

/**
 * Walks a path through the schema, case-insensitively. Patterns are lower-case with `_name_` for map names
 * and `[0]` for list indexes, as in Traefik's option tables (`entrypoints._name_.http.tls`).
 */
export function lookupPath(root: SchemaNode, rawSegments: readonly string[]): PathLookup {
  const { segments } = normalizeSegments(rawSegments);
  let node: SchemaNode = root;
  const path: string[] = [];
  const pattern: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    const index = indexOf(segment);
    let next: SchemaNode | undefined;
    if (node.kind === 'section' && index === undefined) {
      const field = findField(node, segment);
      if (field) {
        path.push(field[0]);
        pattern.push(field[0].toLowerCase());
        next = field[1];
      }
    } else if (node.kind === 'map' && index === undefined) {
      path.push(segment);
      pattern.push('_name_');
      next = node.of;
    } else if (node.kind === 'list' && node.of.kind === 'section' && index !== undefined) {
      path.push(segment);
      pattern.push('[0]');
      next = node.of;
    }
    if (next === undefined) {
      return { found: false, at: i, path: [...path, segment], pattern: [...pattern, segment.toLowerCase()] };
    }
    node = next;
  }
  return { found: true, node, path, pattern };
}
