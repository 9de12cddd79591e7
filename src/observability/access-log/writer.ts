/**
 * Writes access-log lines off the request path. A request only appends its line to a string;
 * the lines go out in one asynchronous write (sonic-boom, pino's destination: fs.write on the
 * libuv thread pool, EAGAIN retried) once `bufferingSize` lines are pending (one second at most),
 * or, with bufferingSize 0, FLUSH_DELAY_MS after the first pending line (64 KiB at most): a few
 * writes a second under load rather than one per event-loop turn. Every write holds whole lines,
 * so processes appending to the same file (O_APPEND, one per worker) never split a line.
 * Memory is bounded: past MAX_PENDING_BYTES waiting to be written, lines are dropped and counted.
 *
 * `reopen()` (SIGUSR1, logrotate) opens the same path again and closes the previous file once
 * what was handed to it is written: after `mv access.log access.log.1` the next lines go to a new
 * access.log.
 *
 * A file that fails (disk full, EACCES or a directory in its place after a rotation) is dropped:
 * its lines are lost, the error is logged once, new lines are dropped and counted, and the path is
 * opened again RETRY_MS later (or at the next reopen). A failed destination is never written again,
 * not even at exit (sonic-boom's exit flush would retry a failing write forever).
 */
import { pino } from 'pino';
import type { Logger } from '../logger.js';

/** Bytes waiting for the file before lines are dropped. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** With bufferingSize > 0, the longest a line waits for its batch. */
export const MAX_BUFFER_DELAY_MS = 1_000;
/** With bufferingSize 0, the longest a line waits to be written. */
export const FLUSH_DELAY_MS = 10;
/** After the file failed, how long lines are dropped before the path is opened again. */
export const RETRY_MS = 1_000;
/** Pending text that is written at once. */
const FLUSH_BYTES = 64 * 1024;

type Destination = ReturnType<typeof pino.destination>;

function noop(): void {}

export interface LineWriterOptions {
  /** undefined = stdout. */
  readonly filePath: string | undefined;
  readonly bufferingSize: number;
  readonly logger?: Logger | undefined;
}

export class LineWriter {
  /** undefined while the file is failing (until #retryAt). */
  #dest: Destination | undefined;
  readonly #filePath: string | undefined;
  readonly #batch: number;
  readonly #logger: Logger | undefined;
  #pending = '';
  #lines = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #errorLogged = false;
  #dropLogged = false;
  #retryAt = 0;
  /** Bytes dropped because the output could not keep up or was failing. */
  droppedBytes = 0;

  constructor(opts: LineWriterOptions) {
    this.#filePath = opts.filePath;
    this.#batch = opts.bufferingSize;
    this.#logger = opts.logger;
    this.#dest = this.#open();
  }

  #where(): string {
    return this.#filePath ?? 'stdout';
  }

  #open(): Destination {
    const d = pino.destination({
      dest: this.#filePath ?? 1,
      sync: false,
      append: true,
      mkdir: this.#filePath !== undefined,
      mode: 0o664,
      maxLength: MAX_PENDING_BYTES,
    });
    d.on('error', (err: Error) => this.#failed(d, err));
    d.on('drop', (data: string) => this.#dropped(Buffer.byteLength(data)));
    if (this.#errorLogged) {
      d.once('write', () => {
        this.#errorLogged = false;
        this.#logger?.info({ filePath: this.#where() }, 'access log written again');
      });
    }
    return d;
  }

  #failed(d: Destination, err: Error): void {
    // Never write to it again, not even at exit (sonic-boom's exit flush retries a failed write forever).
    d.flushSync = noop;
    d.removeAllListeners('write');
    try {
      d.destroy();
    } catch {
      // already destroyed
    }
    if (d !== this.#dest) return;
    this.#dest = undefined;
    this.#retryAt = Date.now() + RETRY_MS;
    if (this.#errorLogged) return;
    this.#errorLogged = true;
    this.#logger?.error({ err: err.message, filePath: this.#where() }, 'cannot write the access log');
  }

  #dropped(bytes: number): void {
    if (!this.#dropLogged) {
      this.#dropLogged = true;
      this.#logger?.warn({ filePath: this.#where() }, 'access log lines dropped: the output cannot keep up');
    }
    this.droppedBytes += bytes;
  }

  /** Queues one line (ending in '\n'). Never blocks, never throws. */
  append(line: string): void {
    if (this.#closed) return;
    this.#pending += line;
    this.#lines++;
    if ((this.#batch > 0 && this.#lines >= this.#batch) || this.#pending.length >= FLUSH_BYTES) {
      this.flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#flushSoon, this.#batch === 0 ? FLUSH_DELAY_MS : MAX_BUFFER_DELAY_MS);
      this.#timer.unref();
    }
  }

  readonly #flushSoon = (): void => {
    this.#timer = undefined;
    this.flush();
  };

  /** Hands the pending lines to the file now (the write itself is asynchronous). */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#lines = 0;
    let dest = this.#dest;
    if (dest === undefined) {
      if (this.#closed || Date.now() < this.#retryAt) {
        this.#dropped(Buffer.byteLength(text));
        return;
      }
      dest = this.#dest = this.#open();
    }
    try {
      dest.write(text);
    } catch {
      // destroyed (closing): the lines are lost, as the process is stopping
    }
  }

  /**
   * Opens the path again (after logrotate renamed the file); the previous file gets what was
   * already handed to it, then is closed. Resolves true once the new file is open, false when it
   * cannot be opened (its lines are then dropped until it can, see RETRY_MS).
   */
  reopen(): Promise<boolean> {
    if (this.#filePath === undefined || this.#closed) return Promise.resolve(false);
    this.flush();
    const old = this.#dest;
    const d = this.#open();
    this.#dest = d;
    if (old !== undefined) {
      try {
        old.end();
      } catch {
        // already destroyed
      }
    }
    return new Promise<boolean>((resolve) => {
      const done = (opened: boolean): void => {
        d.off('ready', onReady);
        d.off('error', onError);
        resolve(opened);
      };
      const onReady = (): void => done(true);
      const onError = (): void => done(false);
      d.once('ready', onReady);
      d.once('error', onError);
    });
  }

  /** Writes what is pending and closes the file (stdout stays open). */
  close(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.flush();
    this.#closed = true;
    const dest = this.#dest;
    if (dest === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      dest.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        dest.end();
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
