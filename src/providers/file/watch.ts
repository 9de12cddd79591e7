/**
 * The file provider (`providers.file`): reads `filename` or every YAML/TOML file under
 * `directory`, emits the translated configuration, then (with `watch`, the default) watches and
 * re-emits on every change.
 *
 * Watching: one `fs.watch` per directory — every folder of `directory`, or the parent folder of
 * `filename` (as Traefik) — so editors that save by renaming a temporary file over the original,
 * and new files and folders, are seen. Any event re-reads the whole set, after a short settle
 * (`settleMs`, default 50 ms, counted from the first event) so that a save made of several writes
 * (truncate, then write; `(cat a; cat b) > f`) is usually read once, whole. Reads never overlap,
 * and an event during the settle or a read causes exactly one more read, so no event is ever
 * dropped: the last read always follows the last change, and its result is emitted unless it
 * equals the previous emit (the aggregator is latest-wins, so the final content always applies).
 * (chokidar was tried first: it throttles change events per path and drops them, which lost the
 * second of two quick saves.) After each read the set of watched folders follows the folders found.
 * A file caught empty mid-save keeps its last good version (see translate.ts); a half-written file
 * that happens to parse cannot be told apart and applies until the next read.
 *
 * A file missing at start is a warning and an empty configuration (Traefik starts anyway); if the
 * single watched file disappears later, its last good version is kept (with a warning) until it
 * comes back. Known gap: a `directory` that does not exist at start is not watched for creation.
 */
import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES } from '../../config/dynamic/codes.js';
import { freezeFresh } from '../../config/dynamic/freeze.js';
import { EMPTY_DYNAMIC, type DynamicConfig, type ObjectOrigin } from '../../config/dynamic/types.js';
import type { FileProviderConfig } from '../../config/static/types.js';
import { nextSlice, runSteps } from '../../scheduling/background.js';
import { shrinkStringTableSoon } from '../../scheduling/string-table.js';
import { PACK_MIN_LENGTH } from './file-text.js';
import type { Provider, ProviderMessage } from '../provider.js';
import { readTarget, targetOf } from './read.js';
import { type CachedFile, type FileCache, type SourceFile, bytesOf, sameContent, translateFiles, translateFilesSteps } from './translate.js';

export interface FileProviderOptions {
  /** Namespace of the objects (`api@file`); default `file`. */
  readonly name?: string;
  /** Delay between a change event and the read it causes, ms; default 50. */
  readonly settleMs?: number;
  /** Called as each look at the files ends: `read` false when their stamp said they had not changed (tests). */
  readonly onLoaded?: (read: boolean) => void;
  /** How long the files must go unchanged before their kept texts are packed, ms; default PACK_DELAY_MS. */
  readonly packDelayMs?: number;
  /** How long a file must have gone unwritten before its stat stands for its content, ms; default QUIET_MS (tests). */
  readonly quietMs?: number;
}

const DEFAULT_SETTLE_MS = 50;

/**
 * The kept texts are packed (file-text.ts) once the files have gone this long without a change:
 * packing and unpacking a 2 MB text cost ~10 ms of CPU per save, on the core the data path runs
 * on, which doubled p99 latency while a file of 10,000 routers was saved every 500 ms. Packing is
 * for the idle state, where the text would otherwise sit for hours.
 */
const PACK_DELAY_MS = 5000;

/**
 * How long a file must have gone unwritten before its stat stands for its content (see
 * fileStamp): far above the granularity of file times, so that a write after the stat cannot
 * carry the same change time. Nanosecond times move with a clock tick (1-10 ms on Linux); file
 * systems that keep whole seconds (ext4 with 128-byte inodes, ext3, HFS+; FAT keeps 2 s) get
 * COARSE_QUIET_MS.
 */
const QUIET_MS = 100;
const COARSE_QUIET_MS = 3000;

/**
 * The single file's identity, size and times, and whether it was last changed more than QUIET_MS
 * before now; undefined when it cannot be stat'ed (the read reports why). Every write changes the
 * change time (ctime: `touch` and chmod too, and nothing can set it back), a rename over it the
 * inode, so an equal stamp taken while the file was quiet means the same content.
 */
async function fileStamp(path: string, quietMs: number): Promise<{ readonly stamp: string; readonly quiet: boolean } | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    const coarse = s.ctimeNs % 1_000_000_000n === 0n && s.mtimeNs % 1_000_000_000n === 0n;
    const quiet = Number(s.ctimeNs / 1_000_000n) < Date.now() - (coarse ? Math.max(COARSE_QUIET_MS, quietMs) : quietMs);
    return { stamp: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`, quiet };
  } catch {
    return undefined;
  }
}

export function createFileProvider(cfg: FileProviderConfig, options: FileProviderOptions = {}): Provider {
  const name = options.name ?? 'file';
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  return {
    name,
    start: (signal, emit) => runFileProvider(name, cfg, settleMs, signal, emit, options.onLoaded, options.packDelayMs ?? PACK_DELAY_MS, options.quietMs ?? QUIET_MS),
  };
}

/** Reads the configured files once, for `turnpike check`: the configuration and every problem. */
export async function checkDynamicFiles(cfg: FileProviderConfig): Promise<{
  config: DynamicConfig;
  origins: ReadonlyMap<string, ObjectOrigin>;
  diagnostics: readonly Diagnostic[];
}> {
  const { target, diagnostics: setup } = targetOf(cfg);
  if (target === undefined) return freezeFresh({ config: EMPTY_DYNAMIC, origins: new Map<string, ObjectOrigin>(), diagnostics: setup });
  const read = await readTarget(target);
  const t = translateFiles(read.files);
  return freezeFresh({ config: t.config, origins: t.origins, diagnostics: [...setup, ...read.diagnostics, ...t.diagnostics] });
}

async function runFileProvider(
  name: string,
  cfg: FileProviderConfig,
  settleMs: number,
  signal: AbortSignal,
  emit: (m: ProviderMessage) => void,
  onLoaded: ((read: boolean) => void) | undefined,
  packDelayMs: number,
  quietMs: number,
): Promise<void> {
  const { target, diagnostics: setup } = targetOf(cfg);
  if (target === undefined) {
    if (!signal.aborted) emit(freezeFresh({ provider: name, config: EMPTY_DYNAMIC, origins: new Map<string, ObjectOrigin>(), diagnostics: setup }));
    return;
  }

  let cache: FileCache = new Map();
  /** What the last read found (see load()). */
  let last: { readonly files: readonly SeenFile[]; readonly problems: string } | undefined;
  let dirty = false;
  let running: Promise<void> | undefined;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let settle: NodeJS.Timeout | undefined;
  const watchers = new DirectoryWatchers(
    () => changed(),
    (dir, err) => {
      watchErrors.set(dir, `cannot watch ${dir} for changes: ${err.message}`);
      trigger();
    },
  );
  const watchErrors = new Map<string, string>();
  /**
   * The single file's stamp (fileStamp) at the last read that completed, when it was quiet then:
   * an event that finds the same stamp (another file of the folder written, a log next to the
   * configuration) does not read the file again. A 20 MB file read for each log line was 20 MB
   * of garbage each time, and more RSS kept.
   */
  let quietStamp: string | undefined;
  /**
   * Packs the cache's texts once the files have gone packDelayMs without a read: those of files
   * with columns (incremental state) only. Another file's objects are compared by slices of its
   * text (CachedFile.clean), which keep it whole anyway. Not without watch: the cache goes then.
   */
  let packTimer: NodeJS.Timeout | undefined;
  const packLater = (): void => {
    clearTimeout(packTimer);
    if (!cfg.watch) return;
    packTimer = setTimeout(() => {
      packTimer = undefined;
      for (const entry of cache.values()) if (entry.incremental !== undefined) void entry.text.pack();
    }, packDelayMs);
    packTimer.unref();
  };

  const load = async (): Promise<void> => {
    const before = target.kind === 'file' ? await fileStamp(target.path, quietMs) : undefined;
    if (before !== undefined && before.stamp === quietStamp && watchErrors.size === 0) {
      onLoaded?.(false);
      return;
    }
    quietStamp = undefined;
    // Taken before the read: a write during the read changes the stamp, and the next event reads.
    const stamp = before?.quiet === true && watchErrors.size === 0 ? before.stamp : undefined;
    try {
      await readAndEmit(stamp);
    } finally {
      onLoaded?.(true);
    }
  };

  const readAndEmit = async (stamp: string | undefined): Promise<void> => {
    // No pack while the files are read (a deflate already running is told apart: file-text.ts).
    clearTimeout(packTimer);
    const read = await readTarget(target);
    if (signal.aborted) return;
    if (cfg.watch && watchers.sync(read.directories)) dirty = true; // a new folder: read once more
    for (const dir of read.directories) if (watchers.has(dir)) watchErrors.delete(dir);
    const watchDiagnostics: Diagnostic[] = [...watchErrors].map(([dir, message]) => ({
      code: DYNAMIC_CODES.FILE_READ,
      severity: 'error',
      message,
      source: dir,
    }));
    // Nothing to do when every file and problem is as at the last read: the bytes compared with the
    // cache's text (file-text.ts; about 1 ms per 2 MB, with no copy of the file made; a packed text
    // is inflated a chunk at a time on the thread pool), or with the bytes last read when the cache
    // does not hold them (a file that did not parse).
    const problems = JSON.stringify([read.diagnostics, watchDiagnostics]);
    if (last !== undefined && problems === last.problems && (await sameFiles(read.files, last.files))) {
      quietStamp = stamp;
      return;
    }
    if (signal.aborted) return;
    // The cache's large texts are packed when the files have been unchanged a while (packLater):
    // inflated on the thread pool for this read, packed again once the files are quiet.
    await Promise.all([...cache.values()].map((entry) => entry.text.unpack()));
    if (signal.aborted) return;
    try {
      last = { files: read.files, problems };
      const files = read.files;
      // In slices on the process's background queue (one budget per event-loop turn, shared with the
      // aggregator and the compiler; scheduling/background.ts).
      const t = await runSteps(translateFilesSteps(files, cache, { provider: name }), () => signal.aborted);
      if (t === undefined) return;
      cache = t.cache;
      // What to compare the next read with: the cache's text where it is this content, so that the
      // bytes as read can go.
      last = { files: files.map((f) => seenOf(f, cache, t.current)), problems };
      // And again before the aggregator takes it: its first slice would otherwise extend this block.
      await nextSlice();
      if (signal.aborted) return;
      emit(freezeFresh({ provider: name, config: t.config, origins: t.origins, diagnostics: [...setup, ...watchDiagnostics, ...read.diagnostics, ...t.diagnostics] }));
      quietStamp = stamp;
      // A large file read whole internalized every name of it, twice (scheduling/string-table.ts).
      if (t.incremental !== files.length && [...cache.values()].some((entry) => entry.text.length >= PACK_MIN_LENGTH)) shrinkStringTableSoon();
    } finally {
      packLater();
    }
  };

  /** A change event: read after the settle delay (events meanwhile join that read). */
  function changed(): void {
    if (signal.aborted || failure !== undefined || settle !== undefined) return;
    settle = setTimeout(() => {
      settle = undefined;
      trigger();
    }, settleMs);
  }

  function trigger(): void {
    if (signal.aborted || failure !== undefined) return;
    if (running !== undefined) {
      dirty = true;
      return;
    }
    running = (async () => {
      do {
        dirty = false;
        await load();
      } while (dirty && !signal.aborted);
    })()
      .catch((err: unknown) => {
        failure = err instanceof Error ? err : new Error(`file provider failed: ${String(err)}`);
        wake?.();
      })
      .finally(() => {
        running = undefined;
      });
  }

  if (!cfg.watch) {
    await load();
    return;
  }

  try {
    // Watch the root before the first read, so nothing written after that read is missed.
    watchers.sync([target.kind === 'directory' ? target.path : dirname(target.path)]);
    trigger();
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    watchers.close();
    if (settle !== undefined) clearTimeout(settle);
    settle = undefined;
    await running;
    clearTimeout(packTimer);
  }
  if (failure !== undefined) throw failure;
}

/**
 * One fs.watch per directory; `sync` makes the watched set equal to the given folders. A folder
 * that cannot be watched is reported once and not retried while it stays in the set.
 */
class DirectoryWatchers {
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #failed = new Set<string>();
  readonly #onEvent: () => void;
  readonly #onError: (dir: string, err: Error) => void;

  constructor(onEvent: () => void, onError: (dir: string, err: Error) => void) {
    this.#onEvent = onEvent;
    this.#onError = onError;
  }

  has(dir: string): boolean {
    return this.#watchers.has(dir);
  }

  /** Returns true when a folder was added (the caller reads again to catch what it missed). */
  sync(dirs: readonly string[]): boolean {
    const wanted = new Set(dirs);
    for (const dir of this.#failed) if (!wanted.has(dir)) this.#failed.delete(dir);
    for (const [dir, w] of this.#watchers) {
      if (!wanted.has(dir)) {
        w.close();
        this.#watchers.delete(dir);
      }
    }
    let added = false;
    for (const dir of wanted) {
      if (this.#watchers.has(dir) || this.#failed.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: true }, () => this.#onEvent());
        w.on('error', (err: Error) => {
          w.close();
          if (this.#watchers.get(dir) === w) this.#watchers.delete(dir);
          this.#failed.add(dir);
          this.#onError(dir, err);
        });
        this.#watchers.set(dir, w);
        added = true;
      } catch (err) {
        // Missing folder: nothing to watch; the read reports it (or a later read adds it).
        if (!(typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT')) {
          this.#failed.add(dir);
          this.#onError(dir, err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
    return added;
  }

  close(): void {
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}

/** A file as the last read found it: the cache's entry when it holds the file's content, else the file as read. */
type SeenFile = { readonly path: string; readonly seen: CachedFile } | SourceFile;

function seenOf(file: SourceFile, cache: FileCache, current: ReadonlySet<string>): SeenFile {
  const entry = cache.get(file.path);
  return 'error' in file || entry === undefined || !current.has(file.path) ? file : { path: file.path, seen: entry };
}

/** Same paths in the same order, each with the same content or the same read error. */
async function sameFiles(a: readonly SourceFile[], b: readonly SeenFile[]): Promise<boolean> {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as SourceFile;
    const y = b[i] as SeenFile;
    if (x.path !== y.path) return false;
    if ('error' in x || 'error' in y) {
      if (!('error' in x && 'error' in y) || x.error.code !== y.error.code || x.error.message !== y.error.message) return false;
    } else if ('seen' in y) {
      const bytes = bytesOf(x);
      const packed = y.seen.bytes === undefined ? await y.seen.text.sameBytes(bytes) : undefined;
      if (packed === false || (packed === undefined && !sameContent(y.seen, bytes))) return false;
    } else if (!bytesOf(x).equals(bytesOf(y))) {
      return false;
    }
  }
  return true;
}
