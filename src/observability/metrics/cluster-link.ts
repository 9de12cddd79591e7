/**
 * A cluster worker's side of the metrics (with `workers: N`): a scrape of /metrics on any worker
 * shows the sum over every worker. The worker that gets the scrape asks the primary
 * (`metrics-scrape`); the primary asks every worker for its families (`metrics-collect`), each
 * answers (`metrics-part`), and the primary sends back the summed text (`metrics-result`).
 * Messages are in src/runtime/workers/protocol.ts; this listener sits beside the worker's own.
 */
import { messageType, type ToPrimary, type ToWorker } from '../../runtime/workers/protocol.js';
import type { MetricFamily } from './families.js';

/** How long a scrape waits for the primary's answer. */
const SCRAPE_TIMEOUT_MS = 10_000;

function send(message: ToPrimary): boolean {
  if (!process.connected || !process.send) return false;
  process.send(message);
  return true;
}

export class WorkerMetricsLink {
  readonly #local: () => MetricFamily[];
  readonly #pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  #next = 1;
  readonly #onMessage = (raw: unknown): void => {
    const type = messageType(raw);
    if (type !== 'metrics-collect' && type !== 'metrics-result') return;
    const msg = raw as Extract<ToWorker, { type: 'metrics-collect' | 'metrics-result' }>;
    if (msg.type === 'metrics-collect') {
      let families: MetricFamily[];
      try {
        families = this.#local();
      } catch {
        families = [];
      }
      send({ type: 'metrics-part', id: msg.id, families });
      return;
    }
    const p = this.#pending.get(msg.id);
    if (p === undefined) return;
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.text !== undefined) p.resolve(msg.text);
    else p.reject(new Error(msg.error ?? 'no metrics'));
  };

  /** `local`: this worker's families (without the reloads, which the primary adds). */
  constructor(local: () => MetricFamily[]) {
    this.#local = local;
    process.on('message', this.#onMessage);
  }

  /** Every worker's metrics summed, as Prometheus text. */
  scrape(): Promise<string> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error('the primary did not answer the metrics scrape'));
      }, SCRAPE_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      if (!send({ type: 'metrics-scrape', id })) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new Error('no primary to collect the metrics'));
      }
    });
  }

  close(): void {
    process.off('message', this.#onMessage);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('closing'));
    }
    this.#pending.clear();
  }
}
