/**
 * Reading a request body whole (forwardAuth's forwardBody), bounded, without destroying the
 * client's stream when the bound is passed (the connection must stay usable for the 401), and
 * putting a replay of it back on the exchange for the upstream.
 */
import type { Readable } from 'node:stream';
import type { Exchange } from '../../exchange/exchange.js';

/**
 * The body's bytes; 'tooLarge' once more than `max` bytes came (`max` < 0: no bound; the stream
 * is then paused, not destroyed); 'failed' when the stream errors or closes before its end.
 */
export function readRequestBody(body: Readable, max: number): Promise<Buffer | 'tooLarge' | 'failed'> {
  return new Promise((resolve) => {
    if (body.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | 'tooLarge' | 'failed'): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onFail);
      body.off('close', onFail);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (max >= 0 && size > max) {
        body.pause();
        done('tooLarge');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => done(Buffer.concat(chunks, size));
    const onFail = (): void => done('failed');
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onFail);
    body.on('close', onFail);
  });
}

/**
 * Puts `replay` where the consumed body was. `Exchange.body` is readonly in the type (the entry
 * point sets it); a middleware that consumes the body is the one case that must swap it.
 */
export function replaceRequestBody(ex: Exchange, replay: Readable): void {
  (ex as { body: Readable | null }).body = replay;
}
