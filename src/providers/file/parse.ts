/**
 * Decodes one dynamic configuration file (YAML, or TOML by extension) into plain data plus a
 * locator that finds the line of a key path. Integers too large for a double stay exact (bigint),
 * as Traefik reads them as 64-bit integers. A file that does not parse gives one diagnostic with
 * file:line:col and the parser's reason.
 */
import { type Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES } from '../../config/dynamic/codes.js';
import type { Locate } from '../../config/dynamic/validate.js';
import type { Position } from '../../config/paths/decode.js';
import { tomlErrorDetail, yamlErrorDetail, yamlNodePosition } from '../../config/paths/source-positions.js';
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
    const { reason, line, column } = tomlErrorDetail(err);
    return failure(path, `invalid TOML: ${reason}`, line, column);
  }
}

function parseYamlFile(path: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true, intAsBigInt: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const { reason, line, column } = yamlErrorDetail(first, lineCounter);
    return failure(path, `invalid YAML: ${reason}`, line, column);
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
    let best: Position | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (typeof segment === 'number' && isSeq(node)) {
        const item: unknown = node.items[segment];
        if (item === undefined || item === null) break;
        best = yamlNodePosition(item, lineCounter) ?? best;
        node = item;
      } else if (typeof segment === 'string' && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        if (pair === undefined) break;
        best = yamlNodePosition(pair.key, lineCounter) ?? best;
        node = pair.value;
      } else break;
    }
    return best;
  };
}
