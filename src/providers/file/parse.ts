/**
 * Decodes one dynamic configuration file (YAML, or TOML by extension) into plain data plus a
 * locator that finds the line of a key path. YAML is read by the fast path (fast-yaml.ts) when it
 * can, and by the `yaml` package's Document otherwise and for the positions of diagnostics. Integers too large for a double stay exact (bigint),
 * as Traefik reads them as 64-bit integers. A file that does not parse gives one diagnostic with
 * file:line:col and the parser's reason.
 */
import type { Document, LineCounter, Pair, YAMLError } from 'yaml';
import { tomlPackage, yamlPackage } from '../../config/paths/lazy-parsers.js';
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES } from '../../config/dynamic/codes.js';
import type { Locate, LocateLine } from '../../config/dynamic/validate.js';
import type { Position } from '../../config/paths/decode.js';
import { tomlErrorDetail, yamlErrorDetail, yamlNodePosition } from '../../config/paths/source-positions.js';
import { loadFastYaml } from '../../config/paths/fast-yaml.js';
import { createTomlLocator } from './toml-locator.js';

export type ParsedFile =
  | {
      readonly ok: true;
      readonly raw: unknown;
      readonly locate: Locate;
      /** Present after a fast YAML parse (fast-yaml.ts). */
      readonly locateLine?: LocateLine;
      /** After a fast YAML parse: the text as parsed, and where an object's key line starts in it. */
      readonly source?: string;
      readonly keyLineStartOf?: (node: object) => number | undefined;
      /** After a fast YAML parse: where an object's text starts and ends in `source`. */
      readonly spanOf?: (node: object) => readonly [number, number] | undefined;
    }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/** Extensions read in a directory (as Traefik). A single `filename` may also be `.json` (YAML). */
export const DIRECTORY_EXTENSIONS: readonly string[] = ['.yml', '.yaml', '.toml'];

export function extensionOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash ? path.slice(dot).toLowerCase() : '';
}

/**
 * A locator over `text` that parses it carefully only when first asked (YAML), for diagnostics.
 * `text` may be given as a function, called then.
 */
export function parseLocator(path: string, text: string | (() => string)): Locate {
  return extensionOf(path) === '.toml' ? createTomlLocator(typeof text === 'string' ? text : text()) : yamlLocator(text, undefined);
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
    const raw = tomlPackage().parse(text, { integersAsBigInt: 'asNeeded' });
    return { ok: true, raw, locate: createTomlLocator(text) };
  } catch (err) {
    const { reason, line, column } = tomlErrorDetail(err);
    return failure(path, `invalid TOML: ${reason}`, line, column);
  }
}

function parseYaml(text: string): { doc: Document; lineCounter: LineCounter } {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  // uniqueKeys is checked separately in one pass: the parser's own check scans the map for every
  // key, which is quadratic (minutes for a file of 100,000 routers).
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: false, intAsBigInt: true });
  return { doc, lineCounter };
}

function parseYamlFile(path: string, text: string): ParsedFile {
  const fast = loadFastYaml(text);
  if (fast !== undefined) {
    const locateLine: LocateLine = (_path, value) => (typeof value === 'object' && value !== null ? fast.lineOf(value) : undefined);
    // Positions of keys and scalars, for diagnostics: the careful parse, done when first asked.
    const source = fast.source;
    return { ok: true, raw: fast.raw, locate: yamlLocator(source, undefined), locateLine, source, keyLineStartOf: fast.keyLineStartOf, spanOf: fast.spanOf };
  }
  return parseYamlCarefully(path, text);
}

/** The `yaml` package's Document: the exact error and its position when a file does not parse. */
function parseYamlCarefully(path: string, text: string): ParsedFile {
  const { doc, lineCounter } = parseYaml(text);
  const duplicate = firstDuplicateKey(doc);
  let first: YAMLError | undefined = doc.errors[0];
  if (duplicate !== undefined && (first === undefined || duplicate.pos[0] < first.pos[0])) first = duplicate;
  if (first !== undefined) {
    const { reason, line, column } = yamlErrorDetail(first, lineCounter);
    return failure(path, `invalid YAML: ${reason}`, line, column);
  }
  try {
    const raw: unknown = doc.toJS({ maxAliasCount: 1000 });
    return { ok: true, raw, locate: yamlLocator(text, { doc, lineCounter }) };
  } catch (err) {
    return failure(path, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The first repeated key of any map, as the parser reports it with `uniqueKeys: true` (scalar keys
 * equal by value, at the repeated key's offset), found with one Set per map.
 */
function firstDuplicateKey(doc: Document): YAMLError | undefined {
  const { visit, isScalar, isMap, isSeq, YAMLParseError } = yamlPackage();
  let found: YAMLError | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k: unknown = pair.key;
        const id = isScalar(k) ? k.value : k;
        if (seen.has(id)) {
          const at = isScalar(k) || isMap(k) || isSeq(k) ? (k.range?.[0] ?? -1) : -1;
          if (found === undefined || at < found.pos[0]) found = new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
          break;
        }
        seen.add(id);
      }
    },
  });
  return found;
}

/**
 * Finds the line and column of a key path. The parsed Document (several times the file's size in
 * memory) is held weakly: it serves the validation that follows a careful parse, and the file
 * provider's cache keeps the locator for later (re-validating a kept version), when the text is
 * parsed again if the Document was collected meanwhile. After a fast parse there is no Document
 * yet: the first diagnostic that needs a position parses the text carefully.
 */
function yamlLocator(text: string | (() => string), parsed: { doc: Document; lineCounter: LineCounter } | undefined): Locate {
  type Held = { doc: Document; lineCounter: LineCounter; byKey: Map<object, Map<string, Pair>> };
  let ref: WeakRef<Held> | undefined = parsed === undefined ? undefined : new WeakRef({ ...parsed, byKey: new Map() });
  const current = (): Held => {
    let held = ref?.deref();
    if (held === undefined) {
      held = { ...parseYaml(typeof text === 'string' ? text : text()), byKey: new Map() };
      ref = new WeakRef(held);
    }
    return held;
  };
  return (path) => {
    const { isAlias, isMap, isScalar, isSeq } = yamlPackage();
    const { doc, lineCounter, byKey } = current();
    // Per map, its pairs by key text, built on first use: objects are located one by one, and a
    // linear search of a map of 100,000 routers for each of them would be quadratic.
    const pairOf = (map: { items: Pair[] }, segment: string): Pair | undefined => {
      let index = byKey.get(map);
      if (index === undefined) {
        index = new Map();
        for (const p of map.items) {
          if (!isScalar(p.key)) continue;
          const k = String(p.key.value);
          if (!index.has(k)) index.set(k, p);
        }
        byKey.set(map, index);
      }
      return index.get(segment);
    };
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
        const pair = pairOf(node, segment);
        if (pair === undefined) break;
        best = yamlNodePosition(pair.key, lineCounter) ?? best;
        node = pair.value;
      } else break;
    }
    return best;
  };
}
