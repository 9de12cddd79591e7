/**
 * A body read in full so that it can be sent (again): the first `memBytes` stay in memory, the
 * rest goes to a temporary file (as Traefik's buffering does: memory up to a threshold, then
 * disk), which is removed by `dispose()`. Reading and writing are asynchronous, with backpressure:
 * the source is paused while the file catches up.
 *
 * `readBody` reads a stream into one, stopping at `maxBytes`.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, unlink, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** Name prefix of the temporary files (tests look for leftovers with it). */
export const SPOOL_FILE_PREFIX = 'turnpike-body-';

function ignore(): void {
  // unlink of a file already gone
}

export class SpooledBody {
  readonly #memBytes: number;
  readonly chunks: Buffer[] = [];
  /** Total bytes appended. */
  size = 0;
  #memSize = 0;
  #file: string | null = null;
  #out: WriteStream | null = null;
  #error: Error | null = null;
  #onError: ((err: Error) => void) | null = null;

  /** `memBytes`: bytes kept in memory before spilling to a file (Infinity: never spill). */
  constructor(memBytes: number) {
    this.#memBytes = memBytes;
  }

  /** Whether part of the body is in a temporary file. */
  get spilled(): boolean {
    return this.#file !== null;
  }

  /** Called once if writing the temporary file fails. */
  onError(cb: (err: Error) => void): void {
    this.#onError = cb;
  }

  /** Append a chunk; false when the file is behind: wait for `onWritable` before the next one. */
  append(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.#out === null && this.#memSize + chunk.length <= this.#memBytes) {
      this.chunks.push(chunk);
      this.#memSize += chunk.length;
      return true;
    }
    return this.#spill().write(chunk);
  }

  /** One-shot: the file can take more. */
  onWritable(cb: () => void): void {
    if (this.#out === null) cb();
    else this.#out.once('drain', cb);
  }

  #spill(): WriteStream {
    if (this.#out !== null) return this.#out;
    const file = join(tmpdir(), `${SPOOL_FILE_PREFIX}${process.pid}-${randomUUID()}`);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    out.on('error', (err: Error) => {
      this.#error ??= err;
      const cb = this.#onError;
      this.#onError = null;
      cb?.(err);
    });
    this.#file = file;
    this.#out = out;
    return out;
  }

  /** Everything appended is written (the file flushed and closed). */
  finish(): Promise<void> {
    const out = this.#out;
    if (this.#error !== null) return Promise.reject(this.#error);
    if (out === null) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      out.once('close', () => (this.#error === null ? resolve() : reject(this.#error)));
      out.end();
    });
  }

  /** A fresh stream of the whole body (memory part, then the file). */
  stream(): Readable {
    const file = this.#file;
    if (file === null) return Readable.from(this.chunks, { objectMode: false });
    return Readable.from(replay(this.chunks, file), { objectMode: false });
  }

  /** Remove the temporary file (streams already reading it go on: the file is only unlinked). */
  dispose(): void {
    const file = this.#file;
    if (file === null) return;
    this.#file = null;
    const out = this.#out;
    if (out !== null && !out.closed) {
      // Still opening or writing: the file may not exist yet; remove it once the stream closed.
      out.once('close', () => unlink(file, ignore));
      out.destroy();
      return;
    }
    unlink(file, ignore);
  }
}

async function* replay(chunks: readonly Buffer[], file: string): AsyncGenerator<Buffer> {
  yield* chunks;
  for await (const chunk of createReadStream(file)) yield chunk as Buffer;
}

export type ReadOutcome =
  /** The whole body is in `body`. */
  | { readonly kind: 'done'; readonly body: SpooledBody }
  /**
   * More than `maxBytes`: `body` holds what was read so far (the chunk that went over included,
   * in memory), `rest` is the source, paused, with the remainder.
   */
  | { readonly kind: 'tooLarge'; readonly body: SpooledBody; readonly rest: Readable }
  /** The source failed or closed before its end (the client went away). */
  | { readonly kind: 'aborted' }
  /** The temporary file could not be written. */
  | { readonly kind: 'failed'; readonly error: Error };

/** Read `src` into a SpooledBody; `maxBytes` < 0 means no limit. */
export function readBody(src: Readable, memBytes: number, maxBytes: number): Promise<ReadOutcome> {
  const body = new SpooledBody(memBytes);
  if (src.readableEnded) return Promise.resolve({ kind: 'done', body });
  return new Promise<ReadOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: ReadOutcome): void => {
      if (settled) return;
      settled = true;
      src.off('data', onData);
      src.off('end', onEnd);
      src.off('error', onAbort);
      src.off('close', onClose);
      if (outcome.kind !== 'done' && outcome.kind !== 'tooLarge') body.dispose();
      resolve(outcome);
    };
    const resume = (): void => {
      if (!settled) src.resume();
    };
    const onData = (chunk: Buffer): void => {
      if (maxBytes >= 0 && body.size + chunk.length > maxBytes) {
        src.pause();
        body.chunks.push(chunk);
        body.size += chunk.length;
        settle({ kind: 'tooLarge', body, rest: src });
        return;
      }
      if (!body.append(chunk)) {
        src.pause();
        body.onWritable(resume);
      }
    };
    const onEnd = (): void => {
      src.off('close', onClose);
      body.finish().then(
        () => settle({ kind: 'done', body }),
        (error: unknown) => settle({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
      );
    };
    const onAbort = (): void => settle({ kind: 'aborted' });
    const onClose = (): void => {
      if (!src.readableEnded) settle({ kind: 'aborted' });
    };
    body.onError((error) => {
      src.pause();
      settle({ kind: 'failed', error });
    });
    src.on('data', onData);
    src.on('end', onEnd);
    src.on('error', onAbort);
    src.on('close', onClose);
  });
}

/** `chunks` then the rest of `rest`, as one stream (a body read in part, then let through). */
export function prependChunks(chunks: readonly Buffer[], rest: Readable): Readable {
  return Readable.from(concat(chunks, rest), { objectMode: false });
}

async function* concat(chunks: readonly Buffer[], rest: Readable): AsyncGenerator<Buffer> {
  yield* chunks;
  for await (const chunk of rest) yield chunk as Buffer;
}
