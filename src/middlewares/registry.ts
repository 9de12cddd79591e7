/**
 * The middleware registry: one factory per Traefik middleware type, keyed by kind, each in its
 * own module loaded only when a configuration uses that type (a proxy without middlewares does
 * not pay for compress, forwardAuth, the expression language...: about 3 MiB of RSS for the
 * whole set). The compiler stays synchronous: whoever compiles awaits
 * `preloadMiddlewares(config)` first (the runtime's callers, `check`, tests that compile in
 * process); `createMiddleware` then finds every factory it needs. A kind missing from LOADERS
 * fails to compile (the mapped type), so adding a variant to MiddlewareConfig forces a loader.
 */
import type { DynamicConfig, MiddlewareConfig, MiddlewareKind } from '../config/dynamic/types.js';
import type { Handler, Middleware } from '../exchange/exchange.js';

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

type Loaders = { readonly [K in MiddlewareKind]: () => Promise<MiddlewareFactory<K>> };

const LOADERS: Loaders = {
  stripPrefix: async () => (await import('./strip-prefix/strip-prefix.js')).stripPrefix,
  stripPrefixRegex: async () => (await import('./strip-prefix-regex/strip-prefix-regex.js')).stripPrefixRegex,
  replacePath: async () => (await import('./replace-path/replace-path.js')).replacePath,
  replacePathRegex: async () => (await import('./replace-path-regex/replace-path-regex.js')).replacePathRegex,
  redirectScheme: async () => (await import('./redirect-scheme/redirect-scheme.js')).redirectScheme,
  redirectRegex: async () => (await import('./redirect-regex/redirect-regex.js')).redirectRegex,
  contentType: async () => (await import('./content-type/content-type.js')).contentType,
  chain: async () => (await import('./chain/chain.js')).chain,
  basicAuth: async () => (await import('./basic-auth/basic-auth.js')).basicAuth,
  digestAuth: async () => (await import('./digest-auth/digest-auth.js')).digestAuth,
  forwardAuth: async () => (await import('./forward-auth/forward-auth.js')).forwardAuth,
  compress: async () => (await import('./compress/compress.js')).compress,
  errors: async () => (await import('./errors/errors.js')).errors,
  rateLimit: async () => (await import('./rate-limit/rate-limit.js')).rateLimit,
  inFlightReq: async () => (await import('./in-flight-req/in-flight-req.js')).inFlightReq,
  addPrefix: async () => (await import('./add-prefix/add-prefix.js')).addPrefix,
  ipAllowList: async () => (await import('./ip-allow-list/ip-allow-list.js')).ipAllowList,
  headers: async () => (await import('./headers/headers.js')).headers,
  circuitBreaker: async () => (await import('./circuit-breaker/circuit-breaker.js')).circuitBreaker,
  retry: async () => (await import('./retry/retry.js')).retry,
  buffering: async () => (await import('./buffering/buffering.js')).buffering,
  passTLSClientCert: async () => (await import('./pass-tls-client-cert/pass-tls-client-cert.js')).passTLSClientCert,
  grpcWeb: async () => (await import('./grpc-web/grpc-web.js')).grpcWeb,
};

/** Every middleware kind Turnpike implements. */
export const MIDDLEWARE_KINDS: readonly MiddlewareKind[] = Object.freeze(Object.keys(LOADERS) as MiddlewareKind[]);

type Loaded = { [K in MiddlewareKind]?: MiddlewareFactory<K> };
const loaded: Loaded = {};
/** Loads in progress (a kind asked for twice is imported once). */
const loading = new Map<MiddlewareKind, Promise<void>>();
/** Kinds whose module failed to load, with why (a broken install: said on each middleware of that kind). */
const failed = new Map<MiddlewareKind, string>();

function load<K extends MiddlewareKind>(kind: K): Promise<void> {
  let p = loading.get(kind);
  if (p === undefined) {
    const loader = LOADERS[kind] as () => Promise<MiddlewareFactory<K>>;
    p = loader().then(
      (factory) => {
        (loaded as Record<K, MiddlewareFactory<K>>)[kind] = factory;
      },
      (err: unknown) => {
        failed.set(kind, err instanceof Error ? err.message : String(err));
      },
    );
    loading.set(kind, p);
  }
  return p;
}

/**
 * Loads the factories of `kinds` (all kinds when omitted). Never rejects: a module that cannot be
 * loaded disables the middlewares of its kind at compile time, with the reason.
 */
export async function loadMiddlewareKinds(kinds: Iterable<MiddlewareKind> = MIDDLEWARE_KINDS): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const kind of kinds) if (loaded[kind] === undefined && !failed.has(kind)) waits.push(load(kind));
  await Promise.all(waits);
}

/**
 * Loads the factories `config` needs before it is compiled. Returns undefined when they are all
 * loaded already (the usual reload: nothing to wait for, the caller compiles at once), else a
 * promise that resolves (never rejects) once they are.
 */
export function preloadMiddlewares(config: DynamicConfig | undefined): Promise<void> | undefined {
  const middlewares = config?.http.middlewares;
  if (middlewares === undefined) return undefined;
  let missing: Set<MiddlewareKind> | undefined;
  for (const name in middlewares) {
    const kind = middlewares[name]?.kind;
    if (kind !== undefined && loaded[kind] === undefined && !failed.has(kind)) (missing ??= new Set()).add(kind);
  }
  return missing === undefined ? undefined : loadMiddlewareKinds(missing);
}

export function createMiddleware(config: MiddlewareConfig, ctx: BuildContext): Middleware {
  // The cast narrows the loaded entry to the config's own kind; the mapped type guarantees it.
  const factory = loaded[config.kind] as MiddlewareFactory<typeof config.kind> | undefined;
  if (factory === undefined) {
    const why = failed.get(config.kind);
    throw new Error(
      why === undefined
        ? `middleware type "${config.kind}" is not loaded (internal error: the configuration was compiled before preloadMiddlewares)`
        : `middleware type "${config.kind}" cannot be loaded: ${why}`,
    );
  }
  return factory.create(config.options, ctx);
}

/**
 * Wraps `apply` (e.g. the runtime's applySliced) so that each configuration is applied once the
 * factories it needs are loaded, in the order the configurations came: with everything loaded
 * already and nothing waiting, `apply` runs at once, in the same turn. A throw from a delayed
 * `apply` goes to `onError` (the ones after it still run).
 */
export function applyWhenLoaded<S extends { readonly config: DynamicConfig }>(apply: (s: S) => void, onError: (err: unknown) => void): (s: S) => void {
  let tail: Promise<void> = Promise.resolve();
  let waiting = 0;
  return (s: S): void => {
    const loading = preloadMiddlewares(s.config);
    if (loading === undefined && waiting === 0) {
      apply(s);
      return;
    }
    waiting++;
    tail = Promise.all([tail, loading])
      .then(() => {
        waiting--;
        apply(s);
      })
      .catch(onError);
  };
}
