/**
 * The response writer of one retry attempt that may still be retried. It holds back what the
 * attempt writes until the status is known:
 * - a status the retry middleware retries on (`status` option) is swallowed, with everything after
 *   it; when that response ends (or aborts), the attempt is over and the next one may start;
 * - any other status goes through, and from then on so does everything (the attempt is the answer).
 * - the forwarder could not send the request (`Dropping`): its error answer is dropped and the
 *   retry run starts the next attempt itself; the middlewares after retry still saw that answer.
 * Informational (1xx) heads are dropped while undecided, as Traefik's retry writer drops them.
 * Head hooks registered during the attempt are held and handed on only when it goes through, so
 * the middlewares after retry, which run again on each attempt, leave no hook from a failed one.
 */
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { HeadHook, ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';

export const enum AttemptState {
  Undecided,
  Passing,
  Swallowing,
  /** The forwarder could not send the request: its error answer is dropped, a retry follows. */
  Dropping,
  Over,
}

/** What the writer asks of its retry run. */
export interface AttemptOwner {
  /** Is `status` an answer to retry on (and may this attempt still be retried)? */
  swallows(status: number): boolean;
  /** This attempt is the answer. */
  passed(): void;
  /** A swallowed answer ended: go on with the next attempt. */
  attemptOver(): void;
}

export class AttemptWriter extends DelegatingResponseWriter {
  state = AttemptState.Undecided;
  readonly #owner: AttemptOwner;
  #hooks: HeadHook[] | null = null;

  constructor(inner: ResponseWriter, owner: AttemptOwner) {
    super(inner);
    this.#owner = owner;
  }

  override get headersSent(): boolean {
    return this.state === AttemptState.Swallowing || this.state === AttemptState.Over || this.inner.headersSent;
  }

  override onHead(hook: HeadHook): void {
    if (this.state === AttemptState.Passing) this.inner.onHead(hook);
    else if (this.state === AttemptState.Undecided) (this.#hooks ??= []).push(hook);
  }

  override onDrain(cb: () => void): void {
    if (this.state === AttemptState.Passing || this.state === AttemptState.Undecided) super.onDrain(cb);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (this.state === AttemptState.Passing) {
      super.writeHead(status, headers, statusMessage);
      return;
    }
    if (this.state !== AttemptState.Undecided || status < 200) return;
    if (this.#owner.swallows(status)) {
      this.state = AttemptState.Swallowing;
      this.#hooks = null;
      return;
    }
    this.#pass();
    super.writeHead(status, headers, statusMessage);
  }

  #pass(): void {
    this.state = AttemptState.Passing;
    const hooks = this.#hooks;
    this.#hooks = null;
    if (hooks !== null) for (const h of hooks) this.inner.onHead(h);
    this.#owner.passed();
  }

  override write(chunk: Buffer): boolean {
    if (this.state === AttemptState.Undecided) this.writeHead(200, new HeaderList());
    if (this.state !== AttemptState.Passing) return true;
    return super.write(chunk);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.state === AttemptState.Undecided) this.writeHead(200, new HeaderList());
    if (this.state === AttemptState.Passing) {
      super.end(chunk, trailers);
      return;
    }
    this.#over();
  }

  override abort(): void {
    if (this.state === AttemptState.Passing) {
      super.abort();
      return;
    }
    if (this.state === AttemptState.Undecided) {
      // Aborted before any head: nothing to hold back (this is the end of the exchange).
      this.#pass();
      super.abort();
      return;
    }
    this.#over();
  }

  #over(): void {
    if (this.state !== AttemptState.Swallowing) return;
    this.state = AttemptState.Over;
    this.#owner.attemptOver();
  }
}
