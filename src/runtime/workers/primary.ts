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
 */
import cluster, { type Worker } from 'node:cluster';
import type { StaticConfig } from '../../config/static/types.js';
import type { Logger } from '../../observability/logger.js';
import type { Snapshot } from '../../providers/aggregator.js';
import { logApplied, type ApplySummary } from '../runtime.js';
import { messageType, toWire, type ToPrimary, type ToWorker, type WireSnapshot } from './protocol.js';

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
  cluster.setupPrimary({ serialization: 'advanced' });

  const slots: Slot[] = Array.from({ length: count }, () => ({ worker: undefined, startedAt: 0, crashes: 0, timer: undefined }));
  const initialized = new Set<number>(); // worker ids that were sent `init`
  const ready = new Set<number>();
  const listeningLogged = new Set<string>();
  const pending = new Map<number, Pending>(); // by snapshot version, ascending
  let latest: WireSnapshot | undefined;
  let appliedVersion = 0;
  let started = false;
  let stopping = false;
  let stopProviders: (() => void) | undefined;

  const post = (worker: Worker, message: ToWorker): void => {
    if (worker.isConnected()) worker.send(message);
  };

  const finishDone = (): void => {
    for (const [version, p] of pending) {
      if (p.waiting.size > 0) continue;
      if (p.summary === undefined) {
        // Every worker it was sent to died first; a newer snapshot supersedes it.
        if (latest !== undefined && version < latest.version) pending.delete(version);
        continue;
      }
      pending.delete(version);
      if (!p.summary.skipped) appliedVersion++;
      logApplied(logger, { ...p.summary, version: appliedVersion });
    }
  };

  const onSnapshot = (snapshot: Snapshot): void => {
    if (stopping) return;
    latest = toWire(snapshot);
    const waiting = new Set<number>();
    for (const slot of slots) {
      const w = slot.worker;
      if (w === undefined || !initialized.has(w.id)) continue; // it gets `latest` with its init
      waiting.add(w.id);
      post(w, { type: 'snapshot', snapshot: latest });
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
        if (latest !== undefined) {
          const p = pending.get(latest.version);
          if (p) {
            p.waiting.add(worker.id);
            p.late.add(worker.id);
          }
        }
        post(worker, { type: 'init', config, snapshot: latest });
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
    // 'exit': wait for both, so that once "worker exited" is logged no connection goes to the dead one.
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
}
