/**
 * One event-loop budget for a process's background work: a file provider translating a save, the
 * aggregator merging it, the compiler, a worker copying a delta. In one process all of them share
 * the event loop with the data path, and each used to yield on its own (setImmediate every ~4 ms):
 * two of them queued in the same turn then ran back to back, 8-9 ms with no request read between
 * (measured with 10,000 routers saved every 500 ms). Here they take turns: one setImmediate per
 * turn runs queued jobs until SLICE_MS is spent, a job not done goes to the back of the queue, and
 * the event loop polls sockets before the next turn.
 */

/** Background work per event-loop turn (ms). 2 ms was measured worse (more turns, as many stalls). */
export const SLICE_MS = 4;

export interface SlicedJob {
  /**
   * Runs until `deadline` (a performance.now() time) or until the job ends; true when it ended.
   * A job handles its own failures: one that throws anyway is dropped, the other jobs keep their
   * turns, and the error is thrown again on its own (an uncaught exception, as from any callback).
   */
  run(deadline: number): boolean;
}

const queue: SlicedJob[] = [];
let scheduled = false;

/** Queues `job`; its first slice runs on a later turn of the event loop, never synchronously. */
export function schedule(job: SlicedJob): void {
  queue.push(job);
  if (!scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}

function turn(): void {
  scheduled = false;
  const deadline = performance.now() + SLICE_MS;
  // The jobs queued when the turn began, each once at most (one queued meanwhile waits its turn).
  let n = queue.length;
  while (n-- > 0 && performance.now() < deadline) {
    const job = queue.shift() as SlicedJob;
    let done: boolean;
    try {
      done = job.run(deadline);
    } catch (err) {
      done = true;
      process.nextTick(rethrow, err);
    }
    if (!done) queue.push(job);
  }
  if (queue.length > 0 && !scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}

function rethrow(err: unknown): never {
  throw err;
}

/**
 * Runs `steps` (a generator that yields at checkpoints) as a job; resolves with its result, or
 * with undefined when `cancelled()` says so before it ends. A throw from `steps` rejects.
 */
export function runSteps<T>(steps: Generator<void, T, void>, cancelled: () => boolean = never): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    schedule({
      run(deadline) {
        if (cancelled()) {
          resolve(undefined);
          return true;
        }
        try {
          let r = steps.next();
          while (r.done !== true && performance.now() < deadline) r = steps.next();
          if (r.done !== true) return false;
          resolve(r.value);
        } catch (err) {
          // As thrown (an await of this promise sees what a direct call would have thrown).
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(err);
        }
        return true;
      },
    });
  });
}

/** Resolves on a later turn of the shared queue: lets sockets be read between two stages of work. */
export function nextSlice(): Promise<void> {
  return new Promise<void>((resolve) => {
    schedule({
      run() {
        resolve();
        return true;
      },
    });
  });
}

function never(): boolean {
  return false;
}
