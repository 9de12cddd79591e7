/**
 * The cluster primary (`workers: N`, N > 1). It owns the providers and the aggregator (later ACME
 * and the API); N worker processes (worker.ts) own the data path. Each snapshot is sent to every
 * worker; a worker that starts or restarts gets the latest one at once.
 *
 * Logs, so that a log reads as with one process:
 * - "entryPoint listening" once per entry point, when the first worker listens (node:cluster shares
 *   one listening socket, so every worker has the same port, `port: 0` included);
 * - a snapshot's diagnostics and its "configuration applied" once, when every worker that was sent
 *   the snapshot acknowledged it (so after that line every worker serves the new routes); the
 *   version counts applied configurations, as in a single process;
 * - "worker exited" (WARN) with pid, code, signal and the restart delay when a worker dies; it is
 *   restarted with a backoff (100 ms doubling up to 5 s; reset once a worker lived 10 s).
 * At SIGTERM/SIGINT the workers drain (each honours requestAcceptGraceTimeout and graceTimeOut)
 * and the primary exits 0 once they all exited.
 *
 * Connections reach the workers with node:cluster's SCHED_NONE policy: the primary only binds each
 * listening socket and passes it to every worker, and the workers accept() from it themselves, so
 * pending connections wait in the kernel's accept queue until a live worker takes them. A worker
 * that is killed takes nothing with it but the connections it had already accepted (they are
 * reset at once, never left hanging); a worker that stops gracefully closes its copy of the socket
 * first, then drains. The default round-robin policy (the primary accepts and hands each
 * connection over IPC) is not lossless: a connection handed to a worker that dies before taking
 * it stays open in the primary and never gets an answer (test/e2e/workers.test.ts caught one
 * hang per SIGKILL under load). Measured on 2 vCPU, 2 workers, nginx upstream, wrk -t1 -c64 5 s,
 * 8 interleaved rounds, machine shared with other jobs (medians): new connection per request
 * (`Connection: close`) 2,350 req/s with SCHED_NONE vs 1,520 with round-robin (+55%, one IPC
 * hop less per connection); keep-alive 11,900 vs 11,300 (noise). The price: the kernel, not the
 * primary, picks the worker, so a burst of long-lived connections can split unevenly (the smaller
 * share of wrk's 64 was under 14 in 3 of 12 runs, 19 at worst with round-robin); with
 * connections coming and going the idle worker tends to win the accept race.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { dataPathExecArgv } from './gc-flags.js';
import type { StaticConfig } from '../../config/static/types.js';
import type { Logger } from '../../observability/logger.js';
import type { Snapshot } from '../../providers/aggregator.js';
import { logApplied, type ApplySummary } from '../runtime.js';
import { generatedOnce } from '../../tls/default-certificate.js';
import { messageType, toDelta, toWire, type ToPrimary, type ToWorker, type WireDelta, type WireSnapshot } from './protocol.js';

export interface PrimaryOptions {
  readonly config: StaticConfig;
  readonly logger: Logger;
  /** Starts the providers once every worker listens; returns the function that stops them. */
  readonly startProviders: (onSnapshot: (snapshot: Snapshot) => void) => () => void;
}

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/** A worker that lived this long before dying restarts with the first delay again. */
const BACKOFF_RESET_AFTER_MS = 10_000;
/** Added to the longest grace period before workers still running at shutdown are killed. */
const SHUTDOWN_MARGIN_MS = 5_000;

interface Slot {
  worker: Worker | undefined;
  startedAt: number;
  crashes: number;
  timer: NodeJS.Timeout | undefined;
}

interface Pending {
  /** Workers that were sent the snapshot and have not acknowledged it yet. */
  readonly waiting: Set<number>;
  summary: ApplySummary | undefined;
  /** The summary came from a worker that joined later (its diff is against nothing). */
  summaryFromLate: boolean;
  readonly late: Set<number>;
}

export function runPrimary(opts: PrimaryOptions): void {
  const { config, logger } = opts;
  const count = config.workers;
  // Workers accept() from the shared sockets themselves (see above); set before the first fork.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Workers as many as the CPUs have none to spare for V8's GC helper threads (gc-flags.ts).
  cluster.setupPrimary({ serialization: 'advanced', execArgv: dataPathExecArgv(process.execArgv, count, availableParallelism()) });

  const slots: Slot[] = Array.from({ length: count }, () => ({ worker: undefined, startedAt: 0, crashes: 0, timer: undefined }));
  const initialized = new Set<number>(); // worker ids that were sent `init`
  const ready = new Set<number>();
  const listeningLogged = new Set<string>();
  const pending = new Map<number, Pending>(); // by snapshot version, ascending
  let latestSnapshot: Snapshot | undefined;
  /** The latest snapshot as sent whole, made when first needed (most reloads send only deltas). */
  let latestWire: WireSnapshot | undefined;
  const wire = (snapshot: Snapshot): WireSnapshot => {
    if (latestWire === undefined || latestWire.version !== snapshot.version) latestWire = toWire(snapshot);
    return latestWire;
  };
  /** The snapshot version each worker was sent last (whole or as a delta): deltas start from it. */
  const sentVersion = new Map<number, number>();
  let appliedVersion = 0;
  /** Configurations the workers applied (Traefik's config reloads), for the metrics module. */
  const reloads = { total: 0, lastSuccessMs: 0 };
  let started = false;
  let stopping = false;
  let stopProviders: (() => void) | undefined;

  const post = (worker: Worker, message: ToWorker): void => {
    if (worker.isConnected()) worker.send(message);
  };
  /** The generated default TLS certificate: made once here, on the first worker's request, for all. */
  const defaultCertificate = generatedOnce();
  /** Metrics (a scrape summed over every worker, config reloads): loaded only when configured. */
  const metrics = config.metrics
    ? import('../../observability/metrics/primary-link.js').then((m) =>
        m.createPrimaryMetrics({ config, logger, reloads, workers: () => slots.flatMap((s) => (s.worker !== undefined && ready.has(s.worker.id) ? [s.worker] : [])) }),
      )
    : undefined;
  metrics?.catch((err: unknown) => logger.error({ err: String(err) }, 'metrics unavailable'));

  const finishDone = (): void => {
    for (const [version, p] of pending) {
      if (p.waiting.size > 0) continue;
      if (p.summary === undefined) {
        // Every worker it was sent to died first; a newer snapshot supersedes it.
        if (latestSnapshot !== undefined && version < latestSnapshot.version) pending.delete(version);
        continue;
      }
      pending.delete(version);
      if (!p.summary.skipped) {
        appliedVersion++;
        reloads.total++;
        reloads.lastSuccessMs = Date.now();
      }
      logApplied(logger, { ...p.summary, version: appliedVersion });
    }
  };

  const onSnapshot = (snapshot: Snapshot): void => {
    if (stopping) return;
    const previous = latestSnapshot;
    latestSnapshot = snapshot;
    latestWire = undefined;
    const waiting = new Set<number>();
    let delta: WireDelta | undefined;
    for (const slot of slots) {
      const w = slot.worker;
      if (w === undefined || !initialized.has(w.id)) continue; // it gets `latest` with its init
      waiting.add(w.id);
      // IPC is ordered: a worker that was sent the previous snapshot has it when this one arrives.
      if (previous !== undefined && sentVersion.get(w.id) === previous.version) {
        delta ??= toDelta(previous, snapshot);
        post(w, { type: 'delta', delta });
      } else {
        post(w, { type: 'snapshot', snapshot: wire(snapshot) });
      }
      sentVersion.set(w.id, snapshot.version);
    }
    pending.set(snapshot.version, { waiting, summary: undefined, summaryFromLate: false, late: new Set() });
  };

  const onMessage = (slot: Slot, worker: Worker, raw: unknown): void => {
    if (messageType(raw) === undefined) return;
    const msg = raw as ToPrimary;
    switch (msg.type) {
      case 'hello': {
        if (stopping) return; // it was sent `shutdown` already
        initialized.add(worker.id);
        if (latestSnapshot !== undefined) {
          const p = pending.get(latestSnapshot.version);
          if (p) {
            p.waiting.add(worker.id);
            p.late.add(worker.id);
          }
        }
        post(worker, { type: 'init', config, snapshot: latestSnapshot === undefined ? undefined : wire(latestSnapshot) });
        if (latestSnapshot !== undefined) sentVersion.set(worker.id, latestSnapshot.version);
        return;
      }
      case 'listening':
        if (!listeningLogged.has(msg.entryPoint)) {
          listeningLogged.add(msg.entryPoint);
          logger.info({ entryPoint: msg.entryPoint, address: msg.address, port: msg.port }, 'entryPoint listening');
        }
        return;
      case 'listen-failed':
        if (stopping) return;
        if (!started) {
          logger.fatal({ entryPoint: msg.entryPoint, err: msg.error }, 'cannot listen');
          stop(null, 1);
        } else {
          logger.error({ pid: worker.process.pid, entryPoint: msg.entryPoint, err: msg.error }, 'worker cannot listen');
        }
        return;
      case 'ready':
        ready.add(worker.id);
        slot.startedAt = performance.now();
        if (!started && slots.every((s) => s.worker !== undefined && ready.has(s.worker.id))) {
          started = true;
          stopProviders = opts.startProviders(onSnapshot);
        }
        return;
      case 'need-default-cert':
        defaultCertificate().then(
          (pair) => post(worker, { type: 'default-cert', cert: pair.cert, key: pair.key }),
          (err: unknown) => post(worker, { type: 'default-cert-failed', error: String(err) }),
        );
        return;
      case 'metrics-scrape':
      case 'metrics-part':
        return; // the metrics module (observability/metrics/primary-link.ts) listens for these itself
      case 'need-snapshot':
        if (latestSnapshot !== undefined && latestSnapshot.version === msg.version) {
          post(worker, { type: 'snapshot', snapshot: wire(latestSnapshot) });
          sentVersion.set(worker.id, latestSnapshot.version);
        }
        return;
      case 'applied': {
        const p = pending.get(msg.version);
        if (!p || !p.waiting.delete(worker.id)) return;
        const fromLate = p.late.has(worker.id);
        if (p.summary === undefined || (p.summaryFromLate && !fromLate)) {
          p.summary = msg.summary;
          p.summaryFromLate = fromLate;
        }
        finishDone();
        return;
      }
    }
  };

  const fork = (slot: Slot): void => {
    slot.timer = undefined;
    const worker = cluster.fork();
    slot.worker = worker;
    slot.startedAt = performance.now();
    worker.on('message', (raw: unknown) => onMessage(slot, worker, raw));
    const gone = (code: number | null, signal: string | null): void => {
      initialized.delete(worker.id);
      sentVersion.delete(worker.id);
      ready.delete(worker.id);
      if (slot.worker === worker) slot.worker = undefined;
      for (const p of pending.values()) p.waiting.delete(worker.id);
      finishDone();
      if (stopping) {
        logger.debug({ pid: worker.process.pid, code, signal }, 'worker stopped');
        if (slots.every((s) => s.worker === undefined)) exitPrimary();
        return;
      }
      const lived = performance.now() - slot.startedAt;
      slot.crashes = lived >= BACKOFF_RESET_AFTER_MS ? 1 : slot.crashes + 1;
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (slot.crashes - 1));
      logger.warn({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited');
      slot.timer = setTimeout(() => fork(slot), delay);
    };
    // node:cluster drops a worker from the shared listeners on 'disconnect', which may come just after
    // 'exit': wait for both, so the replacement is forked once the cluster's own bookkeeping is done.
    worker.on('exit', (code: number | null, signal: string | null) => {
      if (worker.isConnected()) worker.once('disconnect', () => gone(code, signal));
      else gone(code, signal);
    });
  };

  let exitCode = 0;
  let exiting = false;
  const exitPrimary = (): void => {
    if (exiting) return;
    exiting = true;
    logger.info('stopped');
    logger.flush();
    process.exit(exitCode);
  };

  const stop = (signal: string | null, code = 0): void => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    if (signal !== null) logger.info({ signal }, 'shutting down');
    stopProviders?.();
    metrics?.then((m) => m.close(), () => undefined);
    for (const slot of slots) {
      if (slot.timer !== undefined) clearTimeout(slot.timer);
      slot.timer = undefined;
      if (!slot.worker) continue;
      // A worker still starting may not listen to IPC yet and would miss the message: a signal
      // reaches it either way (its handler drains, or the default action ends it).
      if (ready.has(slot.worker.id)) post(slot.worker, { type: 'shutdown' });
      else slot.worker.process.kill('SIGTERM');
    }
    if (slots.every((s) => s.worker === undefined)) {
      exitPrimary();
      return;
    }
    // Nothing was served yet when start-up fails: no grace period to honour.
    const longest = !started ? 0 : Math.max(0, ...Object.values(config.entryPoints).map((ep) => ep.transport.lifeCycle.requestAcceptGraceTimeout + ep.transport.lifeCycle.graceTimeOut));
    setTimeout(() => {
      for (const slot of slots) slot.worker?.process.kill('SIGKILL');
    }, longest + SHUTDOWN_MARGIN_MS).unref();
  };

  for (const ep of Object.values(config.entryPoints)) {
    if (ep.protocol !== 'tcp') logger.warn({ entryPoint: ep.name }, 'UDP entry points are not supported yet; skipped');
  }
  for (const slot of slots) fork(slot);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // logrotate: SIGUSR1 makes every worker reopen its access log file (each appends to the same path).
  if (config.accessLog?.filePath !== undefined) {
    process.on('SIGUSR1', () => {
      for (const slot of slots) slot.worker?.process.kill('SIGUSR1');
    });
  }
}
