/**
 * The file provider's pure half: file contents in, one DynamicConfig out (plus where each object
 * came from and every diagnostic). No I/O here; watch.ts reads the files and calls this.
 *
 * Choices, improving on Traefik where it helps (each is tested):
 * - One file that does not parse does NOT discard the others (Traefik drops the whole provider,
 *   traefik/traefik#10890). If an earlier version of that file parsed, that last good version is
 *   kept (the diagnostic says so): a half-saved file does not take routes down. If it never parsed,
 *   its objects are left out.
 * - A file that declared objects and becomes empty (nothing but whitespace, comments or `{}`), as
 *   while an editor or `cat a > dyn.yml` truncates it before writing, also keeps its last good
 *   version, with a TPK_CFG_EMPTY_FILE warning (Traefik skips an empty configuration). To remove
 *   every object of a file, delete it from the directory or leave e.g. `http: {}` in it. A file
 *   empty from the start is simply empty.
 * - An object (router, service, middleware, serversTransport) that stops validating keeps its last
 *   valid version from the same file, and its errors say `keeping its last valid version` (still
 *   errors, so `turnpike check` fails): a typo in one key does not turn its traffic into 404s. A
 *   new object that never validated is left out. The kept version expires when the object is
 *   removed from the file (or the file from the set) or validates again.
 * - The same object name in two files is an error naming both files, and the object is left out
 *   (Traefik keeps whichever file sorts first, with a warning). Identical definitions (e.g. a
 *   Kubernetes ConfigMap mount seen twice) are only a warning and apply once.
 * - The `tls` section is validated whole each time its file changes (it is small); its objects do not
 *   keep last valid versions. Certificates of several files are concatenated; the same options or
 *   store name in two files is an error naming both (tls-merge.ts).
 */
import { isUtf8 } from 'node:buffer';
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES, type DynamicCode } from '../../config/dynamic/codes.js';
import { freezeFresh } from '../../config/dynamic/freeze.js';
import { sameData } from '../../config/dynamic/same-data.js';
import { isPlainObject, markQualified, qualifyRef, setOwn } from '../../config/dynamic/schema/fields.js';
import type { DynamicConfig, HttpConfig, ObjectOrigin, TlsConfig } from '../../config/dynamic/types.js';
import { type DynamicValidation, type HttpCollection, type Locate, validateDynamic } from '../../config/dynamic/validate.js';
import { type TextDiff, TextRope, diffBytes, middleOf } from './file-text.js';
import { blocksOf, type IncrementalState, originsOf, replaceObjectSteps, tryIncremental, valueEnd, valueText } from './incremental.js';
import { BLOCK_COLLECTIONS, splitObjectKey } from './block-index.js';
import { type ParsedFile, parseDynamicFile, parseLocator } from './parse.js';
import { mergeFileTls } from './tls-merge.js';

/**
 * A file's content, or why it could not be read. The provider reads bytes, decoded only where they
 * differ from the kept text (file-text.ts); a text is taken too (tests, one-off reads).
 */
export type SourceFile =
  | {
      readonly path: string;
      readonly text: string;
    }
  | {
      readonly path: string;
      readonly bytes: Buffer;
    }
  | { readonly path: string; readonly error: { readonly code: DynamicCode; readonly message: string } };

/** The last good parse of each file, carried from one translation to the next. */
export type FileCache = ReadonlyMap<string, CachedFile>;

export interface CachedFile {
  /**
   * The file's text when this entry was made. A new read's bytes are compared with it encoded a chunk
   * at a time (file-text.ts), not decoded whole. For a YAML file read by the fast parser (every large
   * one) it is, in pieces, the parser's copy of the text plus the edits spliced since. The file
   * provider packs it between reads (TextRope.pack: deflated, off the V8 heap); the objects' strings
   * are copies, not slices of it (fast-yaml.ts), so nothing else holds the text.
   */
  readonly text: TextRope;
  /**
   * The bytes as read, kept only when they are not valid UTF-8: the text holds U+FFFD for what the
   * decoder replaced and would never compare equal to them again.
   */
  readonly bytes?: Buffer | undefined;
  readonly locate: Locate;
  /**
   * The object versions the file contributed last time, keyed `http.routers.<name>` etc.: each
   * valid object, or the kept last valid version of one that no longer validates.
   */
  readonly objects: FileObjects;
  /**
   * For each object that validated with no diagnostic, what its data is compared by at the next
   * reload to reuse it: its text (a slice of `text`) or its decoded data. Absent when the file has
   * `incremental` state: its columns say where each object's text is (incremental.ts).
   */
  readonly clean?: ReadonlyMap<string, unknown> | undefined;
  /** Where each declared object is, as validated (read from the columns when there are some). */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  /** The file's validation diagnostics, given again while its text is unchanged. */
  readonly diagnostics: readonly Diagnostic[];
  /** After a clean fast read: what a one-object edit needs to skip reading the whole file (incremental.ts). */
  readonly incremental?: IncrementalState | undefined;
  /** The file's validated `tls` section; undefined when it has none. */
  readonly tls?: TlsConfig | undefined;
  /** TranslateOptions.provider when the entry was made: its objects' references are qualified with it. */
  readonly provider?: string | undefined;
}

/**
 * A file's objects by collection and name (its validated config, plus kept last valid versions):
 * keyed `name@provider` when translated with TranslateOptions.provider (markQualified), as the
 * names are written otherwise.
 */
export type FileObjects = { readonly [K in HttpCollection]: Readonly<Record<string, HttpConfig[K][string]>> };

/** The object of `objects` whose origin key is `http.routers.<name>` etc., or undefined. */
function objectAt(objects: FileObjects, key: string, provider: string | undefined): unknown {
  const split = splitObjectKey(key);
  if (split === undefined) return undefined;
  // A name with `@` (or none) is never an object of the file (validateDynamic refuses it): qualified
  // as it is, `a@file` would find the object named `a`.
  if (split.name === '' || split.name.includes('@')) return undefined;
  const record: Readonly<Record<string, unknown>> = objects[BLOCK_COLLECTIONS[split.collection] as HttpCollection];
  const name = qualifyRef(split.name, provider);
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function hasObjects(objects: FileObjects, tls: TlsConfig | undefined): boolean {
  if (tls !== undefined && (tls.certificates.length > 0 || Object.keys(tls.options).length > 0 || Object.keys(tls.stores).length > 0)) return true;
  return COLLECTIONS.some((c) => Object.keys(objects[c.key]).length > 0);
}

/**
 * What each object of a cached file was compared by (see CachedFile.clean), by origin key:
 * read from the columns when the file has them, trying the object after the last one found
 * first (a whole read asks in the order of the text).
 */
function lastFingerprints(last: CachedFile): ((key: string) => unknown) | undefined {
  const state = last.incremental;
  if (state === undefined) {
    const clean = last.clean;
    return clean === undefined ? undefined : (key) => clean.get(key);
  }
  let hint = 0;
  return (key) => {
    const split = splitObjectKey(key);
    const j = split === undefined ? -1 : state.blocks.names.find(split.collection, split.name, hint);
    if (j < 0) return undefined;
    hint = j + 1;
    return valueText(state, j);
  };
}

export interface TranslateOptions {
  /** false: read every changed file whole (no one-object splice). */
  readonly splice?: boolean;
  /**
   * The provider's name: references are validated qualified with it (`service: api` as
   * `api@file`), so that the provider state needs no qualified copy of each router. A cache entry
   * made with another name (or none) is not used: the file is read whole.
   */
  readonly provider?: string;
}

/** A file that parsed. */
type ParsedDocument = { readonly text: string; readonly bytes: Buffer } & Extract<ParsedFile, { ok: true }>;

/** Whether `bytes` is the content `entry` was made from. */
export function sameContent(entry: CachedFile, bytes: Buffer): boolean {
  return entry.bytes !== undefined ? entry.bytes.equals(bytes) : compare(entry.text, bytes) === undefined;
}

/**
 * The last comparison made, held weakly: the watcher's unchanged check and then the translation
 * compare the same text with the same new bytes, ~1 ms per 2 MB each, in one block.
 */
let lastCompare: { readonly text: WeakRef<TextRope>; readonly bytes: WeakRef<Buffer>; readonly diff: TextDiff | undefined } | undefined;

function compare(text: TextRope, bytes: Buffer): TextDiff | undefined {
  if (lastCompare !== undefined && lastCompare.text.deref() === text && lastCompare.bytes.deref() === bytes) return lastCompare.diff;
  const diff = diffBytes(text, bytes);
  lastCompare = { text: new WeakRef(text), bytes: new WeakRef(bytes), diff };
  return diff;
}

/** A file's content as bytes (encoded when it was given as a text). */
export function bytesOf(file: { readonly text: string } | { readonly bytes: Buffer }): Buffer {
  return 'bytes' in file ? file.bytes : Buffer.from(file.text, 'utf8');
}

function textOf(file: { readonly text: string } | { readonly bytes: Buffer }): string {
  return 'text' in file ? file.text : file.bytes.toString('utf8');
}

/** `last` with one edited object spliced in (incremental.ts), or undefined: read the file whole. */
function* splice(last: CachedFile, state: IncrementalState, path: string, bytes: Buffer, diff: TextDiff, provider: string | undefined): Generator<void, CachedFile | undefined, void> {
  const middle = middleOf(bytes, diff);
  // The new text: the kept one with the middle replaced (pieces; nothing of the rest is copied).
  const text = state.source.spliced(diff.prefix, state.source.length - diff.suffix, middle);
  // A Go template, perhaps: the whole read warns about it. The kept text has no `{{` (else it is
  // not spliced), so a new one has a brace in the middle: look there and one character around it,
  // not through the whole 2 MB again.
  if (text.slice(Math.max(0, diff.prefix - 1), diff.prefix + middle.length + 1).includes('{{')) return undefined;
  // Positions for diagnostics come from a careful parse of the whole new text, joined only when
  // asked (and not kept: the locator holds its parse weakly and joins again if it has to).
  const locate = parseLocator(path, () => text.toString());
  const edit = tryIncremental(state, diff, text, path, last.origins, locate, provider);
  if (edit === undefined) return undefined;
  yield;
  const objects = yield* replaceObjectSteps(last.objects, edit.collection, qualifyRef(edit.name, provider), edit.value);
  if (provider !== undefined) markQualified(objects[edit.collection], provider);
  return Object.freeze({
    text: edit.state.source,
    locate,
    objects,
    origins: edit.origins,
    diagnostics: last.diagnostics,
    incremental: edit.state,
    tls: last.tls,
    provider,
  });
}

export interface FileTranslation {
  readonly config: DynamicConfig;
  /** Keyed `http.routers.<name>` etc.; every declared object, including those left out. */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
  /** Pass back as `previous` next time. */
  readonly cache: FileCache;
  /** How many files were updated by splicing one edited object instead of reading them whole. */
  readonly incremental?: number;
  /**
   * The files whose cache entry is their content as given (unchanged, read or spliced), as opposed
   * to a last good version kept because the content did not parse.
   */
  readonly current: ReadonlySet<string>;
}

const COLLECTIONS: readonly { key: HttpCollection; what: string; prefix: string }[] = [
  { key: 'routers', what: 'router', prefix: 'http.routers.' },
  { key: 'services', what: 'service', prefix: 'http.services.' },
  { key: 'middlewares', what: 'middleware', prefix: 'http.middlewares.' },
  { key: 'serversTransports', what: 'serversTransport', prefix: 'http.serversTransports.' },
];

const TEMPLATE = /\{\{[\s\S]*?\}\}/;

/** Ends the errors of an object that no longer validates but had a valid version before. */
const KEPT = 'keeping its last valid version';

/** `splice: false` reads every changed file whole (the differential test's reference). */
export function translateFiles(files: readonly SourceFile[], previous: FileCache = new Map(), options: TranslateOptions = {}): FileTranslation {
  const steps = translateFilesSteps(files, previous, options);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * translateFiles as a generator: it yields between the parts of a one-object edit (the edit
 * itself, then the copy of its collection every ~1,000 names), so that the file provider can run
 * it in slices beside the data path. A file read whole is one step.
 */
export function* translateFilesSteps(
  files: readonly SourceFile[],
  previous: FileCache = new Map(),
  options: TranslateOptions = {},
): Generator<void, FileTranslation, void> {
  const diagnostics: Diagnostic[] = [];
  const cache = new Map<string, CachedFile>();
  let incrementalCount = 0;
  const current = new Set<string>();
  // Per file: its new parse, or its cached outcome (unchanged, or kept because the new text is bad).
  const documents: ({ path: string; parsed: ParsedDocument; last: CachedFile | undefined } | { path: string; parsed: undefined; last: CachedFile })[] = [];

  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const cached = previous.get(file.path);
    // Objects validated with another provider name (or none) would mix with these: not reused.
    const last = cached?.provider === options.provider ? cached : undefined;
    let parsed: ParsedDocument | undefined;
    if (!('error' in file)) {
      const bytes = bytesOf(file);
      const diff = last === undefined || last.bytes !== undefined ? undefined : compare(last.text, bytes);
      const changed = last === undefined || !sameContent(last, bytes);
      const spliced = options.splice !== false && last?.incremental !== undefined && diff !== undefined ? yield* splice(last, last.incremental, file.path, bytes, diff, options.provider) : undefined;
      if (!changed || spliced !== undefined) current.add(file.path);
      if (spliced !== undefined) {
        incrementalCount++;
        documents.push({ path: file.path, parsed: undefined, last: spliced });
        continue;
      }
      if (changed) {
        const text = textOf(file);
        const result = parseDynamicFile(file.path, text);
        if (!result.ok) {
          diagnostics.push(keptOrDropped(result.diagnostic, last));
        } else if (last !== undefined && hasObjects(last.objects, last.tls) && isEmptyDocument(result.raw)) {
          diagnostics.push({
            code: DYNAMIC_CODES.EMPTY_FILE,
            severity: 'warning',
            message: 'the file is empty (perhaps being written); keeping the last good version of this file until it has content again',
            source: file.path,
          });
        } else {
          parsed = { text, bytes, ...result };
          current.add(file.path);
        }
      }
    } else {
      const severity = file.error.code === DYNAMIC_CODES.FILE_NOT_FOUND ? 'warning' : 'error';
      diagnostics.push(keptOrDropped({ code: file.error.code, severity, message: file.error.message, source: file.path }, last));
    }
    if (parsed !== undefined) documents.push({ path: file.path, parsed, last });
    else if (last !== undefined) documents.push({ path: file.path, parsed: undefined, last });
  }

  const validations = documents.map((doc) => {
    if (doc.parsed === undefined) {
      // Same text as last time, or a bad new text: the last outcome stands as it was.
      diagnostics.push(...doc.last.diagnostics);
      cache.set(doc.path, doc.last);
      return doc.last;
    }
    const { parsed, last } = doc;
    const { spanOf, source } = parsed;
    // The data an object is compared by at the next reload: its text when the fast parser gave it
    // (the file's text is kept anyway), else the decoded data itself.
    const fingerprint = (raw: unknown): unknown => {
      const span = spanOf !== undefined && source !== undefined && typeof raw === 'object' && raw !== null ? spanOf(raw) : undefined;
      return span === undefined || source === undefined ? raw : source.slice(span[0], valueEnd(source, span[0], span[1]));
    };
    // An object whose data is as when it last validated cleanly is taken as it was (a one-router
    // edit in a file of 10,000 validates one router).
    const before = last === undefined ? undefined : lastFingerprints(last);
    const reuse = last === undefined || before === undefined ? undefined : (key: string, raw: unknown): unknown => {
      const was = before(key);
      if (was === undefined) return undefined;
      const now = fingerprint(raw);
      const same = typeof was === 'string' || typeof now === 'string' ? was === now : sameData(was, now);
      return same ? objectAt(last.objects, key, last.provider) : undefined;
    };
    const v = validateDynamic(parsed.raw, {
      source: doc.path,
      locate: parsed.locate,
      ...(parsed.locateLine ? { locateLine: parsed.locateLine } : {}),
      ...(reuse ? { reuse } : {}),
      ...(options.provider !== undefined ? { provider: options.provider } : {}),
    });
    const own: Diagnostic[] = [];
    if (TEMPLATE.test(parsed.text)) {
      own.push({
        code: DYNAMIC_CODES.UNSUPPORTED,
        severity: 'warning',
        message: 'Go templates ({{ ... }}) in dynamic files are not supported yet: the file is read as plain YAML/TOML',
        source: doc.path,
      });
    }
    const objects = keepLastValid(v, last?.objects, own, options.provider);
    diagnostics.push(...own);
    // js-yaml parses its own copy of the text (ended with a NUL), where the positions it gave are: keep
    // it rather than the text as read. Its copy differs when js-yaml dropped a byte-order mark or
    // added a final newline: then the positions are not the text's, and nothing is spliced (the
    // file is read whole on each change).
    const asParsed = parsed.source !== undefined && parsed.source === parsed.text;
    const text = TextRope.of(asParsed ? parsed.source : parsed.text);
    // Every object clean and read fast: the next one-object edit can be spliced in. Objects outside
    // the http collections (tls) are not blocks: an edit touching them reads the file whole, and
    // their origins move with the lines an edit above them adds or removes.
    const others = v.config.tls === undefined ? [] : otherOrigins(v.origins);
    const positions = parsed.keyLineStartOf !== undefined && spanOf !== undefined && source !== undefined ? { text: source, keyLineStartOf: parsed.keyLineStartOf, spanOf } : undefined;
    const blocks = own.length === 0 && v.clean.size + others.length === v.origins.size && asParsed && !parsed.text.includes('{{') && positions !== undefined ? blocksOf(v.config.http, v.clean, v.origins, positions, options.provider) : undefined;
    const lined = others.flatMap((o) => (o.line === undefined ? [] : [{ key: o.key, line: o.line }]));
    const incremental: IncrementalState | undefined = blocks !== undefined && lined.length === others.length ? { source: text, blocks, ...(lined.length > 0 ? { others: lined } : {}) } : undefined;
    // With columns, neither a map of fingerprints nor one of origins is kept (block-index.ts).
    let clean: Map<string, unknown> | undefined;
    if (incremental === undefined) {
      clean = new Map<string, unknown>();
      for (const [key, raw] of v.clean) clean.set(key, fingerprint(raw));
    }
    const origins = incremental === undefined ? v.origins : originsOf(doc.path, incremental);
    // After a fast parse the locator has parsed nothing yet: one that joins the kept text when first
    // asked, rather than one holding the parser's text, which the cache packs (TextRope.pack).
    const locate = asParsed ? ropeLocator(doc.path, text) : parsed.locate;
    const entry: CachedFile = { text, ...(isUtf8(parsed.bytes) ? {} : { bytes: parsed.bytes }), locate, objects, clean, origins, diagnostics: own, incremental, tls: v.config.tls, provider: options.provider };
    cache.set(doc.path, entry);
    return entry;
  });

  // The cache holds each file's decoded data, which nothing downstream sees: frozen shallowly, not
  // walked (a 10,000-router file is 180,000 nodes).
  for (const entry of cache.values()) Object.freeze(entry);
  const only = validations.length === 1 ? validations[0] : undefined;
  if (only !== undefined) {
    // One file: its objects and origins are the provider's as they are (no copies of 10,000-name maps).
    const config: DynamicConfig = only.tls === undefined ? { http: only.objects } : { http: only.objects, tls: only.tls };
    return Object.freeze({ config: freezeFresh(config), origins: freezeFresh(only.origins), diagnostics: freezeFresh(diagnostics), cache: Object.freeze(cache), incremental: incrementalCount, current });
  }

  const http: { [K in HttpCollection]: Record<string, HttpConfig[K][string]> } = { routers: {}, services: {}, middlewares: {}, serversTransports: {} };
  const origins = new Map<string, ObjectOrigin>();
  // Each file's object keys by collection, in one pass (routers of every file first, as declared).
  const byCollection = validations.map((v) => {
    const lists: Record<HttpCollection, string[]> = { routers: [], services: [], middlewares: [], serversTransports: [] };
    for (const originKey of v.origins.keys()) {
      const c = COLLECTIONS.find((x) => originKey.startsWith(x.prefix));
      if (c !== undefined) lists[c.key].push(originKey);
    }
    return lists;
  });
  for (const { key, what, prefix } of COLLECTIONS) {
    const firsts = new Map<string, { origin: ObjectOrigin; value: unknown }>();
    // Names declared in more than one file: rare, so only they get a list.
    let repeated: Map<string, { origin: ObjectOrigin; value: unknown }[]> | undefined;
    validations.forEach((v, i) => {
      for (const originKey of byCollection[i]?.[key] ?? []) {
        const name = originKey.slice(prefix.length);
        const def = { origin: v.origins.get(originKey) ?? { source: '' }, value: objectAt(v.objects, originKey, options.provider) };
        const first = firsts.get(name);
        if (first === undefined) {
          firsts.set(name, def);
          continue;
        }
        repeated ??= new Map();
        const list = repeated.get(name) ?? [first];
        list.push(def);
        repeated.set(name, list);
      }
    });
    for (const [name, first] of firsts) {
      origins.set(prefix + name, first.origin);
      const defs = repeated?.get(name);
      if (defs === undefined) {
        if (first.value !== undefined) setOwn<unknown>(http[key], qualifyRef(name, options.provider), first.value);
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
      if (identical) setOwn<unknown>(http[key], qualifyRef(name, options.provider), first.value);
    }
  }

  if (options.provider !== undefined) for (const record of Object.values(http)) markQualified(record, options.provider);
  const tls = mergeFileTls(validations, origins, diagnostics);
  const config: DynamicConfig = tls === undefined ? { http } : { http, tls };
  return Object.freeze({ config: freezeFresh(config), origins: freezeFresh(origins), diagnostics: freezeFresh(diagnostics), cache: Object.freeze(cache), incremental: incrementalCount, current });
}

/**
 * A locator that joins `text` when first asked. Made out here: a closure made in the translation's
 * scope would share its context, and keep the parse (its `source`, `spanOf`) for the cache's life.
 */
function ropeLocator(path: string, text: TextRope): Locate {
  return parseLocator(path, () => text.toString());
}

/** Origins of the objects outside the http collections (the tls section's), with their lines. */
function otherOrigins(origins: ReadonlyMap<string, ObjectOrigin>): { key: string; line: number | undefined }[] {
  const out: { key: string; line: number | undefined }[] = [];
  for (const [key, o] of origins) if (!key.startsWith('http.')) out.push({ key, line: o.line });
  return out;
}

/**
 * The objects one file contributes: every valid object, plus the last valid version (from
 * `lastObjects`) of each object that no longer validates. Appends the file's diagnostics, those
 * of a kept object saying so instead of "left out".
 */
function keepLastValid(v: DynamicValidation, lastObjects: FileObjects | undefined, diagnostics: Diagnostic[], provider: string | undefined): FileObjects {
  // Usually nothing is kept: the validated records are the file's objects, shared, not copied.
  let objects: { -readonly [K in HttpCollection]: Record<string, HttpConfig[K][string]> } | undefined;
  const rewritten = new Map<Diagnostic, Diagnostic>();
  const extra: Diagnostic[] = [];
  for (const [objectKey, errors] of v.rejected) {
    const kept = lastObjects === undefined ? undefined : objectAt(lastObjects, objectKey, provider);
    const collection = COLLECTIONS.find((c) => objectKey.startsWith(c.prefix));
    if (kept === undefined || collection === undefined) continue;
    objects ??= { routers: { ...v.config.http.routers }, services: { ...v.config.http.services }, middlewares: { ...v.config.http.middlewares }, serversTransports: { ...v.config.http.serversTransports } };
    setOwn<unknown>(objects[collection.key], qualifyRef(objectKey.slice(collection.prefix.length), provider), kept);
    const leftOut = `; this ${collection.what} is left out`;
    for (const e of errors) {
      const reason = e.message.endsWith(leftOut) ? e.message.slice(0, -leftOut.length) : e.message;
      rewritten.set(e, { ...e, message: `${reason}; ${KEPT}` });
    }
    if (errors.length === 0) {
      const name = objectKey.slice(collection.key.length + 6);
      const origin = v.origins.get(objectKey);
      const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
        code: DYNAMIC_CODES.INVALID_VALUE,
        severity: 'error',
        message: `${collection.what} "${name}" is not valid; ${KEPT}`,
        source: origin?.source ?? '',
        path: objectKey,
        object: name,
      };
      if (origin?.line !== undefined) d.line = origin.line;
      extra.push(d);
    }
  }
  for (const d of v.diagnostics) diagnostics.push(rewritten.get(d) ?? d);
  diagnostics.push(...extra);
  if (objects === undefined) return v.config.http;
  if (provider !== undefined) for (const record of Object.values(objects)) markQualified(record, provider);
  return freezeFresh(objects);
}

/** Nothing declared at all: an empty file, only comments, or `{}` (TOML reads comments as `{}`). */
function isEmptyDocument(raw: unknown): boolean {
  return raw === null || raw === undefined || (isPlainObject(raw) && Object.keys(raw).length === 0);
}

function where(origin: ObjectOrigin): string {
  return origin.line === undefined ? origin.source : `${origin.source}:${origin.line}`;
}

function keptOrDropped(d: Diagnostic, last: CachedFile | undefined): Diagnostic {
  const outcome = last === undefined ? 'its objects are left out' : 'keeping the last good version of this file';
  return { ...d, message: `${d.message}; ${outcome}` };
}
