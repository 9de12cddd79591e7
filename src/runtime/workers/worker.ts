/**
 * A cluster worker (`workers: N`, N > 1): runs one data path (entry points + runtime) and applies
 * the snapshots the primary sends. It loads no configuration itself: the primary's `init` message
 * carries the static configuration and the latest snapshot, which is applied before listening so a
 * restarted worker never answers with an empty routing table. Listening sockets are shared through
 * node:cluster (the primary binds them, so `port: 0` gives every worker the same port) and each
 * worker accepts from them itself (SCHED_NONE, see primary.ts).
 *
 * Its own lines are logged at DEBUG with its pid ("worker listening", "worker ready", "worker
 * applied configuration"); the user-facing lines (entryPoint listening, configuration applied and
 * its diagnostics) are logged once by the primary.
 */
import type { Logger } from '../../observability/logger.js';
import { createLogger } from '../../observability/logger.js';
import type { ApplySummary, RouterChangeHint } from '../runtime.js';
import { DataPath, ListenError, type CompileDepsFactory } from './data-path.js';
import type { Snapshot } from '../../providers/aggregator.js';
import type { PemKeyPair } from '../../tls/default-certificate.js';
import { applyDeltaSteps, fromWire, messageType, type ToPrimary, type ToWorker } from './protocol.js';
import { loadObservability } from '../../observability/load.js';
import { applyWhenLoaded, preloadMiddlewares } from '../../middlewares/registry.js';
import { schedule } from '../../scheduling/background.js';
import { youngGenerationLimit } from '../young-generation.js';

function send(message: ToPrimary): void {
  if (process.connected && process.send) process.send(message);
}

export function runWorker(compileDeps: CompileDepsFactory): void {
  // The generated default TLS certificate comes from the primary (one for every worker).
  let certWaiters: { resolve: (p: PemKeyPair) => void; reject: (e: Error) => void }[] = [];
  const defaultCertificate = (): Promise<PemKeyPair> =>
    new Promise((resolve, reject) => {
      certWaiters.push({ resolve, reject });
      if (certWaiters.length === 1) send({ type: 'need-default-cert' });
    });
  let logger: Logger | undefined;
  let dataPath: DataPath | undefined;
  let version = 0;
  /** The snapshot applied last: deltas apply to it. */
  let current: Snapshot | undefined;
  let stopping = false;

  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    logger?.debug({ pid: process.pid, why }, 'worker shutting down');
    const done = (code: number): void => {
      logger?.flush();
      process.exit(code);
    };
    if (dataPath === undefined) done(0);
    else dataPath.drain().then(() => done(0), () => done(1));
  };

  const report = (summary: ApplySummary): void => {
    // The snapshot the summary is about, not the latest received (a sliced apply reports later).
    const applied = summary.snapshot ?? version;
    logger?.debug({ pid: process.pid, version: applied, skipped: summary.skipped }, 'worker applied configuration');
    send({ type: 'applied', version: applied, summary });
  };

  const init = async (msg: Extract<ToWorker, { type: 'init' }>): Promise<void> => {
    const log = createLogger(msg.config.log);
    logger = log;
    process.on('unhandledRejection', (reason: unknown) => {
      log.error({ pid: process.pid, err: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) }, 'unhandled promise rejection');
    });
    const observability = await loadObservability({ config: msg.config, logger: log, role: 'worker' });
    // The middleware modules the first configuration uses (the later ones: applyLoaded).
    const first = msg.snapshot ? fromWire(msg.snapshot) : undefined;
    if (first) await preloadMiddlewares(first.config);
    const api = msg.config.api ? (await import('../../api/index.js')).createApi(msg.config) : undefined;
    const dp = new DataPath({ config: msg.config, logger: log, compileDeps, report, warnSkipped: false, defaultCertificate, observability, api, youngGeneration: youngGenerationLimit() });
    dataPath = dp;
    if (first) {
      version = first.version;
      current = first;
      dp.runtime.apply(current);
    }
    // Configurations that came while the observability modules loaded.
    pump();
    try {
      await dp.listen((name, addr) => {
        log.debug({ pid: process.pid, entryPoint: name, port: addr.port }, 'worker listening');
        send({ type: 'listening', entryPoint: name, address: addr.address, port: addr.port });
      });
    } catch (err) {
      const entryPoint = err instanceof ListenError ? err.entryPoint : '';
      const error = err instanceof ListenError ? String(err.cause) : String(err);
      send({ type: 'listen-failed', entryPoint, error });
      log.flush();
      process.exit(1);
    }
    if (stopping) return;
    log.debug({ pid: process.pid }, 'worker ready');
    send({ type: 'ready' });
  };

  /**
   * Snapshots and deltas, applied in the order they came. A delta's copy of the snapshot records
   * (~20 ms with 10,000 routers) runs in slices like the compile after it, so the requests this
   * worker serves are not stalled by a reload.
   */
  // Each configuration is compiled once the middleware modules it uses are loaded (registry.ts).
  // A delta's snapshot comes with the routers the delta changed (the compiler then need not look).
  const applyLoaded = applyWhenLoaded<{ readonly config: Snapshot['config']; readonly snapshot: Snapshot; readonly hint?: RouterChangeHint }>(
    (s) => dataPath?.runtime.applySliced(s.snapshot, undefined, s.hint),
    (err) => logger?.error({ pid: process.pid, err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'configuration apply failed'),
  );
  const configs: (Extract<ToWorker, { type: 'snapshot' }> | Extract<ToWorker, { type: 'delta' }>)[] = [];
  let copying = false;
  const pump = (): void => {
    while (!copying) {
      const msg = configs.shift();
      const dp = dataPath;
      if (msg === undefined || dp === undefined || stopping) return;
      if (msg.type === 'snapshot') {
        version = msg.snapshot.version;
        current = fromWire(msg.snapshot);
        applyLoaded({ config: current.config, snapshot: current });
        continue;
      }
      const base = current;
      if (base === undefined || base.version !== msg.delta.base) {
        send({ type: 'need-snapshot', version: msg.delta.version });
        continue;
      }
      copying = true;
      const steps = applyDeltaSteps(base, msg.delta);
      // On the background queue, sharing each turn's budget with the compile (scheduling/background.ts).
      schedule({
        run(deadline) {
          if (stopping) return true;
          let r: IteratorResult<void, Snapshot>;
          try {
            do r = steps.next();
            while (r.done !== true && performance.now() < deadline);
          } catch (err) {
            // A delta that does not fit its base: ask for the whole snapshot instead.
            copying = false;
            logger?.error({ pid: process.pid, err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'configuration delta failed');
            send({ type: 'need-snapshot', version: msg.delta.version });
            pump();
            return true;
          }
          if (r.done !== true) return false;
          copying = false;
          version = msg.delta.version;
          current = r.value;
          const routers = msg.delta.http.routers;
          applyLoaded({ config: current.config, snapshot: current, hint: { base: msg.delta.base, routers: { set: routers.set.map((e) => e[0]), removed: routers.removed } } });
          pump();
          return true;
        },
      });
    }
  };

  process.on('message', (raw: unknown) => {
    const type = messageType(raw);
    if (type === undefined) return;
    const msg = raw as ToWorker;
    switch (msg.type) {
      case 'init':
        if (logger === undefined && !stopping) void init(msg);
        return;
      case 'snapshot':
      case 'delta':
        // Before init finished they wait in the queue (init applies its own snapshot first).
        if (stopping) return;
        configs.push(msg);
        pump();
        return;
      case 'shutdown':
        stop('primary');
        return;
      case 'metrics-collect':
      case 'metrics-result':
        return; // the metrics part (observability/metrics/cluster-link.ts) listens for these itself
      case 'default-cert':
      case 'default-cert-failed': {
        const waiters = certWaiters;
        certWaiters = [];
        for (const w of waiters) {
          if (msg.type === 'default-cert') w.resolve({ cert: msg.cert, key: msg.key });
          else w.reject(new Error(msg.error));
        }
        return;
      }
    }
  });
  // Signals sent to the whole process group (Ctrl-C) or to this worker alone: drain and exit; the
  // primary restarts a worker that exits while it is not itself stopping.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // When the primary dies, node:cluster's own 'disconnect' handler exits the worker at once (the
  // listening socket was the primary's, so nothing new arrives anyway).
  send({ type: 'hello' });
}
