/**
 * Idle-connection timing for the node:http front end. Go's server puts a read deadline on a
 * connection before reading each request: `readTimeout` (else `idleTimeout`) for the first one
 * and `idleTimeout` (else `readTimeout`) between keep-alive requests. node:http only starts its
 * header/request timers at the first byte, so a client that connects and stays silent would hold
 * the socket forever, and its keep-alive timer adds a 1 s buffer to the configured value.
 *
 * Here the socket's own inactivity timer (`socket.setTimeout`) is on only while the connection is
 * idle: armed at accept and when a response is over, disarmed when a request head arrives. One
 * module-level listener per socket destroys it when the timer fires; nothing is allocated per
 * request. Once a request has begun, node's headersTimeout/requestTimeout and our writeTimeout
 * take over.
 */
import type { Socket } from 'node:net';

/** Socket 'timeout' listener (registered once per connection): the connection stayed idle too long. */
export function destroyOnTimeout(this: Socket): void {
  this.destroy();
}

/** A request head arrived on `socket`: stop its idle timer (the request may take any time). */
export function markBusy(socket: Socket): void {
  if (socket.timeout !== undefined && socket.timeout !== 0) socket.setTimeout(0);
}

/**
 * A response on `socket` is over: start the idle timer when the connection stays open and no
 * other request is waiting on it (pipelining: node then already gave the socket to the next
 * response). `ms` 0 = no idle bound.
 */
export function markIdle(socket: Socket, ms: number): void {
  if (ms <= 0 || !socket.writable || socket.destroyed) return;
  if ((socket as { _httpMessage?: unknown })._httpMessage != null) return;
  socket.setTimeout(ms);
}
