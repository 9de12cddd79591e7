/**
 * The file provider's pure half: file contents in, one DynamicConfig out (plus where each object
 * came from and every diagnostic). No I/O here; watch.ts reads the files and calls this.
 *
 * Choices, improving on Traefik where it helps (each is tested):
 * - One file that does not parse does NOT discard the others (Traefik drops the whole provider,
 *   traefik/traefik#10890). If an earlier version of that file parsed, that last good version is
 *   kept (the diagnostic says so): a half-saved file does not take routes down. If it never parsed,
 *   its objects are left out.
 * - The same object name in two files is an error naming both files, and the object is left out
 *   (Traefik keeps whichever file sorts first, with a warning). Identical definitions (e.g. a
 *   Kubernetes ConfigMap mount seen twice) are only a warning and apply once.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES, type DynamicCode } from '../../config/dynamic/codes.js';
import { deepFreeze } from '../../config/dynamic/freeze.js';
import { setOwn } from '../../config/dynamic/schema/fields.js';
import type { DynamicConfig, HttpConfig, ObjectOrigin } from '../../config/dynamic/types.js';
import { type HttpCollection, type Locate, validateDynamic } from '../../config/dynamic/validate.js';
import { parseDynamicFile } from './parse.js';

/** A file's text, or why it could not be read. */
export type SourceFile =
  | { readonly path: string; readonly text: string }
  | { readonly path: string; readonly error: { readonly code: DynamicCode; readonly message: string } };

/** The last good parse of each file, carried from one translation to the next. */
export type FileCache = ReadonlyMap<string, CachedFile>;

export interface CachedFile {
  readonly text: string;
  readonly raw: unknown;
  readonly locate: Locate;
}

export interface FileTranslation {
  readonly config: DynamicConfig;
  /** Keyed `http.routers.<name>` etc.; every declared object, including those left out. */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
  /** Pass back as `previous` next time. */
  readonly cache: FileCache;
}

const COLLECTIONS: readonly { key: HttpCollection; what: string }[] = [
  { key: 'routers', what: 'router' },
  { key: 'services', what: 'service' },
  { key: 'middlewares', what: 'middleware' },
  { key: 'serversTransports', what: 'serversTransport' },
];

const TEMPLATE = /\{\{[\s\S]*?\}\}/;

export function translateFiles(files: readonly SourceFile[], previous: FileCache = new Map()): FileTranslation {
  const diagnostics: Diagnostic[] = [];
  const cache = new Map<string, CachedFile>();
  const documents: { path: string; raw: unknown; locate: Locate }[] = [];

  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const last = previous.get(file.path);
    if ('text' in file) {
      if (last !== undefined && last.text === file.text) {
        cache.set(file.path, last);
        documents.push({ path: file.path, raw: last.raw, locate: last.locate });
        continue;
      }
      const parsed = parseDynamicFile(file.path, file.text);
      if (parsed.ok) {
        cache.set(file.path, { text: file.text, raw: parsed.raw, locate: parsed.locate });
        documents.push({ path: file.path, raw: parsed.raw, locate: parsed.locate });
        if (TEMPLATE.test(file.text)) {
          diagnostics.push({
            code: DYNAMIC_CODES.UNSUPPORTED,
            severity: 'warning',
            message: 'Go templates ({{ ... }}) in dynamic files are not supported yet: the file is read as plain YAML/TOML',
            source: file.path,
          });
        }
        continue;
      }
      diagnostics.push(keptOrDropped(parsed.diagnostic, last));
    } else {
      const severity = file.error.code === DYNAMIC_CODES.FILE_NOT_FOUND ? 'warning' : 'error';
      diagnostics.push(keptOrDropped({ code: file.error.code, severity, message: file.error.message, source: file.path }, last));
    }
    if (last !== undefined) {
      cache.set(file.path, last);
      documents.push({ path: file.path, raw: last.raw, locate: last.locate });
    }
  }

  const validations = documents.map((doc) => ({ path: doc.path, ...validateDynamic(doc.raw, { source: doc.path, locate: doc.locate }) }));
  for (const v of validations) diagnostics.push(...v.diagnostics);

  const http: { [K in HttpCollection]: Record<string, HttpConfig[K][string]> } = { routers: {}, services: {}, middlewares: {}, serversTransports: {} };
  const origins = new Map<string, ObjectOrigin>();
  for (const { key, what } of COLLECTIONS) {
    const declared = new Map<string, { origin: ObjectOrigin; value: unknown }[]>();
    for (const v of validations) {
      const objects: Readonly<Record<string, unknown>> = v.config.http[key];
      for (const [originKey, origin] of v.origins) {
        if (!originKey.startsWith(`http.${key}.`)) continue;
        const name = originKey.slice(key.length + 6);
        const list = declared.get(name) ?? [];
        list.push({ origin, value: Object.hasOwn(objects, name) ? objects[name] : undefined });
        declared.set(name, list);
      }
    }
    for (const [name, defs] of declared) {
      const first = defs[0];
      if (first === undefined) continue;
      origins.set(`http.${key}.${name}`, first.origin);
      if (defs.length === 1) {
        if (first.value !== undefined) setOwn<unknown>(http[key], name, first.value);
        continue;
      }
      const places = defs.map((d) => where(d.origin)).join(' and ');
      const identical = defs.every((d) => d.value !== undefined && JSON.stringify(d.value) === JSON.stringify(first.value));
      const second = defs[1]?.origin ?? first.origin;
      const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
        code: DYNAMIC_CODES.DUPLICATE_NAME,
        severity: identical ? 'warning' : 'error',
        message: identical
          ? `${what} "${name}" is defined identically in ${places}; it applies once`
          : `${what} "${name}" is defined in ${places}; a name must be defined once per provider, so this ${what} is left out`,
        source: second.source,
        path: `http.${key}.${name}`,
        object: name,
      };
      if (second.line !== undefined) d.line = second.line;
      diagnostics.push(d);
      if (identical) setOwn<unknown>(http[key], name, first.value);
    }
  }

  return deepFreeze({ config: { http }, origins, diagnostics, cache });
}

function where(origin: ObjectOrigin): string {
  return origin.line === undefined ? origin.source : `${origin.source}:${origin.line}`;
}

function keptOrDropped(d: Diagnostic, last: CachedFile | undefined): Diagnostic {
  const outcome = last === undefined ? 'its objects are left out' : 'keeping the last good version of this file';
  return { ...d, message: `${d.message}; ${outcome}` };
}
