/**
 * The TLS manager of one process: builds a TlsState for each configuration (update()), keeps the
 * generated default certificate, and watches the certificate, key and CA files the configuration
 * names: when one changes on disk the state is rebuilt from the same configuration and swapped in,
 * without any configuration change (Traefik needs a configuration change for that). New
 * connections use the new state; established ones keep theirs.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Diagnostic } from '../config/diagnostics.js';
import { EMPTY_TLS, type TlsConfig } from '../config/dynamic/types.js';
import { certificateFiles, certificateNames, loadStore, CertificateStore, type StoredCertificate } from './certificate-store.js';
import { X509Certificate } from 'node:crypto';
import { generatedOnce, type DefaultCertificateSource } from './default-certificate.js';
import type { TlsRouterUse } from './router-tls.js';
import { TlsState, buildAllOptions, buildHostMaps } from './tls-state.js';

export interface TlsManagerOptions {
  /** Where the generated default certificate comes from; default: generated here, once. */
  readonly defaultCertificate?: DefaultCertificateSource;
  /** Watch certificate files for changes (default true). */
  readonly watch?: boolean;
  /** Diagnostics of a rebuild the manager made on its own (a watched file changed). */
  readonly onReload?: (diagnostics: readonly Diagnostic[]) => void;
  /** Quiet time after a file event before rebuilding (ms, default 50): editors write in bursts. */
  readonly settleMs?: number;
}

/** What entry points read: the current state and the default certificate. */
export interface TlsSource {
  readonly state: TlsState;
  /** The generated default certificate (made on first call, then the same one). */
  generatedDefault(): StoredCertificate | Promise<StoredCertificate>;
}

const NO_USES: ReadonlyMap<string, readonly TlsRouterUse[]> = new Map();

export class TlsManager implements TlsSource {
  #state: TlsState;
  #config: TlsConfig = EMPTY_TLS;
  #uses: ReadonlyMap<string, readonly TlsRouterUse[]> = NO_USES;
  /** What the last update() returned; undefined before the first one. */
  #diagnostics: readonly Diagnostic[] | undefined;
  readonly #source: DefaultCertificateSource;
  #generated: StoredCertificate | undefined;
  #generating: Promise<StoredCertificate> | undefined;
  readonly #watch: boolean;
  readonly #onReload: ((d: readonly Diagnostic[]) => void) | undefined;
  readonly #settleMs: number;
  /** Directory -> watcher and the file names watched in it. */
  readonly #watchers = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Bumped by every rebuild (tests and logs can tell states apart). */
  generation = 0;

  constructor(opts: TlsManagerOptions = {}) {
    this.#source = opts.defaultCertificate ?? generatedOnce();
    this.#watch = opts.watch ?? true;
    this.#onReload = opts.onReload;
    this.#settleMs = opts.settleMs ?? 50;
    this.#state = this.#build().state;
  }

  get state(): TlsState {
    return this.#state;
  }

  /** Applies a configuration's `tls` section and TLS routers; returns its diagnostics. */
  update(tls: TlsConfig | undefined, uses: ReadonlyMap<string, readonly TlsRouterUse[]> = NO_USES): Diagnostic[] {
    // A reload that changed no TLS section or TLS router (the same objects: snapshots and graphs
    // keep what did not change) keeps the state: its secure contexts cost about a millisecond
    // each. Certificate files that change on disk rebuild it by themselves (#rewatch).
    if ((tls ?? EMPTY_TLS) === this.#config && uses === this.#uses && this.#diagnostics !== undefined) return [...this.#diagnostics];
    this.#config = tls ?? EMPTY_TLS;
    this.#uses = uses;
    const { state, diagnostics } = this.#build();
    this.#diagnostics = diagnostics;
    this.#state = state;
    this.#rewatch();
    // Start making the generated default certificate now, in the background (an RSA key takes up to
    // a second or two): the first TLS connection that needs it should not wait for it. Only when
    // the configuration uses TLS at all: a plain-HTTP setup does not pay for node-forge and the key
    // (about 5 MB of RSS); a stray TLS client there waits for the generation once.
    const usesTls = tls !== undefined || uses.size > 0;
    if (usesTls && state.configuredDefault === undefined && this.#generated === undefined && this.#generating === undefined) {
      Promise.resolve(this.generatedDefault()).catch(() => {
        // Retried by the first connection that needs it.
      });
    }
    return diagnostics;
  }

  generatedDefault(): StoredCertificate | Promise<StoredCertificate> {
    if (this.#generated !== undefined) return this.#generated;
    this.#generating ??= this.#source().then(
      (pair) => {
        const leaf = new X509Certificate(pair.cert);
        const stored: StoredCertificate = { cert: pair.cert, key: pair.key, names: certificateNames(leaf), leaf };
        this.#generated = stored;
        return stored;
      },
      (err: unknown) => {
        this.#generating = undefined;
        throw err;
      },
    );
    return this.#generating;
  }

  /** Stops watching files. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const w of this.#watchers.values()) w.watcher.close();
    this.#watchers.clear();
  }

  #build(): { state: TlsState; diagnostics: Diagnostic[] } {
    const loaded = this.#config === EMPTY_TLS ? { store: new CertificateStore([]), defaultCertificate: undefined, diagnostics: [] } : loadStore(this.#config);
    const opts = buildAllOptions(this.#config.options);
    const maps = buildHostMaps(this.#uses);
    this.generation++;
    return {
      state: new TlsState(loaded.store, loaded.defaultCertificate, opts.options, maps.sni, maps.hosts),
      diagnostics: [...loaded.diagnostics, ...opts.diagnostics, ...maps.diagnostics],
    };
  }

  #rewatch(): void {
    if (!this.#watch || this.#closed) return;
    const wanted = new Map<string, Set<string>>();
    for (const file of certificateFiles(this.#config)) {
      const abs = resolve(file);
      const dir = dirname(abs);
      let names = wanted.get(dir);
      if (names === undefined) wanted.set(dir, (names = new Set()));
      names.add(basename(abs));
    }
    for (const [dir, w] of this.#watchers) {
      if (!wanted.has(dir)) {
        w.watcher.close();
        this.#watchers.delete(dir);
      }
    }
    for (const [dir, names] of wanted) {
      const have = this.#watchers.get(dir);
      if (have !== undefined) {
        have.names = names;
        continue;
      }
      try {
        // The directory, not the file: an editor or `mv` replaces the file (a new inode), which a
        // watch on the file itself would stop seeing.
        const entry = { watcher: undefined as unknown as FSWatcher, names };
        entry.watcher = watch(dir, { persistent: false }, (_event, file) => {
          if (file === null || entry.names.has(file.toString())) this.#changed();
        });
        entry.watcher.on('error', () => {
          entry.watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, entry);
      } catch {
        // A missing directory: the certificate is reported as unreadable; nothing to watch.
      }
    }
  }

  #changed(): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      const { state, diagnostics } = this.#build();
      this.#state = state;
      this.#diagnostics = diagnostics;
      this.#rewatch();
      this.#onReload?.(diagnostics);
    }, this.#settleMs);
    this.#timer.unref();
  }
}
