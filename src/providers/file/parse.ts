/**
 * Decodes one dynamic configuration file (YAML, or TOML by extension) into plain data plus a
 * locator that finds the line of a key path. Integers too large for a double stay exact (bigint),
 * as Traefik reads them as 64-bit integers. A file that does not parse gives one diagnostic with
 * file:line:col and the parser's reason.
 */
import { type Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { TomlError, parse as parseToml } from 'smol-toml';
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES } from '../../config/dynamic/codes.js';
import type { Locate } from '../../config/dynamic/validate.js';
import { createTomlLocator } from './toml-locator.js';

export type ParsedFile =
  | { readonly ok: true; readonly raw: unknown; readonly locate: Locate }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/** Extensions read in a directory (as Traefik). A single `filename` may also be `.json` (YAML). */
export const DIRECTORY_EXTENSIONS: readonly string[] = ['.yml', '.yaml', '.toml'];

export function extensionOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash ? path.slice(dot).toLowerCase() : '';
}

export function parseDynamicFile(path: string, text: string): ParsedFile {
  const ext = extensionOf(path);
  if (ext === '.toml') return parseTomlFile(path, text);
  if (ext === '.yml' || ext === '.yaml' || ext === '.json') return parseYamlFile(path, text);
  return failure(path, `unsupported file extension "${ext}": expected .yml, .yaml or .toml`);
}

function failure(source: string, message: string, line?: number, column?: number): ParsedFile {
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
    code: DYNAMIC_CODES.PARSE,
    severity: 'error',
    message,
    source,
  };
  if (line !== undefined) d.line = line;
  if (line !== undefined && column !== undefined) d.column = column;
  return { ok: false, diagnostic: d };
}

function parseTomlFile(path: string, text: string): ParsedFile {
  try {
    const raw = parseToml(text, { integersAsBigInt: 'asNeeded' });
    return { ok: true, raw, locate: createTomlLocator(text) };
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = (err.message.split('\n')[0] ?? err.message).replace(/^Invalid TOML document:\s*/, '');
      return failure(path, `invalid TOML: ${reason}`, err.line, err.column);
    }
    return failure(path, `invalid TOML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseYamlFile(path: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true, intAsBigInt: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    const reason = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
    return failure(path, `invalid YAML: ${reason}`, pos.line, pos.col);
  }
  try {
    const raw: unknown = doc.toJS({ maxAliasCount: 1000 });
    return { ok: true, raw, locate: yamlLocator(doc, lineCounter) };
  } catch (err) {
    return failure(path, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function yamlLocator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    let node: unknown = doc.contents;
    let best: number | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (typeof segment === 'number' && isSeq(node)) {
        const item: unknown = node.items[segment];
        if (item === undefined || item === null) break;
        best = rangeStart(item) ?? best;
        node = item;
      } else if (typeof segment === 'string' && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        if (pair === undefined) break;
        best = rangeStart(pair.key) ?? best;
        node = pair.value;
      } else break;
    }
    if (best === undefined) return undefined;
    const { line, col } = lineCounter.linePos(best);
    return { line, column: col };
  };
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: unknown }).range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}
