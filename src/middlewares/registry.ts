/**
 * The middleware registry: one factory per Traefik middleware type, keyed by kind. A kind missing
 * here fails to compile (the mapped type), so adding a variant to MiddlewareConfig forces a factory.
 */
import type { MiddlewareConfig, MiddlewareKind } from '../config/dynamic/types.js';
import type { Handler, Middleware } from '../exchange/exchange.js';
import { addPrefix } from './add-prefix/add-prefix.js';
import { headers } from './headers/headers.js';
import { circuitBreaker } from './circuit-breaker/circuit-breaker.js';
import { retry } from './retry/retry.js';
import { buffering } from './buffering/buffering.js';
import { passTLSClientCert } from './pass-tls-client-cert/pass-tls-client-cert.js';
import { grpcWeb } from './grpc-web/grpc-web.js';
import { ipAllowList } from './ip-allow-list/ip-allow-list.js';
import { basicAuth } from './basic-auth/basic-auth.js';
import { digestAuth } from './digest-auth/digest-auth.js';
import { forwardAuth } from './forward-auth/forward-auth.js';
import { compress } from './compress/compress.js';
import { errors } from './errors/errors.js';
import { stripPrefix } from './strip-prefix/strip-prefix.js';
import { stripPrefixRegex } from './strip-prefix-regex/strip-prefix-regex.js';
import { replacePath } from './replace-path/replace-path.js';
import { replacePathRegex } from './replace-path-regex/replace-path-regex.js';
import { redirectScheme } from './redirect-scheme/redirect-scheme.js';
import { redirectRegex } from './redirect-regex/redirect-regex.js';
import { contentType } from './content-type/content-type.js';
import { chain } from './chain/chain.js';
import { rateLimit } from './rate-limit/rate-limit.js';
import { inFlightReq } from './in-flight-req/in-flight-req.js';

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
  stripPrefixRegex,
  replacePath,
  replacePathRegex,
  redirectScheme,
  redirectRegex,
  contentType,
  chain,
  basicAuth,
  digestAuth,
  forwardAuth,
  compress,
  errors,
  rateLimit,
  inFlightReq,
  addPrefix,
  ipAllowList,
  headers,
  circuitBreaker,
  retry,
  buffering,
  passTLSClientCert,
  grpcWeb,
};

export function createMiddleware(config: MiddlewareConfig, ctx: BuildContext): Middleware {
  // The cast narrows the registry entry to the config's own kind; the mapped type guarantees it.
  const factory = MIDDLEWARES[config.kind] as MiddlewareFactory<typeof config.kind>;
  return factory.create(config.options, ctx);
}
