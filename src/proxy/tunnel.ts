/**
 * Byte tunnel between a client connection and an upstream connection after a 101 Switching
 * Protocols (WebSocket). Both directions stream with backpressure (pipe); an end (FIN) on one side
 * ends the other side's writing; an error or close on one side closes the other, after letting
 * already-queued bytes flush (bounded by `LINGER_MS`).
 */
import type { Duplex } from 'node:stream';

/** How long a side may stay open after its peer closed (queued bytes flushing, a lazy FIN). */
const LINGER_MS = 10_000;

export function tunnel(client: Duplex, upstream: Duplex): void {
  client.pipe(upstream);
  upstream.pipe(client);
  const closeBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', closeBoth);
  upstream.on('error', closeBoth);
  client.on('close', () => linger(upstream));
  upstream.on('close', () => linger(client));
}

function linger(side: Duplex): void {
  if (side.destroyed) return;
  if (!side.writableEnded) side.end();
  const timer = setTimeout(() => side.destroy(), LINGER_MS);
  timer.unref();
  side.once('close', () => clearTimeout(timer));
}
