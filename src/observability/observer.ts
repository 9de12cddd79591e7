/**
 * The hooks through which metrics, access logs and tracing see the data path. Nothing here runs
 * unless the static configuration turns one of them on: an entry point without an observer and a
 * compile without instrumentation are exactly what they were before.
 */
import type { Exchange, Handler } from '../exchange/exchange.js';

/**
 * Per entry point: `begin` at dispatch (after the forwarded headers are applied, before routing),
 * `finish` once the exchange is over (the status sent; 499 when the client left first, 101 when
 * the socket was handed over). `begin` sets `ex.record` (a RequestRecord) and may wrap
 * `ex.response`; requests refused before dispatch (a malformed head) reach neither.
 */
export interface RequestObserver {
  begin(ex: Exchange): void;
  finish(ex: Exchange, status: number): void;
}

/**
 * Wrappers the compiler puts around what it builds, once per configuration (never per request).
 * Each returns the handler to use instead (or the same one). Names are qualified (`x@file`);
 * internal objects end in `@internal`.
 */
export interface Instrumentation {
  /** Around a router's whole chain (its middlewares, then its service), per entry point. */
  router?(routerName: string, entryPoint: string, handler: Handler): Handler;
  /** Around what one middleware built for one chain (the middleware's handler, which calls the next one). */
  middleware?(middlewareName: string, routerName: string, handler: Handler): Handler;
  /** Around the service a router sends to (the last handler of its chain). */
  service?(serviceName: string, routerName: string, handler: Handler): Handler;
}
