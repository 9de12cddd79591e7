/**
 * The decoded static tree -> the StaticConfig model: defaults filled in, durations in ms, cross-field rules
 * checked (required keys, mutually exclusive keys, references), the automatic `http` entry point on `:80`
 * when none is defined. The result is deep-frozen.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { formatKeyPath, type DecodeResult } from '../paths/index.js';
import { parseAddress } from './address.js';
import { STATIC_CODES, type StaticCode } from './codes.js';
import { dockerProviderField } from './sections/docker.js';
import { buildMetrics } from './sections/metrics.js';
import { apiField } from './sections/api.js';
import { accessLogField } from './sections/access-log.js';
import { tracingField } from './sections/tracing.js';
import type { EntryPointConfig, EntryPointTls, FileProviderConfig, LogLevel, PingConfig, RedirectionConfig, StaticConfig } from './types.js';
import { type Tree, isTree, subtree, present, text, flag, numberAt, strings } from './tree.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export const DEFAULT_ENTRY_POINT = { name: 'http', address: ':80' } as const;
/** Created when ping (later also api.insecure, metrics) uses it without the user defining it. */
export const TRAEFIK_ENTRY_POINT = { name: 'traefik', address: ':8080' } as const;
/**
 * Names the environment variable that replaces the `workers` default (an integer >= 1; anything
 * else is ignored). It is not a configuration source: it never selects the env source nor counts
 * as one, so it holds whatever the configuration comes from, and an explicit `workers` (file, flag
 * or TRAEFIK_/TURNPIKE_WORKERS) still wins. For tests and embedders that start many instances on
 * one machine (the e2e harness sets it to 1, so only the tests about workers fork a cluster).
 */
export const DEFAULT_WORKERS_ENV = 'TURNPIKE_DEFAULT_WORKERS';

/**
 * `workers` when not set: one process per CPU core (os.availableParallelism(), which honours CPU
 * affinity), so a one-core machine runs a single process (no cluster). See DEFAULT_WORKERS_ENV.
 */
export function defaultWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const override = env[DEFAULT_WORKERS_ENV]?.trim();
  if (override !== undefined && /^[1-9][0-9]{0,3}$/.test(override)) return Number(override);
  return availableParallelism();
}
/** Traefik's `http2.maxConcurrentStreams` default. */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 250;

/**
 * `http.tls` of an entry point: present (even empty, as `--entryPoints.x.http.tls=true` makes it)
 * = every router on the entry point is a TLS router; undefined = absent.
 */
function entryPointTls(http: Tree | undefined): EntryPointTls | undefined {
  const tls = subtree(http, 'tls');
  if (tls === undefined) return undefined;
  const domains = tls['domains'];
  return {
    options: text(tls, 'options'),
    certResolver: text(tls, 'certResolver'),
    domains: Array.isArray(domains) ? domains.filter(isTree).map((d) => ({ main: text(d, 'main') ?? '', sans: strings(d, 'sans') })) : [],
  };
}

/** Traefik's default redirection priority is MaxInt64-1; the closest a JS number gets safely. */
export const DEFAULT_REDIRECTION_PRIORITY = Number.MAX_SAFE_INTEGER - 1;

class Builder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly decoded: DecodeResult) {}

  /** True when decoding already reported a problem at or below this path (no second error for it). */
  failedAt(path: string): boolean {
    return this.decoded.diagnostics.some((d) => d.path !== undefined && (d.path === path || d.path.startsWith(`${path}.`)));
  }

  error(code: StaticCode, path: readonly string[], message: string, at?: readonly string[]): void {
    const keyPath = formatKeyPath(path);
    const where = this.decoded.locations.get(formatKeyPath(at ?? path)) ?? this.closestLocation(path);
    this.diagnostics.push({
      code,
      severity: 'error',
      message,
      ...(where ? { source: where.source } : {}),
      ...(where?.line !== undefined ? { line: where.line } : {}),
      ...(where?.column !== undefined ? { column: where.column } : {}),
      path: keyPath,
    });
  }

  closestLocation(path: readonly string[]): ReturnType<DecodeResult['locations']['get']> {
    for (let n = path.length; n > 0; n--) {
      const found = this.decoded.locations.get(formatKeyPath(path.slice(0, n)));
      if (found) return found;
    }
    return undefined;
  }

  entryPoint(name: string, tree: Tree, names: ReadonlySet<string>): EntryPointConfig | undefined {
    const base = ['entryPoints', name];
    const address = text(tree, 'address');
    if (address === undefined) {
      // A decode error below the entry point (a mistyped `adress`, a bad value) already explains it.
      if (!this.failedAt(formatKeyPath(base))) {
        this.error(STATIC_CODES.required, [...base, 'address'], `entry point "${name}" needs an address, e.g. ":80"`, base);
      }
      return undefined;
    }
    const parsed = parseAddress(address);
    if (typeof parsed === 'string') return undefined; // reported while decoding
    const forwarded = subtree(tree, 'forwardedHeaders');
    const transport = subtree(tree, 'transport');
    const responding = subtree(transport, 'respondingTimeouts');
    const lifeCycle = subtree(transport, 'lifeCycle');
    const http = subtree(tree, 'http');
    const redirect = subtree(subtree(http, 'redirections'), 'entryPoint');
    const tls = entryPointTls(http);
    let redirection: RedirectionConfig | undefined;
    if (redirect) {
      const at = [...base, 'http', 'redirections', 'entryPoint'];
      const to = text(redirect, 'to');
      if (to === undefined) {
        if (!this.failedAt(formatKeyPath(at))) {
          this.error(STATIC_CODES.required, [...at, 'to'], 'a redirection needs "to": an entry point name or ":port"', at);
        }
      } else if (to.startsWith(':') ? !/^:\d{1,5}$/.test(to) || Number(to.slice(1)) > 65535 : !names.has(to)) {
        const message = to.startsWith(':')
          ? `invalid redirection target "${to}": expected ":port" with a port from 0 to 65535`
          : `redirection target "${to}" is not a defined entry point (defined: ${[...names].join(', ')})`;
        this.error(to.startsWith(':') ? STATIC_CODES.value : STATIC_CODES.reference, [...at, 'to'], message);
      } else {
        redirection = {
          to,
          scheme: text(redirect, 'scheme') ?? 'https',
          permanent: flag(redirect, 'permanent', true),
          priority: numberAt(redirect, 'priority', DEFAULT_REDIRECTION_PRIORITY),
        };
      }
    }
    return {
      name,
      address,
      host: parsed.host,
      port: parsed.port,
      protocol: parsed.protocol,
      asDefault: flag(tree, 'asDefault', false),
      forwardedHeaders: { trustedIPs: strings(forwarded, 'trustedIPs'), insecure: flag(forwarded, 'insecure', false) },
      transport: {
        respondingTimeouts: {
          readTimeout: numberAt(responding, 'readTimeout', 60_000),
          writeTimeout: numberAt(responding, 'writeTimeout', 0),
          idleTimeout: numberAt(responding, 'idleTimeout', 180_000),
        },
        lifeCycle: {
          requestAcceptGraceTimeout: numberAt(lifeCycle, 'requestAcceptGraceTimeout', 0),
          graceTimeOut: numberAt(lifeCycle, 'graceTimeOut', 10_000),
        },
      },
      http: {
        redirections: redirection ? { entryPoint: redirection } : undefined,
        middlewares: strings(http, 'middlewares'),
        sanitizePath: flag(http, 'sanitizePath', true),
        encodeQuerySemicolons: flag(http, 'encodeQuerySemicolons', false),
        maxHeaderBytes: numberAt(http, 'maxHeaderBytes', 1_048_576),
        ...(tls === undefined ? {} : { tls }),
      },
      http2: { maxConcurrentStreams: numberAt(subtree(tree, 'http2'), 'maxConcurrentStreams', DEFAULT_MAX_CONCURRENT_STREAMS) },
    };
  }

  entryPoints(root: Tree): Record<string, EntryPointConfig> {
    const trees = subtree(root, 'entryPoints') ?? {};
    const names = Object.keys(trees);
    if (names.length === 0) {
      const { name, address } = DEFAULT_ENTRY_POINT;
      return { [name]: this.entryPoint(name, { address }, new Set([name])) as EntryPointConfig };
    }
    const out: Record<string, EntryPointConfig> = {};
    const nameSet = new Set(names);
    for (const name of names) {
      const ep = this.entryPoint(name, subtree(trees, name) ?? {}, nameSet);
      if (ep) Object.defineProperty(out, name, { value: ep, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  fileProvider(providers: Tree | undefined, cwd: string): FileProviderConfig | undefined {
    if (!present(providers, 'file')) return undefined;
    const file = subtree(providers, 'file') ?? {};
    const base = ['providers', 'file'];
    const filename = text(file, 'filename');
    const directory = text(file, 'directory');
    if (filename !== undefined && directory !== undefined) {
      this.error(STATIC_CODES.conflict, base, 'set either "filename" or "directory", not both', [...base, 'directory']);
    } else if (filename === undefined && directory === undefined && !this.failedAt(formatKeyPath(base))) {
      this.error(STATIC_CODES.required, base, 'the file provider needs "filename" or "directory"');
    }
    return {
      filename: filename === undefined ? undefined : resolve(cwd, filename),
      directory: directory === undefined ? undefined : resolve(cwd, directory),
      watch: flag(file, 'watch', true),
    };
  }

  /**
   * `ping`, and Traefik's implicit entry point `traefik` on :8080 when ping uses it by default and
   * the user did not define it.
   */
  ping(root: Tree, entryPoints: Record<string, EntryPointConfig>): PingConfig | undefined {
    if (!present(root, 'ping')) return undefined;
    const tree = subtree(root, 'ping');
    const ping: PingConfig = {
      entryPoint: text(tree, 'entryPoint') ?? 'traefik',
      manualRouting: flag(tree, 'manualRouting', false),
      terminatingStatusCode: numberAt(tree, 'terminatingStatusCode', 503),
    };
    if (!(ping.entryPoint in entryPoints)) {
      if (ping.entryPoint === TRAEFIK_ENTRY_POINT.name) {
        const ep = this.entryPoint(TRAEFIK_ENTRY_POINT.name, { address: TRAEFIK_ENTRY_POINT.address }, new Set());
        if (ep) Object.defineProperty(entryPoints, ep.name, { value: ep, enumerable: true, writable: true, configurable: true });
      } else if (!this.failedAt('ping')) {
        this.error(STATIC_CODES.reference, ['ping', 'entryPoint'], `ping entry point "${ping.entryPoint}" is not a defined entry point (defined: ${Object.keys(entryPoints).join(', ')})`);
      }
    }
    return ping;
  }

  /** Traefik's implicit entry point `traefik` on :8080, for a feature that serves on it (api.insecure). */
  implicitTraefikEntryPoint(entryPoints: Record<string, EntryPointConfig>): void {
    if (TRAEFIK_ENTRY_POINT.name in entryPoints) return;
    const ep = this.entryPoint(TRAEFIK_ENTRY_POINT.name, { address: TRAEFIK_ENTRY_POINT.address }, new Set());
    if (ep) Object.defineProperty(entryPoints, ep.name, { value: ep, enumerable: true, writable: true, configurable: true });
  }

  build(origin: StaticConfig['origin'], cwd: string): StaticConfig {
    const root = this.decoded.value;
    const entryPoints = this.entryPoints(root);
    const ping = this.ping(root, entryPoints);
    const metrics = buildMetrics(this.decoded, this.diagnostics, entryPoints, () => this.entryPoint(TRAEFIK_ENTRY_POINT.name, { address: TRAEFIK_ENTRY_POINT.address }, new Set()));
    const api = apiField(this.decoded);
    if (api.api?.insecure === true) this.implicitTraefikEntryPoint(entryPoints);
    const providers = subtree(root, 'providers');
    const log = subtree(root, 'log');
    const transport = subtree(root, 'serversTransport');
    const timeouts = subtree(transport, 'forwardingTimeouts');
    const filePath = text(log, 'filePath');
    // `global` (checkNewVersion, sendAnonymousUsage) is decoded for validation only: Turnpike never phones home.
    return {
      workers: numberAt(root, 'workers', defaultWorkers()),
      entryPoints,
      ...(ping ? { ping } : {}),
      ...tracingField(this.decoded),
      ...(metrics ? { metrics } : {}),
      ...api,
      ...accessLogField(this.decoded),
      providers: {
        providersThrottleDuration: numberAt(providers, 'providersThrottleDuration', 2000),
        file: this.fileProvider(providers, cwd),
        ...dockerProviderField(this.decoded, this.diagnostics),
      },
      log: {
        level: (text(log, 'level') ?? 'ERROR') as LogLevel,
        format: text(log, 'format') === 'json' ? 'json' : 'common',
        filePath,
        noColor: flag(log, 'noColor', false),
      },
      serversTransport: {
        insecureSkipVerify: flag(transport, 'insecureSkipVerify', false),
        rootCAs: strings(transport, 'rootCAs'),
        maxIdleConnsPerHost: numberAt(transport, 'maxIdleConnsPerHost', 200),
        forwardingTimeouts: {
          dialTimeout: numberAt(timeouts, 'dialTimeout', 30_000),
          responseHeaderTimeout: numberAt(timeouts, 'responseHeaderTimeout', 0),
          idleConnTimeout: numberAt(timeouts, 'idleConnTimeout', 90_000),
        },
      },
      origin,
    };
  }
}

/**
 * Builds the model from a decoded tree. `cwd` resolves the file provider's relative paths (as Traefik,
 * relative to the working directory). The config is returned even with errors; callers drop it then.
 */
export function buildStaticConfig(decoded: DecodeResult, origin: StaticConfig['origin'], cwd: string): { config: StaticConfig; diagnostics: Diagnostic[] } {
  const builder = new Builder(decoded);
  const config = deepFreeze(builder.build(origin, cwd));
  return { config, diagnostics: builder.diagnostics };
}
