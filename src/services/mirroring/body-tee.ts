/**
 * Copies a request body for the mirrors while it streams to the main service: the main service
 * reads the returned stream (with backpressure: the client's stream is paused while the main
 * service is not reading), and the bytes seen are kept until the body's end, up to `limit` bytes.
 * Past the limit the copy is given up (the mirrors are skipped, the main request is unaffected).
 * Nothing is buffered beyond what the copy needs.
 */
import { Readable } from 'node:stream';

/**
 * Returns the stream to give the main service in place of `source`. `done` is called once: with
 * the body's chunks when it ended within `limit` bytes (-1 = no limit), with null when the body
 * was larger, failed or was cut.
 */
export function teeBody(source: Readable, limit: number, done: (chunks: Buffer[] | null) => void): Readable {
  if (source.readableEnded || source.destroyed) {
    // Already read by someone else: nothing left to copy.
    done(null);
    return source;
  }
  let chunks: Buffer[] | null = [];
  let size = 0;
  let settled = false;
  const settle = (result: Buffer[] | null): void => {
    if (settled) return;
    settled = true;
    chunks = null;
    done(result);
  };
  const detach = (): void => {
    source.off('data', onData);
    source.off('end', onEnd);
    source.off('error', onError);
    source.off('close', onClose);
  };

  const out = new Readable({
    read() {
      if (source.isPaused()) source.resume();
    },
    destroy(err, cb) {
      // The main service stopped reading (failed or gave up): no complete copy will come.
      detach();
      settle(null);
      cb(err);
    },
  });

  const onData = (chunk: Buffer): void => {
    if (chunks !== null) {
      size += chunk.length;
      if (limit >= 0 && size > limit) settle(null);
      else chunks.push(chunk);
    }
    if (!out.push(chunk)) source.pause();
  };
  const onEnd = (): void => {
    detach();
    const copy = chunks;
    settle(copy);
    out.push(null);
  };
  const onError = (err: Error): void => {
    detach();
    settle(null);
    out.destroy(err);
  };
  const onClose = (): void => {
    // 'close' before 'end': the upload was cut.
    detach();
    settle(null);
    out.destroy(new Error('request body closed before its end'));
  };

  source.on('data', onData);
  source.on('end', onEnd);
  source.on('error', onError);
  source.on('close', onClose);
  return out;
}

/** A fresh stream over captured chunks (one per mirror). */
export function replayBody(chunks: readonly Buffer[]): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i < chunks.length) this.push(chunks[i++]);
      else this.push(null);
    },
  });
}
