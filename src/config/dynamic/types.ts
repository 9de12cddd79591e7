/**
 * The dynamic (routing) configuration after validation: plain, frozen data, normalised from
 * Traefik's shape (`{stripPrefix: {...}}` -> `{kind: 'stripPrefix', options}`), durations in
 * milliseconds. Providers produce it; the runtime compiles it. Nothing mutates a snapshot.
 */
import type { HeadersOptions } from './schema/middlewares/headers.js';
import type { CircuitBreakerOptions } from './schema/middlewares/circuit-breaker.js';
import type { RetryOptions } from './schema/middlewares/retry.js';
import type { BufferingOptions } from './schema/middlewares/buffering.js';
import type { IpAllowListOptions } from './schema/middlewares/ip-allow-list.js';
import type { StripPrefixRegexOptions } from './schema/middlewares/strip-prefix-regex.js';
import type { ReplacePathOptions } from './schema/middlewares/replace-path.js';
import type { ReplacePathRegexOptions } from './schema/middlewares/replace-path-regex.js';
import type { RedirectSchemeOptions } from './schema/middlewares/redirect-scheme.js';
import type { RedirectRegexOptions } from './schema/middlewares/redirect-regex.js';
import type { ContentTypeOptions } from './schema/middlewares/content-type.js';
import type { ChainOptions } from './schema/middlewares/chain.js';
import type { BasicAuthOptions } from './schema/middlewares/basic-auth.js';
import type { DigestAuthOptions } from './schema/middlewares/digest-auth.js';
import type { ForwardAuthOptions } from './schema/middlewares/forward-auth.js';
import type { CompressOptions } from './schema/middlewares/compress.js';
import type { ErrorsOptions } from './schema/middlewares/errors.js';
import type { RateLimitOptions } from './schema/middlewares/rate-limit.js';
import type { InFlightReqOptions } from './schema/middlewares/in-flight-req.js';

export type { HeadersOptions };
export type { RateLimitOptions, InFlightReqOptions };
export interface RouterConfig {
  readonly rule: string;
  /** Undefined = the default entry points (every entry point unless some set `asDefault`). */
  readonly entryPoints: readonly string[] | undefined;
  readonly middlewares: readonly string[];
  readonly service: string;
  /** 0 = unset: the default priority is the length of the rule. */
  readonly priority: number;
  /** Present (even empty) = an HTTPS-only router. TLS itself comes with its own issue. */
  readonly tls: { readonly options?: string; readonly certResolver?: string; readonly domains?: readonly TlsDomain[] } | undefined;
}

/** `tls.domains[]` of a router: certificate names for a resolver, kept as given. */
export interface TlsDomain {
  readonly main: string;
  readonly sans: readonly string[];
}

export interface ServerConfig {
  readonly url: string;
  readonly weight: number;
  readonly preservePath: boolean;
}

export interface LoadBalancerConfig {
  readonly servers: readonly ServerConfig[];
  readonly passHostHeader: boolean;
  /** Name of an http.serversTransports entry (may be qualified), undefined = the static default. */
  readonly serversTransport: string | undefined;
  /** responseForwarding.flushInterval in ms; negative = flush every write. */
  readonly flushInterval: number;
}

export type ServiceConfig = { readonly kind: 'loadBalancer'; readonly loadBalancer: LoadBalancerConfig };

export interface StripPrefixOptions {
  readonly prefixes: readonly string[];
}
export interface AddPrefixOptions {
  readonly prefix: string;
}

/** One variant per middleware type; later issues add the rest of Traefik's set here. */
export type MiddlewareConfig =
  | { readonly kind: 'stripPrefix'; readonly options: StripPrefixOptions }
  | { readonly kind: 'stripPrefixRegex'; readonly options: StripPrefixRegexOptions }
  | { readonly kind: 'replacePath'; readonly options: ReplacePathOptions }
  | { readonly kind: 'replacePathRegex'; readonly options: ReplacePathRegexOptions }
  | { readonly kind: 'redirectScheme'; readonly options: RedirectSchemeOptions }
  | { readonly kind: 'redirectRegex'; readonly options: RedirectRegexOptions }
  | { readonly kind: 'contentType'; readonly options: ContentTypeOptions }
  | { readonly kind: 'chain'; readonly options: ChainOptions }
  | { readonly kind: 'basicAuth'; readonly options: BasicAuthOptions }
  | { readonly kind: 'digestAuth'; readonly options: DigestAuthOptions }
  | { readonly kind: 'forwardAuth'; readonly options: ForwardAuthOptions }
  | { readonly kind: 'compress'; readonly options: CompressOptions }
  | { readonly kind: 'errors'; readonly options: ErrorsOptions }
  | { readonly kind: 'rateLimit'; readonly options: RateLimitOptions }
  | { readonly kind: 'inFlightReq'; readonly options: InFlightReqOptions }
  | { readonly kind: 'addPrefix'; readonly options: AddPrefixOptions }
  | { readonly kind: 'ipAllowList'; readonly options: IpAllowListOptions }
  | { readonly kind: 'headers'; readonly options: HeadersOptions }
  | { readonly kind: 'circuitBreaker'; readonly options: CircuitBreakerOptions }
  | { readonly kind: 'retry'; readonly options: RetryOptions }
  | { readonly kind: 'buffering'; readonly options: BufferingOptions };

export type MiddlewareKind = MiddlewareConfig['kind'];

export interface ForwardingTimeouts {
  /** ms; 0 = none */
  readonly dialTimeout: number;
  readonly responseHeaderTimeout: number;
  readonly idleConnTimeout: number;
}

export interface ServersTransportConfig {
  readonly serverName: string | undefined;
  readonly insecureSkipVerify: boolean;
  /** PEM file paths or inline PEM blocks. */
  readonly rootCAs: readonly string[];
  /**
   * Idle keep-alive connections kept per upstream host. Traefik's 0/unset means Go's default, 2,
   * and is normalised to 2 here; a negative value (no idle connection kept) is normalised to 0.
   */
  readonly maxIdleConnsPerHost: number;
  readonly forwardingTimeouts: ForwardingTimeouts;
}

export interface HttpConfig {
  readonly routers: Readonly<Record<string, RouterConfig>>;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly middlewares: Readonly<Record<string, MiddlewareConfig>>;
  readonly serversTransports: Readonly<Record<string, ServersTransportConfig>>;
}

/** Where an object was defined, for diagnostics: keyed by `http.routers.<name>` etc. */
export interface ObjectOrigin {
  readonly source: string;
  readonly line?: number;
}

export interface DynamicConfig {
  readonly http: HttpConfig;
}

export const EMPTY_DYNAMIC: DynamicConfig = Object.freeze({
  http: Object.freeze({ routers: {}, services: {}, middlewares: {}, serversTransports: {} }),
});
