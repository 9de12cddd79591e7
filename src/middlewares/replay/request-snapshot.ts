/**
 * The request as a replaying middleware (retry, buffering) received it. Every attempt starts from
 * it, as Traefik clones the original request for each attempt: what the middlewares after the
 * replaying one changed on the previous attempt (a prefix added, a header set) is undone.
 */
import type { Exchange } from '../../exchange/exchange.js';

export class RequestSnapshot {
  readonly #method: string;
  readonly #path: string;
  readonly #query: string | null;
  readonly #host: string;
  readonly #headers: string[];

  constructor(ex: Exchange) {
    this.#method = ex.method;
    this.#path = ex.path;
    this.#query = ex.query;
    this.#host = ex.host;
    this.#headers = ex.headers.raw.slice();
  }

  /** Put `ex` back as it was when the snapshot was taken (the header list is refilled in place). */
  restore(ex: Exchange): void {
    ex.method = this.#method;
    ex.path = this.#path;
    ex.query = this.#query;
    ex.host = this.#host;
    const raw = ex.headers.raw;
    const saved = this.#headers;
    raw.length = saved.length;
    for (let i = 0; i < saved.length; i++) raw[i] = saved[i] as string;
  }
}
