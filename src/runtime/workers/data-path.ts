/**
 * The data path of one process: the entry points, the upstream pools and the runtime that swaps
 * compiled graphs into the entry points. A single-process Turnpike runs one; with `workers: N`
 * each worker process runs one and the primary runs none.
 */
import { hostname } from 'node:os';
import type { StaticConfig } from '../../config/static/types.js';
import { HttpEntryPoint } from '../../entrypoints/http-entrypoint.js';
import type { ListenAddress } from '../../entrypoints/front-end.js';
import type { Logger } from '../../observability/logger.js';
import { UpstreamPools } from '../../proxy/upstream-pools.js';
import type { CompileDeps } from '../compile.js';
import { Runtime, logDiagnostics, type ApplySummary } from '../runtime.js';
import type { DefaultCertificateSource } from '../../tls/default-certificate.js';
import { TlsManager } from '../../tls/tls-manager.js';
import type { Observability } from '../../observability/core.js';
import type { ApiPart } from '../../api/index.js';
import type { YoungGenerationLimit } from '../young-generation.js';

/** Builds the compiler's dependencies (src/cli/compile-deps.ts); passed in to keep the layers apart. */
export type CompileDepsFactory = (pools: UpstreamPools, lifecycle: { terminating: boolean }) => CompileDeps;

export interface DataPathOptions {
  readonly config: StaticConfig;
  readonly logger: Logger;
  readonly compileDeps: CompileDepsFactory;
  /** See RuntimeOptions.report: a worker reports applies to the primary instead of logging them. */
  readonly report?: (summary: ApplySummary) => void;
  /** Log the "UDP entry points are not supported" warning (the primary does it once for all workers). */
  readonly warnSkipped?: boolean;
  /** Where the generated default TLS certificate comes from (a worker asks the primary); default: made here. */
  readonly defaultCertificate?: DefaultCertificateSource;
  /** Metrics, access logs, tracing (src/observability/load.ts); absent = none. */
  readonly observability?: Observability | undefined;
  /** The API (static `api`, src/api/index.ts): its internal services and the configuration history; absent = none. */
  readonly api?: ApiPart | undefined;
  /** The young generation's limit, fitted to each configuration applied (a serving process's); absent = V8's. */
  readonly youngGeneration?: YoungGenerationLimit | undefined;
}

/** The API's internal services and router added to `deps` (none without `api`). */
function withApi(api: ApiPart | undefined, deps: CompileDeps): CompileDeps {
  return api ? api.withInternals(deps) : deps;
}

export class ListenError extends Error {
  constructor(
    readonly entryPoint: string,
    override readonly cause: unknown,
  ) {
    super(`entry point "${entryPoint}" cannot listen: ${String(cause)}`);
  }
}

export class DataPath {
  readonly entryPoints = new Map<string, HttpEntryPoint>();
  readonly runtime: Runtime;
  /** `terminating` flips at shutdown: ping answers terminatingStatusCode from then on. */
  readonly lifecycle = { terminating: false };
  readonly #config: StaticConfig;
  readonly #pools = new UpstreamPools();
  /** TLS state of every entry point; rebuilt per configuration and when a certificate file changes. */
  readonly tls: TlsManager;
  #draining: Promise<void> | undefined;
  readonly #observability: Observability | undefined;
  readonly #youngGeneration: YoungGenerationLimit | undefined;

  constructor(opts: DataPathOptions) {
    this.#config = opts.config;
    this.#youngGeneration = opts.youngGeneration;
    const logger = opts.logger;
    const obs = opts.observability;
    this.#observability = obs;
    this.tls = new TlsManager({
      ...(opts.defaultCertificate ? { defaultCertificate: opts.defaultCertificate } : {}),
      onReload: (diagnostics) => {
        logDiagnostics(logger, diagnostics);
        logger.info({ pid: process.pid }, 'TLS certificates reloaded');
      },
    });
    for (const ep of Object.values(opts.config.entryPoints)) {
      if (ep.protocol !== 'tcp') {
        if (opts.warnSkipped !== false) opts.logger.warn({ entryPoint: ep.name }, 'UDP entry points are not supported yet; skipped');
        continue;
      }
      this.entryPoints.set(ep.name, new HttpEntryPoint(ep, { hostname: hostname(), tls: this.tls, ...(obs ? { observer: obs.observer } : {}) }));
    }
    this.runtime = new Runtime({
      staticConfig: opts.config,
      logger: opts.logger,
      deps: withApi(
        opts.api,
        obs
          ? { ...opts.compileDeps(this.#pools, this.lifecycle), instrument: obs.instrumentation, ...(obs.internals ? { internals: obs.internals } : {}) }
          : opts.compileDeps(this.#pools, this.lifecycle),
      ),
      slots: this.entryPoints,
      tls: this.tls,
      ...(opts.api ? { report: opts.api.reporter(opts.report, logger) } : opts.report ? { report: opts.report } : {}),
      ...(opts.youngGeneration ? { sized: opts.youngGeneration.fit.bind(opts.youngGeneration) } : {}),
    });
    obs?.attach(this);
    opts.api?.attach(this);
  }

  /**
   * Listens on every entry point in order, calling `onListening` for each. On the first failure the
   * others are closed and a ListenError is thrown.
   */
  async listen(onListening: (name: string, address: ListenAddress) => void): Promise<void> {
    for (const [name, ep] of this.entryPoints) {
      let addr: ListenAddress;
      try {
        addr = await ep.listen();
      } catch (err) {
        for (const other of this.entryPoints.values()) await other.close(0);
        throw new ListenError(name, err);
      }
      onListening(name, addr);
    }
  }

  /**
   * Graceful stop: ping turns to terminatingStatusCode, each entry point keeps accepting for its
   * requestAcceptGraceTimeout, then closes giving requests in flight up to graceTimeOut. Idempotent.
   */
  drain(): Promise<void> {
    if (this.#draining === undefined) {
      this.lifecycle.terminating = true;
      // No configuration is swapped into entry points that are closing.
      this.runtime.stop();
      const closing = [...this.entryPoints.entries()].map(async ([name, ep]) => {
        const life = this.#config.entryPoints[name]?.transport.lifeCycle;
        // requestAcceptGraceTimeout: keep accepting for a while so load balancers in front notice.
        if (life && life.requestAcceptGraceTimeout > 0) await new Promise((r) => setTimeout(r, life.requestAcceptGraceTimeout));
        await ep.close(life?.graceTimeOut ?? 10_000);
      });
      this.#draining = Promise.all(closing).then(() => {
        // Health-check timers and probes stop with the services that run them.
        this.runtime.dispose();
        this.tls.close();
        this.#pools.close();
        this.#youngGeneration?.close();
        // Metrics pushers, access-log buffers and trace exporters flush last.
        return this.#observability?.close();
      });
    }
    return this.#draining;
  }
}
