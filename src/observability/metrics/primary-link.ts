/**
 * The cluster primary's side of the metrics (`workers: N`): it knows the configuration reloads
 * (it logs "configuration applied" once for all workers) and the workers; a worker knows its own
 * requests. A scrape that reaches one worker is answered with every worker's families summed plus
 * the primary's reload metrics (see cluster-link.ts for the exchange). For Datadog and StatsD the
 * workers push their own request metrics (the agent sums them) and the primary pushes the reloads.
 */
import cluster, { type Worker } from 'node:cluster';
import type { StaticConfig } from '../../config/static/types.js';
import { messageType, type ToPrimary, type ToWorker } from '../../runtime/workers/protocol.js';
import type { Logger } from '../logger.js';
import { liveFamilies, type LiveGauges, type MetricFamily } from './families.js';
import { renderFamilies } from './render.js';
import { LineBuilder, UdpPusher } from './statsd.js';

/** How long the primary waits for the workers' parts before answering with those it has. */
export const COLLECT_TIMEOUT_MS = 3_000;

export interface PrimaryMetricsOptions {
  readonly config: StaticConfig;
  readonly logger: Logger;
  /** Updated by the primary each time the workers applied a configuration. */
  readonly reloads: { readonly total: number; readonly lastSuccessMs: number };
  /** The workers that are ready (they listen, and so answer `metrics-collect`). */
  workers(): Worker[];
}

export interface PrimaryMetrics {
  close(): void;
}

interface Collection {
  readonly requester: Worker;
  readonly requestId: number;
  readonly waiting: Set<number>;
  readonly parts: (readonly MetricFamily[])[];
  readonly timer: NodeJS.Timeout;
}

export function createPrimaryMetrics(opts: PrimaryMetricsOptions): PrimaryMetrics {
  const collections = new Map<number, Collection>();
  let next = 1;
  const own = (): LiveGauges => ({
    openConnections: [],
    serversUp: [],
    certificates: [],
    reloads: { total: opts.reloads.total, lastSuccessSeconds: Math.floor(opts.reloads.lastSuccessMs / 1000) },
  });

  const post = (worker: Worker, message: ToWorker): void => {
    if (worker.isConnected()) worker.send(message);
  };

  const finish = (id: number): void => {
    const c = collections.get(id);
    if (c === undefined) return;
    collections.delete(id);
    clearTimeout(c.timer);
    renderFamilies([...c.parts, liveFamilies(own(), { services: false })]).then(
      (text) => post(c.requester, { type: 'metrics-result', id: c.requestId, text }),
      (err: unknown) => post(c.requester, { type: 'metrics-result', id: c.requestId, error: String(err) }),
    );
  };

  const onMessage = (worker: Worker, raw: unknown): void => {
    const type = messageType(raw);
    if (type !== 'metrics-scrape' && type !== 'metrics-part') return;
    const msg = raw as Extract<ToPrimary, { type: 'metrics-scrape' | 'metrics-part' }>;
    if (msg.type === 'metrics-part') {
      const c = collections.get(msg.id);
      if (c === undefined || !c.waiting.delete(worker.id)) return;
      c.parts.push(msg.families);
      if (c.waiting.size === 0) finish(msg.id);
      return;
    }
    const id = next++;
    const workers = opts.workers();
    // The worker asking is ready by definition (it serves requests): make sure it is counted.
    if (!workers.includes(worker)) workers.push(worker);
    const c: Collection = { requester: worker, requestId: msg.id, waiting: new Set(workers.map((w) => w.id)), parts: [], timer: setTimeout(() => finish(id), COLLECT_TIMEOUT_MS) };
    collections.set(id, c);
    for (const w of workers) post(w, { type: 'metrics-collect', id });
  };
  cluster.on('message', onMessage);
  // A worker that dies during a collection will not answer: answer with the others' parts now.
  const onExit = (worker: Worker): void => {
    for (const [id, c] of collections) if (c.waiting.delete(worker.id) && c.waiting.size === 0) finish(id);
  };
  cluster.on('exit', onExit);

  const pushers: UdpPusher[] = [];
  const m = opts.config.metrics;
  for (const [flavor, cfg] of [
    ['datadog', m?.datadog],
    ['statsd', m?.statsD],
  ] as const) {
    if (cfg === undefined) continue;
    pushers.push(new UdpPusher(new LineBuilder(flavor, { ...cfg, addEntryPointsLabels: false, addRoutersLabels: false, addServicesLabels: false }, { model: undefined, sink: 0, live: own }), cfg, opts.logger));
  }

  return {
    close(): void {
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
      for (const c of collections.values()) clearTimeout(c.timer);
      collections.clear();
      for (const p of pushers) p.close();
    },
  };
}
