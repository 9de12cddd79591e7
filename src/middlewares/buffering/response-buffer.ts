/**
 * The response writer of one buffering attempt: it keeps the whole response (head and body, in
 * memory up to `memBytes`, then in a temporary file) instead of sending it, so that the buffering
 * middleware can check its size, retry, and finally send it with a Content-Length.
 *
 * - Informational (1xx) heads go straight through (Early Hints are not held back).
 * - Over `maxBytes` (when > 0) the owner is told at once and the rest is discarded.
 * - Head hooks registered during the attempt are held and handed on with the response it sends.
 */
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { HeadHook, ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { SpooledBody } from '../replay/spooled-body.js';

export interface BufferOwner {
  /** The whole response is in `buf`. */
  complete(buf: ResponseBuffer): void;
  /** The body went over the limit. */
  overflow(buf: ResponseBuffer): void;
  /** The response was aborted by what produced it (the server died mid-body). */
  aborted(buf: ResponseBuffer): void;
  /** The temporary file could not be written. */
  failed(buf: ResponseBuffer, err: Error): void;
}

const enum BufferState {
  Open,
  Complete,
  Discarding,
  Closed,
}

export class ResponseBuffer extends DelegatingResponseWriter {
  status = 0;
  headers: HeaderList | null = null;
  statusMessage: string | undefined;
  readonly body: SpooledBody;
  readonly #owner: BufferOwner;
  readonly #maxBytes: number;
  #state = BufferState.Open;
  #hooks: HeadHook[] | null = null;

  constructor(inner: ResponseWriter, owner: BufferOwner, memBytes: number, maxBytes: number) {
    super(inner);
    this.#owner = owner;
    this.#maxBytes = maxBytes;
    this.body = new SpooledBody(memBytes);
    this.body.onError((err) => {
      if (this.#state !== BufferState.Open && this.#state !== BufferState.Complete) return;
      this.#state = BufferState.Discarding;
      this.#owner.failed(this, err);
    });
  }

  /** True once a final head was written here (the producer then aborts rather than answers). */
  override get headersSent(): boolean {
    return this.status !== 0;
  }

  override onHead(hook: HeadHook): void {
    (this.#hooks ??= []).push(hook);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (status < 200) {
      super.writeHead(status, headers, statusMessage);
      return;
    }
    if (this.status !== 0) return;
    this.status = status;
    this.headers = headers;
    this.statusMessage = statusMessage;
  }

  override write(chunk: Buffer): boolean {
    if (this.#state !== BufferState.Open) return true;
    if (this.status === 0) this.writeHead(200, new HeaderList());
    if (this.#maxBytes > 0 && this.body.size + chunk.length > this.#maxBytes) {
      this.#state = BufferState.Discarding;
      this.body.dispose();
      this.#owner.overflow(this);
      return true;
    }
    return this.body.append(chunk);
  }

  override onDrain(cb: () => void): void {
    if (this.#state === BufferState.Open) this.body.onWritable(cb);
    else setImmediate(cb);
  }

  override end(chunk?: Buffer): void {
    if (this.#state === BufferState.Discarding) {
      this.#state = BufferState.Closed;
      return;
    }
    if (this.#state !== BufferState.Open) return;
    if (chunk !== undefined && chunk.length > 0) this.write(chunk);
    else if (this.status === 0) this.writeHead(200, new HeaderList());
    if (this.#state !== BufferState.Open) {
      this.#state = BufferState.Closed;
      return;
    }
    this.#state = BufferState.Complete;
    this.body.finish().then(
      () => {
        if (this.#state === BufferState.Complete) this.#owner.complete(this);
      },
      () => {
        // Reported through onError.
      },
    );
  }

  override abort(): void {
    const was = this.#state;
    this.#state = BufferState.Closed;
    this.body.dispose();
    if (was === BufferState.Open || was === BufferState.Complete) this.#owner.aborted(this);
  }

  /** Drop what was kept (a retried attempt). */
  discard(): void {
    this.#state = BufferState.Closed;
    this.body.dispose();
  }

  /**
   * Send the kept response to `res` with the body's exact Content-Length (unless the response has
   * no body: HEAD, 1xx, 204, 304, or a declared length of 0, whose headers stay as they are).
   * `done` runs once it is all handed over, or the client is gone.
   */
  deliver(res: ResponseWriter, isHead: boolean, done: () => void): void {
    this.#state = BufferState.Closed;
    const hooks = this.#hooks;
    this.#hooks = null;
    if (hooks !== null) for (const h of hooks) res.onHead(h);
    const headers = this.headers ?? new HeaderList();
    const body = this.body;
    const withBody = !isHead && this.status !== 204 && this.status !== 304 && headers.get('content-length')?.trim() !== '0';
    if (withBody) {
      headers.delete('transfer-encoding');
      headers.set('Content-Length', String(body.size));
    }
    if (res.clientGone) {
      body.dispose();
      done();
      return;
    }
    res.writeHead(this.status, headers, this.statusMessage);
    if (!withBody || body.size === 0) {
      res.end();
      body.dispose();
      done();
      return;
    }
    if (!body.spilled) {
      const chunks = body.chunks;
      for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i] as Buffer);
      res.end(chunks[chunks.length - 1]);
      done();
      return;
    }
    pipeTo(body, res, done);
  }
}

/** Stream a spilled body to the client with backpressure, then end (or abort on a read error). */
function pipeTo(body: SpooledBody, res: ResponseWriter, done: () => void): void {
  const src = body.stream();
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    body.dispose();
    done();
  };
  const resume = (): void => {
    src.resume();
  };
  src.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) {
      src.pause();
      res.onDrain(resume);
    }
  });
  src.on('end', () => {
    res.end();
    finish();
  });
  src.on('error', () => {
    res.abort();
    finish();
  });
  res.onClientGone(() => {
    src.destroy();
    finish();
  });
}
