/**
 * buffering: reads the whole request before forwarding it and the whole response before sending
 * it, as Traefik's middleware (oxy's buffer):
 *
 * - request: a Content-Length over `maxRequestBodyBytes` is refused at once with 413, a body that
 *   turns out larger (chunked) too; otherwise the body is read in full — memory up to
 *   `memRequestBodyBytes`, the rest in a temporary file — and forwarded with a Content-Length
 *   instead of chunked framing;
 * - response: kept in full the same way (`memResponseBodyBytes`); over `maxResponseBodyBytes` the
 *   client gets 500 at once; otherwise it goes out with its exact Content-Length;
 * - `retryExpression`: after each complete response the expression decides whether to send the
 *   (kept) request again, up to 10 retries (oxy's cap); middlewares after buffering run again from
 *   the request as received, and the load balancer's rotation picks the next server;
 * - Over the memory thresholds bodies spill to a temporary file rather than stream through: the
 *   whole body must be known before anything is sent (413/500 decided first, Content-Length set,
 *   replay possible), and memory stays bounded per request. The files are removed once the
 *   exchange is over.
 * - `disableRequestBuffer` streams the request (only its declared Content-Length is checked);
 *   `disableResponseBuffer` streams the response (no size limit, no retry). WebSocket upgrades pass
 *   through untouched.
 */
import type { HeaderList } from '../../exchange/headers.js';
import type { BufferingOptions } from '../../config/dynamic/schema/middlewares/buffering.js';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, Handler, Middleware, ResponseWriter } from '../../exchange/exchange.js';
import type { Eval } from '../expression/compile.js';
import type { MiddlewareFactory } from '../registry.js';
import { runDetached } from '../replay/answer-error.js';
import { declaredLength } from '../replay/declared-length.js';
import { RequestSnapshot } from '../replay/request-snapshot.js';
import { readBody, type ReadOutcome, type SpooledBody } from '../replay/spooled-body.js';
import { StatusAnswer } from '../../exchange/status-text.js';
import { type BufferOwner, ResponseBuffer } from './response-buffer.js';
import { type AttemptResult, compileBufferRetry } from './retry-expression.js';

/** oxy's DefaultMaxRetryAttempts: retries stop after the 10th. */
const MAX_RETRIES = 10;

const TOO_LARGE = new StatusAnswer(413);
const INTERNAL = new StatusAnswer(500);

interface Policy {
  readonly options: BufferingOptions;
  readonly retry: Eval<AttemptResult, boolean> | null;
}

class BufferingRun implements BufferOwner, AttemptResult {
  readonly #policy: Policy;
  readonly #next: Handler;
  readonly #ex: Exchange;
  readonly #base: ResponseWriter;
  /** The request as the first try sends it (body read, framing fixed): each retry starts from it. */
  #snapshot: RequestSnapshot | null = null;
  #requestBody: SpooledBody | null = null;
  #over = false;
  // AttemptResult, read by the retry expression.
  attempts = 1;
  responseCode = 0;
  readonly method: string;

  constructor(policy: Policy, next: Handler, ex: Exchange) {
    this.#policy = policy;
    this.#next = next;
    this.#ex = ex;
    this.#base = ex.response;
    this.method = ex.method;
  }

  start(): void | Promise<void> {
    const ex = this.#ex;
    const opts = this.#policy.options;
    const max = opts.maxRequestBodyBytes;
    if (max > 0) {
      const declared = declaredLength(ex);
      if (declared !== undefined && declared > max) {
        TOO_LARGE.send(this.#base);
        return;
      }
    }
    this.#base.onClientGone(this.#gone);
    if (ex.body !== null && !opts.disableRequestBuffer) {
      return readBody(ex.body, opts.memRequestBodyBytes, max > 0 ? max : -1).then((outcome) => this.#bodyRead(outcome));
    }
    return this.#attempt();
  }

  #bodyRead(outcome: ReadOutcome): void | Promise<void> {
    const ex = this.#ex;
    switch (outcome.kind) {
      case 'tooLarge':
        outcome.body.dispose();
        TOO_LARGE.send(this.#base);
        this.#cleanup();
        return;
      case 'aborted':
        this.#cleanup();
        return;
      case 'failed':
        INTERNAL.send(this.#base);
        this.#cleanup();
        return;
      case 'done':
        break;
    }
    const body = outcome.body;
    ex.headers.delete('transfer-encoding');
    if (body.size === 0) {
      // Go then sends no body, and a Content-Length of 0 except for GET and HEAD.
      ex.body = null;
      body.dispose();
      if (ex.method === 'GET' || ex.method === 'HEAD') ex.headers.delete('content-length');
      else ex.headers.set('Content-Length', '0');
    } else {
      this.#requestBody = body;
      ex.headers.set('Content-Length', String(body.size));
      ex.body = body.stream();
    }
    return this.#attempt();
  }

  #attempt(): void | Promise<void> {
    const ex = this.#ex;
    const opts = this.#policy.options;
    if (this.attempts === 1) {
      if (this.#policy.retry !== null) this.#snapshot = new RequestSnapshot(ex);
    } else {
      this.#snapshot?.restore(ex);
      if (this.#requestBody !== null) ex.body = this.#requestBody.stream();
    }
    if (opts.disableResponseBuffer) {
      // Streamed: no retry; the kept request body is removed when the response is over.
      ex.response = this.#requestBody === null ? this.#base : new EndWatcher(this.#base, this);
      return this.#next(ex);
    }
    ex.response = new ResponseBuffer(this.#base, this, opts.memResponseBodyBytes, opts.maxResponseBodyBytes);
    return this.#next(ex);
  }

  // --- BufferOwner ---

  complete(buf: ResponseBuffer): void {
    const retry = this.#policy.retry;
    this.responseCode = buf.status;
    const base = this.#base;
    if (retry !== null && this.attempts <= MAX_RETRIES && !base.clientGone && !base.headersSent && !this.#over && this.replayable && retry(this)) {
      buf.discard();
      this.attempts++;
      setImmediate(continueRun, this);
      return;
    }
    buf.deliver(this.#base, this.method === 'HEAD', () => this.#cleanup());
  }

  overflow(): void {
    INTERNAL.send(this.#base);
    this.#cleanup();
  }

  aborted(): void {
    this.#base.abort();
    this.#cleanup();
  }

  failed(): void {
    if (this.#base.headersSent) this.#base.abort();
    else INTERNAL.send(this.#base);
    this.#cleanup();
  }

  /** Whether the request can be sent again (its body, if any, was kept). */
  get replayable(): boolean {
    return this.#ex.body === null || this.#requestBody !== null;
  }

  resume(): void {
    if (this.#over || this.#base.clientGone) {
      this.#cleanup();
      return;
    }
    runDetached(
      () => this.#attempt(),
      () => this.#ex.response,
    );
  }

  readonly #gone = (): void => {
    this.#cleanup();
  };

  /** The exchange is over: remove the kept request body. */
  cleanup(): void {
    this.#cleanup();
  }

  #cleanup(): void {
    this.#over = true;
    const body = this.#requestBody;
    this.#requestBody = null;
    body?.dispose();
  }
}

/** Passes everything on, and tells the run when the (streamed) response is over. */
class EndWatcher extends DelegatingResponseWriter {
  readonly #run: BufferingRun;

  constructor(inner: ResponseWriter, run: BufferingRun) {
    super(inner);
    this.#run = run;
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    super.end(chunk, trailers);
    this.#run.cleanup();
  }

  override abort(): void {
    super.abort();
    this.#run.cleanup();
  }
}

function continueRun(run: BufferingRun): void {
  run.resume();
}

export function createBuffering(options: BufferingOptions): Middleware {
  const policy: Policy = { options, retry: options.retryExpression === '' ? null : compileBufferRetry(options.retryExpression) };
  return (next: Handler): Handler =>
    function bufferingHandler(ex: Exchange) {
      if (ex.upgrade !== null) return next(ex);
      return new BufferingRun(policy, next, ex).start();
    };
}

export const buffering: MiddlewareFactory<'buffering'> = {
  kind: 'buffering',
  create(options: BufferingOptions): Middleware {
    return createBuffering(options);
  },
};
