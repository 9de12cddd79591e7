/**
 * The channel between a middleware that retries (retry) and the forwarding layer, for one exchange
 * at a time. Traefik's retry middleware learns through an HTTP client trace whether the request
 * reached the server; here the forwarder tells a watcher registered for the exchange:
 *
 * - when a forward fails before any byte of the request was written to the server (connection
 *   refused, DNS, TLS handshake, dial timeout), the forwarder offers the failure to the watcher
 *   first. A watcher that takes it (returns true) lets the failure be reported and answered as
 *   usual — the middlewares between it and the forwarder see the 502/504, as in Traefik, where the
 *   retry middleware swallows the proxy's error answer — but keeps that answer from the client,
 *   and is then told to send the request again (`resend`);
 * - the load balancer notes the servers it picked for the exchange and, on a retry, prefers one it
 *   has not picked yet.
 *
 * Keyed by exchange in a WeakMap, so nothing is added to the Exchange type; the `watching` count
 * makes the look-up free for every request while no exchange is watched.
 */
import type { Exchange } from '../exchange/exchange.js';
import type { ProxyError } from '../errors/codes.js';

export interface AttemptWatcher {
  /**
   * The request could not be sent (nothing reached the server). Return true to retry: the answer
   * to this failure, written next, must then not reach the client.
   */
  unsent(ex: Exchange, err: ProxyError): boolean;
  /** After `unsent` returned true and the failure was answered: start the next try. */
  resend(ex: Exchange): void;
  /** Servers (load balancer entries) picked for this exchange so far, oldest first. */
  readonly picked: unknown[];
}

const watchers = new WeakMap<Exchange, AttemptWatcher>();
let watching = 0;

/** Watch `ex`; returns the watcher it replaces (nested retries), to give back to `unwatchAttempts`. */
export function watchAttempts(ex: Exchange, watcher: AttemptWatcher): AttemptWatcher | undefined {
  const previous = watchers.get(ex);
  if (previous === undefined) watching++;
  watchers.set(ex, watcher);
  return previous;
}

/** Stop watching `ex` (restoring `previous`, if any). */
export function unwatchAttempts(ex: Exchange, previous?: AttemptWatcher): void {
  if (previous !== undefined) {
    watchers.set(ex, previous);
    return;
  }
  if (watchers.delete(ex)) watching--;
}

/** The watcher of `ex`, if any (a counter check when nothing is watched). */
export function attemptWatcher(ex: Exchange): AttemptWatcher | undefined {
  return watching === 0 ? undefined : watchers.get(ex);
}
