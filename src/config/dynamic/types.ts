/**
 * The dynamic (routing) configuration after validation: plain, frozen data, normalised from
 * Traefik's shape (`{stripPrefix: {...}}` -> `{kind: 'stripPrefix', options}`), durations in
 * milliseconds. Providers produce it; the runtime compiles it. Nothing mutates a snapshot.
 */
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
export interface HeadersOptions {
  readonly customRequestHeaders: Readonly<Record<string, string>>;
  readonly customResponseHeaders: Readonly<Record<string, string>>;
}

/** One variant per middleware type; later issues add the rest of Traefik's set here. */
export type MiddlewareConfig =
  | { readonly kind: 'stripPrefix'; readonly options: StripPrefixOptions }
  | { readonly kind: 'addPrefix'; readonly options: AddPrefixOptions }
  | { readonly kind: 'headers'; readonly options: HeadersOptions };

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
