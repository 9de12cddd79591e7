/**
 * inFlightReq: at most `amount` requests per source in progress at once; one more is answered
 * 429 `max connections reached: <amount>` (oxy's connlimit, which Traefik uses). A request counts
 * from the moment it passes until its response is finished, aborted, or its client goes away;
 * an upgraded connection (WebSocket) counts until its socket closes.
 *
 * The counters belong to the built middleware: shared by the routers using it, and kept across
 * reloads that leave its configuration unchanged.
 */
import type { Duplex } from 'node:stream';
import type { InFlightReqOptions } from '../../config/dynamic/schema/middlewares/in-flight-req.js';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, Handler, Middleware, ResponseWriter, UpgradeInfo } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import type { MiddlewareFactory } from '../registry.js';
import { createSourceOf } from '../source-criterion/source-criterion.js';

/** Requests in progress per source; a source is forgotten when its count falls to 0. */
export class InFlightCounters {
  readonly #counts = new Map<string, number>();
  readonly #amount: number;

  constructor(amount: number) {
    this.#amount = amount;
  }

  /** Counts one more request of `source`, or returns false when it already has `amount`. */
  acquire(source: string): boolean {
    const n = this.#counts.get(source) ?? 0;
    if (n >= this.#amount) return false;
    this.#counts.set(source, n + 1);
    return true;
  }

  release(source: string): void {
    const n = (this.#counts.get(source) ?? 0) - 1;
    if (n > 0) this.#counts.set(source, n);
    else this.#counts.delete(source);
  }

  /** Requests in progress for `source`. */
  count(source: string): number {
    return this.#counts.get(source) ?? 0;
  }

  /** Sources with a request in progress. */
  get sources(): number {
    return this.#counts.size;
  }
}

export const inFlightReq: MiddlewareFactory<'inFlightReq'> = {
  kind: 'inFlightReq',
  create(options: InFlightReqOptions): Middleware {
    const counters = new InFlightCounters(options.amount);
    const sourceOf = createSourceOf(options.sourceCriterion);
    const body = Buffer.from(`max connections reached: ${options.amount}`);
    const bodyLength = String(body.length);
    return (next: Handler): Handler =>
      function inFlightReqHandler(ex: Exchange) {
        const source = sourceOf(ex);
        if (!counters.acquire(source)) {
          const headers = new HeaderList(['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', bodyLength]);
          ex.response.writeHead(429, headers);
          ex.response.end(body);
          return undefined;
        }
        const slot = new InFlightSlot(ex.response, counters, source);
        ex.response = slot;
        slot.watch();
        if (ex.upgrade !== null) {
          // The forwarder takes the socket from ex.upgrade: count the tunnel until it closes.
          (ex as { upgrade: UpgradeInfo | null }).upgrade = new CountedUpgrade(ex.upgrade, slot);
        }
        let result: void | Promise<void>;
        try {
          result = next(ex);
        } catch (err) {
          slot.release();
          throw err;
        }
        if (result == null) return undefined;
        return result.then(undefined, (err: unknown) => {
          slot.release();
          throw err;
        });
      };
  },
};

/** The response of a counted request: releases its count once, when the exchange is over. */
class InFlightSlot extends DelegatingResponseWriter {
  readonly #counters: InFlightCounters;
  readonly #source: string;
  #released = false;
  /** For onClientGone and socket 'close'. */
  readonly release = (): void => {
    if (this.#released) return;
    this.#released = true;
    this.#counters.release(this.#source);
  };

  constructor(inner: ResponseWriter, counters: InFlightCounters, source: string) {
    super(inner);
    this.#counters = counters;
    this.#source = source;
  }

  watch(): void {
    this.inner.onClientGone(this.release);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    try {
      this.inner.end(chunk, trailers);
    } finally {
      this.release();
    }
  }

  override abort(): void {
    try {
      this.inner.abort();
    } finally {
      this.release();
    }
  }
}

/** Hands the socket over like the original, and releases the count when that socket closes. */
class CountedUpgrade implements UpgradeInfo {
  readonly #inner: UpgradeInfo;
  readonly #slot: InFlightSlot;

  constructor(inner: UpgradeInfo, slot: InFlightSlot) {
    this.#inner = inner;
    this.#slot = slot;
  }

  get protocol(): string {
    return this.#inner.protocol;
  }

  takeSocket(): { socket: Duplex; head: Buffer } {
    const taken = this.#inner.takeSocket();
    if (taken.socket.destroyed) this.#slot.release();
    else taken.socket.once('close', this.#slot.release);
    return taken;
  }
}
