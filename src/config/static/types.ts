/**
 * The static (install) configuration after loading and validation: one typed object, durations
 * in milliseconds, every default filled in. Read once at start.
 */
import type { DockerProviderConfig } from './sections/docker.js';
import type { MetricsConfig } from './sections/metrics.js';
import type { ApiConfig } from './sections/api.js';
import type { AccessLogConfig } from './sections/access-log.js';
import type { TracingConfig } from './sections/tracing.js';
export interface RespondingTimeouts {
  readonly readTimeout: number; // ms, default 60s, 0 = none
  readonly writeTimeout: number; // ms, default 0
  readonly idleTimeout: number; // ms, default 180s
}

export interface RedirectionConfig {
  readonly to: string; // entry point name or ':port'
  readonly scheme: string; // default https
  readonly permanent: boolean; // default true
  readonly priority: number; // default MaxInt-1 (Number.MAX_SAFE_INTEGER - 1 here)
}

export interface EntryPointConfig {
  readonly name: string;
  /** As written, e.g. ':8000', '127.0.0.1:8000/tcp'. */
  readonly address: string;
  /** '' = all interfaces. */
  readonly host: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
  readonly asDefault: boolean;
  readonly forwardedHeaders: { readonly trustedIPs: readonly string[]; readonly insecure: boolean };
  readonly transport: {
    readonly respondingTimeouts: RespondingTimeouts;
    readonly lifeCycle: { readonly requestAcceptGraceTimeout: number; readonly graceTimeOut: number };
  };
  readonly http: {
    readonly redirections: { readonly entryPoint: RedirectionConfig } | undefined;
    /** Middlewares prepended to every router on this entry point (names may be qualified). */
    readonly middlewares: readonly string[];
    /** `http.sanitizePath`, default true. */
    readonly sanitizePath?: boolean;
    /** `http.encodeQuerySemicolons`, default false. */
    readonly encodeQuerySemicolons?: boolean;
    /** `http.maxHeaderBytes`, default 1048576. */
    readonly maxHeaderBytes?: number;
    /**
     * `http.tls`: every router on this entry point is a TLS router, with these defaults for the
     * routers that set no `tls` of their own. undefined = none.
     */
    readonly tls?: EntryPointTls | undefined;
  };
  /** `http2.*`; absent = defaults. */
  readonly http2?: { readonly maxConcurrentStreams: number } | undefined;
}

/** `entryPoints.<name>.http.tls`. */
export interface EntryPointTls {
  /** TLS options name (qualified as written); undefined = `default`. */
  readonly options: string | undefined;
  readonly certResolver: string | undefined;
  readonly domains: readonly { readonly main: string; readonly sans: readonly string[] }[];
}

export interface FileProviderConfig {
  readonly filename: string | undefined;
  readonly directory: string | undefined;
  readonly watch: boolean; // default true
}

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'PANIC';

export interface ServersTransportDefaults {
  readonly insecureSkipVerify: boolean;
  readonly rootCAs: readonly string[];
  readonly maxIdleConnsPerHost: number; // default 200
  readonly forwardingTimeouts: {
    readonly dialTimeout: number; // ms, default 30s
    readonly responseHeaderTimeout: number; // ms, default 0
    readonly idleConnTimeout: number; // ms, default 90s
  };
}

export interface PingConfig {
  readonly entryPoint: string; // default 'traefik'
  readonly manualRouting: boolean; // default false
  readonly terminatingStatusCode: number; // default 503
}

export interface StaticConfig {
  /**
   * `workers` (Turnpike's own option): processes serving requests. 1 = one process as before; N > 1 = a
   * primary (providers, aggregator) and N worker processes (entry points, runtime). Default: CPU cores.
   */
  readonly workers: number;
  readonly entryPoints: Readonly<Record<string, EntryPointConfig>>;
  readonly providers: {
    readonly providersThrottleDuration: number; // ms, default 2s
    readonly file: FileProviderConfig | undefined;
    /** `providers.docker`: absent = disabled. */
    readonly docker?: DockerProviderConfig | undefined;
  };
  readonly log: { readonly level: LogLevel; readonly format: 'common' | 'json'; readonly filePath: string | undefined; readonly noColor: boolean };
  readonly serversTransport: ServersTransportDefaults;
  /** `ping`: absent = disabled. Its entry point `traefik` (:8080) is created when missing, as Traefik does. */
  readonly ping?: PingConfig | undefined;
  /** `api`: absent = disabled. With `insecure`, entry point `traefik` (:8080) is created when missing. */
  readonly api?: ApiConfig | undefined;
  /** `accessLog`: absent = off (no access-log code is even loaded). */
  readonly accessLog?: AccessLogConfig | undefined;
  /** `tracing` (OpenTelemetry): absent = disabled. */
  readonly tracing?: TracingConfig | undefined;
  /** `metrics`: absent = no metrics (nothing of them is loaded). */
  readonly metrics?: MetricsConfig | undefined;
  /** Where the configuration came from, for messages: a file path, 'flags', 'env' or 'defaults'. */
  readonly origin: { readonly kind: 'file' | 'flags' | 'env' | 'defaults'; readonly file?: string };
}
