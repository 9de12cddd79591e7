/**
 * Writes access-log lines off the request path. A request only appends its line to a string;
 * the lines go out in one asynchronous write (sonic-boom, pino's destination: fs.write on the
 * libuv thread pool, EAGAIN retried) once `bufferingSize` lines are pending (one second at most),
 * or, with bufferingSize 0, FLUSH_DELAY_MS after the first pending line (64 KiB at most): a few
 * writes a second under load rather than one per event-loop turn. Every write holds whole lines,
 * so processes appending to the same file (O_APPEND, one per worker) never split a line.
 * Memory is bounded: past MAX_PENDING_BYTES waiting to be written, lines are dropped and counted.
 *
 * `reopen()` (SIGUSR1, logrotate) closes the file and opens the same path again: after
 * `mv access.log access.log.1` the next lines go to a new access.log.
 */
import { pino } from 'pino';
import type { Logger } from '../logger.js';

/** Bytes waiting for the file before lines are dropped. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** With bufferingSize > 0, the longest a line waits for its batch. */
export const MAX_BUFFER_DELAY_MS = 1_000;
/** With bufferingSize 0, the longest a line waits to be written. */
export const FLUSH_DELAY_MS = 10;
/** Pending text that is written at once. */
const FLUSH_BYTES = 64 * 1024;

type Destination = ReturnType<typeof pino.destination>;

export interface LineWriterOptions {
  /** undefined = stdout. */
  readonly filePath: string | undefined;
  readonly bufferingSize: number;
  readonly logger?: Logger | undefined;
}

export class LineWriter {
  readonly #dest: Destination;
  readonly #filePath: string | undefined;
  readonly #batch: number;
  readonly #logger: Logger | undefined;
  #pending = '';
  #lines = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #errorLogged = false;
  /** Bytes dropped because the file could not keep up. */
  droppedBytes = 0;

  constructor(opts: LineWriterOptions) {
    this.#filePath = opts.filePath;
    this.#batch = opts.bufferingSize;
    this.#logger = opts.logger;
    this.#dest = pino.destination({
      dest: opts.filePath ?? 1,
      sync: false,
      append: true,
      mkdir: opts.filePath !== undefined,
      mode: 0o664,
      maxLength: MAX_PENDING_BYTES,
    });
    this.#dest.on('error', (err: Error) => {
      if (this.#errorLogged) return;
      this.#errorLogged = true;
      this.#logger?.error({ err: err.message, filePath: this.#filePath ?? 'stdout' }, 'cannot write the access log');
    });
    this.#dest.on('drop', (data: string) => {
      if (this.droppedBytes === 0) this.#logger?.warn({ filePath: this.#filePath ?? 'stdout' }, 'access log lines dropped: the output cannot keep up');
      this.droppedBytes += Buffer.byteLength(data);
    });
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
    try {
      this.#dest.write(text);
    } catch {
      // destroyed (closing): the lines are lost, as the process is stopping
    }
  }

  /** Reopens the file at its path (after logrotate renamed it); resolves once it is open. */
  reopen(): Promise<void> {
    if (this.#filePath === undefined || this.#closed) return Promise.resolve();
    this.flush();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#dest.off('ready', done);
        this.#dest.off('error', done);
        resolve();
      };
      this.#dest.once('ready', done);
      this.#dest.once('error', done);
      try {
        this.#dest.reopen();
      } catch {
        done();
      }
    });
  }

  /** Writes what is pending and closes the file (stdout stays open). */
  close(timeoutMs = 5_000): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.flush();
    this.#closed = true;
    const dest = this.#dest;
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
