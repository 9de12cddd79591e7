/**
 * The two response writers of the errors middleware (Traefik's codeCatcher and codeModifier):
 * - ErrorCatcher wraps the response of the protected handler: a status in the configured ranges
 *   is held back, its head and body dropped, and once that response ends the error page is
 *   requested; any other status passes through untouched, streamed.
 * - StatusEnforcer wraps the client response for the error page: the page's headers and body go
 *   out under the caught (or rewritten) status, whatever status the error service answered —
 *   including an error service that fails: its failure text is sent under that status, as
 *   Traefik does.
 */
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';

/** Per middleware: which statuses to catch, and what to do once a caught response is over. */
export interface CatchSink {
  isCaught(status: number): boolean;
  /** `client` is the writer beneath the catcher, where the error page goes. */
  caught(ex: Exchange, client: ResponseWriter, status: number): void;
}

export class ErrorCatcher extends DelegatingResponseWriter {
  readonly #ex: Exchange;
  readonly #sink: CatchSink;
  /** 0 = no head yet; -1 = passing through; else the caught status. */
  #state = 0;
  #ended = false;

  constructor(ex: Exchange, sink: CatchSink) {
    super(ex.response);
    this.#ex = ex;
    this.#sink = sink;
  }

  override get headersSent(): boolean {
    return this.#state !== 0 || this.inner.headersSent;
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (status >= 100 && status < 200) {
      this.inner.writeHead(status, headers, statusMessage);
      return;
    }
    if (this.#state !== 0) return;
    if (this.#sink.isCaught(status)) {
      this.#state = status;
      return;
    }
    this.#state = -1;
    this.inner.writeHead(status, headers, statusMessage);
  }

  override write(chunk: Buffer): boolean {
    if (this.#state === 0) this.writeHead(200, new HeaderList());
    if (this.#state > 0) return true;
    return this.inner.write(chunk);
  }

  override onDrain(cb: () => void): void {
    if (this.#state > 0) setImmediate(cb);
    else this.inner.onDrain(cb);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.#state === 0) this.writeHead(200, new HeaderList());
    if (this.#state < 0) {
      this.inner.end(chunk, trailers);
      return;
    }
    if (this.#ended) return;
    this.#ended = true;
    if (!this.inner.clientGone) this.#sink.caught(this.#ex, this.inner, this.#state);
  }
}

export class StatusEnforcer extends DelegatingResponseWriter {
  readonly #status: number;

  constructor(inner: ResponseWriter, status: number) {
    super(inner);
    this.#status = status;
  }

  override writeHead(status: number, headers: HeaderList): void {
    if (status >= 100 && status < 200) return; // the client already had the original's interim answers
    this.inner.writeHead(this.#status, headers);
  }
}
