/**
 * The dynamic (routing) configuration after validation: plain, frozen data, normalised from
 * Traefik's shape (`{stripPrefix: {...}}` -> `{kind: 'stripPrefix', options}`), durations in
 * milliseconds. Providers produce it; the runtime compiles it. Nothing mutates a snapshot.
 */
import type { HeadersOptions } from './schema/middlewares/headers.js';
import type { CircuitBreakerOptions } from './schema/middlewares/circuit-breaker.js';
import type { RetryOptions } from './schema/middlewares/retry.js';
import type { BufferingOptions } from './schema/middlewares/buffering.js';
import type { PassTlsClientCertOptions } from './schema/middlewares/pass-tls-client-cert.js';
import type { GrpcWebOptions } from './schema/middlewares/grpc-web.js';
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
  /** Present (even empty) = an HTTPS-only router; also when its entry point has `http.tls`. */
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
  /** `sticky.cookie`; undefined = no stickiness. */
  readonly sticky: StickyConfig | undefined;
  /** Active health checks; undefined = none (every server counts as up unless passive checks say otherwise). */
  readonly healthCheck: HealthCheckConfig | undefined;
  /** `passiveHealthCheck` (Traefik 3.x): undefined = none. */
  readonly passiveHealthCheck: PassiveHealthCheckConfig | undefined;
}

/** `sticky.cookie` of a loadBalancer or weighted service, Traefik's defaults filled in. */
export interface StickyCookieConfig {
  /**
   * The cookie name, already sanitized (characters outside Go's token set became `_`);
   * undefined = derived from the qualified service name (`_` + 5 hex of SHA-1, see traefik-reference §2.2).
   */
  readonly name: string | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** '' = attribute not sent. Lower-cased. */
  readonly sameSite: '' | 'none' | 'lax' | 'strict';
  /** Seconds; 0 = session cookie, negative = expire now (Max-Age=0 sent as Go does). */
  readonly maxAge: number;
  /** Default '/'. */
  readonly path: string;
  /** '' = attribute not sent. */
  readonly domain: string;
}

export interface StickyConfig {
  readonly cookie: StickyCookieConfig;
}

export interface HealthCheckConfig {
  /** Request path (may carry a query), required. */
  readonly path: string;
  /** Scheme to use instead of the server URL's ('http' | 'https'); undefined = the server's. */
  readonly scheme: string | undefined;
  readonly mode: 'http' | 'grpc';
  /** Host header / :authority to send; undefined = the server URL's host. */
  readonly hostname: string | undefined;
  /** Port to use instead of the server URL's; undefined = the server's. */
  readonly port: number | undefined;
  /** ms between checks of a healthy server; default 30 s. */
  readonly interval: number;
  /** ms between checks of an unhealthy server; default = interval. */
  readonly unhealthyInterval: number;
  /** ms; default 5 s. */
  readonly timeout: number;
  /** Extra request headers, as given. */
  readonly headers: Readonly<Record<string, string>>;
  /** Default true. */
  readonly followRedirects: boolean;
  /** Default 'GET'. */
  readonly method: string;
  /** Expected status; 0 = any 2xx or 3xx. */
  readonly status: number;
}

export interface PassiveHealthCheckConfig {
  /** ms; default 10 s. */
  readonly failureWindow: number;
  /** Default 1. */
  readonly maxFailedAttempts: number;
}

/** `healthCheck: {}` on a weighted / mirroring / failover service: propagate the children's health up. */
export type ParentHealthCheck = boolean;

export interface WeightedServiceRef {
  /** A service name, as written (qualified by the aggregator like every reference). */
  readonly name: string;
  /** Default 1. */
  readonly weight: number;
}

export interface WeightedConfig {
  readonly services: readonly WeightedServiceRef[];
  readonly sticky: StickyConfig | undefined;
  readonly healthCheck: ParentHealthCheck;
}

export interface MirrorRef {
  readonly name: string;
  /** 0-100; default 0 (nothing mirrored). */
  readonly percent: number;
}

export interface MirroringConfig {
  readonly service: string;
  readonly mirrors: readonly MirrorRef[];
  /** Default true. */
  readonly mirrorBody: boolean;
  /** Bytes; -1 = unlimited (default). A larger body is not mirrored. */
  readonly maxBodySize: number;
  readonly healthCheck: ParentHealthCheck;
}

export interface FailoverConfig {
  readonly service: string;
  readonly fallback: string;
  readonly healthCheck: ParentHealthCheck;
}

export type ServiceConfig =
  | { readonly kind: 'loadBalancer'; readonly loadBalancer: LoadBalancerConfig }
  | { readonly kind: 'weighted'; readonly weighted: WeightedConfig }
  | { readonly kind: 'mirroring'; readonly mirroring: MirroringConfig }
  | { readonly kind: 'failover'; readonly failover: FailoverConfig };

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
  | { readonly kind: 'passTLSClientCert'; readonly options: PassTlsClientCertOptions }
  | { readonly kind: 'grpcWeb'; readonly options: GrpcWebOptions }
  | { readonly kind: 'buffering'; readonly options: BufferingOptions };

export type MiddlewareKind = MiddlewareConfig['kind'];

export interface ForwardingTimeouts {
  /** ms; 0 = none */
  readonly dialTimeout: number;
  readonly responseHeaderTimeout: number;
  readonly idleConnTimeout: number;
  /**
   * HTTP/2 sessions only: after this long without a frame from the server, send a PING (ms;
   * 0/absent = never, Traefik's default).
   */
  readonly readIdleTimeout?: number;
  /** HTTP/2: a PING not answered within this long closes the session (ms; absent = 15 s). */
  readonly pingTimeout?: number;
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
  /** Client certificates for mTLS to upstreams (file paths or inline PEM). Default []. */
  readonly certificates: readonly TlsCertificatePair[];
  /** Go cipher-suite names (TLS 1.2 and below); [] = Node's defaults. */
  readonly cipherSuites: readonly string[];
  /** 'VersionTLS10' .. 'VersionTLS13'; undefined = Node's default. */
  readonly minVersion: TlsVersionName | undefined;
  readonly maxVersion: TlsVersionName | undefined;
  /** Never negotiate HTTP/2 with https servers (h2c:// servers still speak HTTP/2). Default false. */
  readonly disableHTTP2: boolean;
}

/** A certificate and its key: each a file path or an inline PEM block. */
export interface TlsCertificatePair {
  readonly certFile: string;
  readonly keyFile: string;
}

export type TlsVersionName = 'VersionTLS10' | 'VersionTLS11' | 'VersionTLS12' | 'VersionTLS13';

export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';

/** `tls.options.<name>`, Traefik's defaults filled in. */
export interface TlsOptionsConfig {
  /** Default 'VersionTLS12'. */
  readonly minVersion: TlsVersionName;
  /** undefined = the highest Node supports (1.3). */
  readonly maxVersion: TlsVersionName | undefined;
  /** Go cipher-suite names, as given (validated against Go's list); [] = defaults. Ignored for TLS 1.3. */
  readonly cipherSuites: readonly string[];
  /** Go names (CurveP256, CurveP384, CurveP521, X25519) or RFC names (secp256r1 ...), as given. */
  readonly curvePreferences: readonly string[];
  readonly clientAuth: {
    /** CA certificates (file paths or inline PEM) client certificates are verified against. */
    readonly caFiles: readonly string[];
    /** Default 'NoClientCert'. */
    readonly clientAuthType: ClientAuthType;
  };
  /** Default false. */
  readonly sniStrict: boolean;
  /** Default ['h2', 'http/1.1', 'acme-tls/1']. */
  readonly alpnProtocols: readonly string[];
  /** Default false. */
  readonly disableSessionTickets: boolean;
}

export interface TlsStoreConfig {
  /** undefined = the generated self-signed certificate (CN "TRAEFIK DEFAULT CERT"). */
  readonly defaultCertificate: TlsCertificatePair | undefined;
}

export interface TlsConfig {
  /** `tls.certificates[]` of every provider, in order (`stores` is ignored: always `default`). */
  readonly certificates: readonly TlsCertificatePair[];
  /** `tls.options.<name>`, qualified by provider like routers (`default` is never qualified). */
  readonly options: Readonly<Record<string, TlsOptionsConfig>>;
  /** `tls.stores.<name>`; only `default` is used. */
  readonly stores: Readonly<Record<string, TlsStoreConfig>>;
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
  /**
   * The `tls` section. Optional so that a configuration without one (and the many literals that
   * build one) stays valid; absent reads as EMPTY_TLS.
   */
  readonly tls?: TlsConfig;
}

export const EMPTY_TLS: TlsConfig = Object.freeze({ certificates: Object.freeze([]), options: Object.freeze({}), stores: Object.freeze({}) });

export const EMPTY_DYNAMIC: DynamicConfig = Object.freeze({
  http: Object.freeze({ routers: {}, services: {}, middlewares: {}, serversTransports: {} }),
});
