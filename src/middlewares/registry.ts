/**
 * The middleware registry: one factory per Traefik middleware type, keyed by kind. A kind missing
 * here fails to compile (the mapped type), so adding a variant to MiddlewareConfig forces a factory.
 */
import type { MiddlewareConfig, MiddlewareKind } from '../config/dynamic/types.js';
import type { Handler, Middleware } from '../exchange/exchange.js';
import { addPrefix } from './add-prefix/add-prefix.js';
import { headers } from './headers/headers.js';
import { stripPrefix } from './strip-prefix/strip-prefix.js';

/** What a factory may use while building; resources it acquires are recorded for disposal. */
export interface BuildContext {
  /** Qualified name of the middleware being built, e.g. `strip@file`. */
  readonly name: string;
  /**
   * The built middleware `ref` refers to (a name without `@` is taken in this middleware's own
   * provider, as Traefik does), for middlewares made of others (chain). Throws an Error naming the
   * problem (missing, disabled, reference loop): let it propagate, it disables this middleware.
   */
  middleware(ref: string): Middleware;
  /** The handler of service `ref` (same naming), for middlewares that call a service (errors). Throws likewise. */
  service(ref: string): Handler;
}

export interface MiddlewareFactory<K extends MiddlewareKind> {
  readonly kind: K;
  /** Synchronous: precompute everything; throw an Error with a user-facing message on bad options. */
  create(options: Extract<MiddlewareConfig, { kind: K }>['options'], ctx: BuildContext): Middleware;
}

type Registry = { readonly [K in MiddlewareKind]: MiddlewareFactory<K> };

export const MIDDLEWARES: Registry = {
  stripPrefix,
  addPrefix,
  headers,
};

export function createMiddleware(config: MiddlewareConfig, ctx: BuildContext): Middleware {
  // The cast narrows the registry entry to the config's own kind; the mapped type guarantees it.
  const factory = MIDDLEWARES[config.kind] as MiddlewareFactory<typeof config.kind>;
  return factory.create(config.options, ctx);
}
