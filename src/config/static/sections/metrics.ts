/**
 * `metrics`: Prometheus, Datadog (DogStatsD) and StatsD, in Traefik's spelling and with its
 * defaults. `influxDB2` and `otlp` stay reported as unsupported (they are in Traefik's catalogue,
 * not in this schema). As Traefik does for ping, the entry point `traefik` (:8080) is created when
 * `metrics.prometheus.entryPoint` is `traefik` (the default) and the user did not define it.
 */
import type { Diagnostic } from '../../diagnostics.js';
import { formatKeyPath, type DecodeResult } from '../../paths/index.js';
import { bool, duration, listOf, mapOf, num, section, str } from '../../paths/schema.js';
import { STATIC_CODES, type StaticCode } from '../codes.js';
import type { EntryPointConfig } from '../types.js';
import { type Tree, subtree, present, flag, text } from '../tree.js';

/** Traefik's default histogram buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.1, 0.3, 1.2, 5.0];
/** Default agent address of Datadog and StatsD (reference §1.3). */
export const DEFAULT_STATSD_ADDRESS = '127.0.0.1:8125';
export const DEFAULT_PUSH_INTERVAL_MS = 10_000;
export const DEFAULT_METRICS_PREFIX = 'traefik';

export interface PrometheusConfig {
  /** Upper bounds of the duration histograms, in seconds, ascending. */
  readonly buckets: readonly number[];
  readonly addEntryPointsLabels: boolean; // default true
  readonly addRoutersLabels: boolean; // default false
  readonly addServicesLabels: boolean; // default true
  /** Entry point of the automatic `/metrics` router (default `traefik`). */
  readonly entryPoint: string;
  /** true: no automatic router; route to `prometheus@internal` yourself. */
  readonly manualRouting: boolean;
  /** Extra label -> request header whose value it takes (`requests_total` counters). */
  readonly headerLabels: Readonly<Record<string, string>>;
}

/** `metrics.datadog` and `metrics.statsD`: pushed over UDP every pushInterval. */
export interface PushConfig {
  /** `host:port` of the agent. */
  readonly host: string;
  readonly port: number;
  /** As written (for messages). */
  readonly address: string;
  /** ms */
  readonly pushInterval: number;
  readonly prefix: string;
  readonly addEntryPointsLabels: boolean; // default true
  readonly addRoutersLabels: boolean; // default false
  readonly addServicesLabels: boolean; // default true
}

export interface MetricsConfig {
  /** Count internal routers and services (`ping@internal`, `prometheus@internal`, ...) too. */
  readonly addInternals: boolean;
  readonly prometheus?: PrometheusConfig | undefined;
  readonly datadog?: PushConfig | undefined;
  readonly statsD?: PushConfig | undefined;
}

/** `host:port` with a numeric port; what the UDP pusher can send to. */
export function parseAgentAddress(value: string): { host: string; port: number } | string {
  const v = value.trim();
  if (v.startsWith('unix')) return 'a UDP address host:port (unix sockets are not supported)';
  const colon = v.lastIndexOf(':');
  if (colon < 0) return 'an address host:port, e.g. "127.0.0.1:8125"';
  let host = v.slice(0, colon);
  const portText = v.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535 || Number(portText) === 0) return 'an address host:port with a port from 1 to 65535';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host: host === '' ? '127.0.0.1' : host, port: Number(portText) };
}

function checkAgentAddress(value: string): string | undefined {
  const parsed = parseAgentAddress(value);
  return typeof parsed === 'string' ? parsed : undefined;
}

function checkNotEmpty(value: string): string | undefined {
  return value.trim() === '' ? 'a non-empty value' : undefined;
}

function pushSection(what: string) {
  return section(
    {
      address: str({ doc: `Address of the ${what} agent (UDP host:port)`, default: DEFAULT_STATSD_ADDRESS, check: checkAgentAddress }),
      pushInterval: duration({ doc: 'Interval between two pushes', default: '10s', min: 1 }),
      prefix: str({ doc: 'Prefix of every metric name', default: DEFAULT_METRICS_PREFIX }),
      addEntryPointsLabels: bool({ doc: 'Entry point metrics', default: 'true' }),
      addRoutersLabels: bool({ doc: 'Router metrics', default: 'false' }),
      addServicesLabels: bool({ doc: 'Service metrics', default: 'true' }),
    },
    { doc: `Push metrics to ${what}` },
  );
}

export const metricsSection = section(
  {
    addInternals: bool({ doc: 'Also count internal routers and services (ping@internal, prometheus@internal...)', default: 'false' }),
    prometheus: section(
      {
        buckets: listOf(num(), { doc: 'Upper bounds of the request duration histograms, in seconds', default: '0.1,0.3,1.2,5.0' }),
        addEntryPointsLabels: bool({ doc: 'Entry point metrics', default: 'true' }),
        addRoutersLabels: bool({ doc: 'Router metrics', default: 'false' }),
        addServicesLabels: bool({ doc: 'Service metrics', default: 'true' }),
        entryPoint: str({ doc: 'Entry point serving /metrics (created on :8080 when it is "traefik" and undefined)', default: 'traefik', check: checkNotEmpty }),
        manualRouting: bool({ doc: 'Do not route /metrics automatically; use the prometheus@internal service in a router', default: 'false' }),
        headerLabels: mapOf(str({ check: checkNotEmpty }), { doc: 'Extra labels taking the value of a request header (label=Header)', keyLabel: 'label' }),
      },
      { doc: 'Expose Prometheus metrics' },
    ),
    datadog: pushSection('Datadog (DogStatsD)'),
    statsD: pushSection('StatsD'),
  },
  { doc: 'Metrics (Prometheus, Datadog, StatsD)' },
);

/** A Prometheus label name (and not one Turnpike already uses). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['code', 'method', 'protocol', 'entrypoint', 'router', 'service', 'le']);

function diagnostic(decoded: DecodeResult, code: StaticCode, path: readonly string[], message: string): Diagnostic {
  const where = decoded.locations.get(formatKeyPath(path));
  return {
    code,
    severity: 'error',
    message,
    ...(where ? { source: where.source } : {}),
    ...(where?.line !== undefined ? { line: where.line } : {}),
    ...(where?.column !== undefined ? { column: where.column } : {}),
    path: formatKeyPath(path),
  };
}

function buildPush(tree: Tree | undefined): PushConfig {
  const address = (text(tree, 'address') ?? DEFAULT_STATSD_ADDRESS).trim();
  const parsed = parseAgentAddress(address);
  const interval = tree?.['pushInterval'];
  return {
    address,
    host: typeof parsed === 'string' ? '127.0.0.1' : parsed.host,
    port: typeof parsed === 'string' ? 8125 : parsed.port,
    pushInterval: typeof interval === 'number' && interval > 0 ? interval : DEFAULT_PUSH_INTERVAL_MS,
    prefix: text(tree, 'prefix') || DEFAULT_METRICS_PREFIX,
    addEntryPointsLabels: flag(tree, 'addEntryPointsLabels', true),
    addRoutersLabels: flag(tree, 'addRoutersLabels', false),
    addServicesLabels: flag(tree, 'addServicesLabels', true),
  };
}

/**
 * The model of `metrics`, or undefined when the section is absent. `entryPoints` is the map being
 * built: the `traefik` entry point is added to it through `makeEntryPoint` when Prometheus needs it.
 */
export function buildMetrics(
  decoded: DecodeResult,
  diagnostics: Diagnostic[],
  entryPoints: Record<string, EntryPointConfig>,
  makeTraefikEntryPoint: () => EntryPointConfig | undefined,
): MetricsConfig | undefined {
  const root = decoded.value;
  if (!present(root, 'metrics')) return undefined;
  const tree = subtree(root, 'metrics');
  let prometheus: PrometheusConfig | undefined;
  if (present(tree, 'prometheus')) {
    const p = subtree(tree, 'prometheus');
    const rawBuckets = p?.['buckets'];
    const buckets = Array.isArray(rawBuckets) ? rawBuckets.filter((b): b is number => typeof b === 'number' && Number.isFinite(b)) : [...DEFAULT_BUCKETS];
    const sorted = [...new Set(buckets)].sort((a, b) => a - b);
    const headerTree = subtree(p, 'headerLabels') ?? {};
    const headerLabels: Record<string, string> = {};
    for (const [label, header] of Object.entries(headerTree)) {
      if (typeof header !== 'string') continue;
      if (!LABEL_NAME.test(label) || RESERVED_LABELS.has(label)) {
        diagnostics.push(
          diagnostic(decoded, STATIC_CODES.value, ['metrics', 'prometheus', 'headerLabels', label], `"${label}" cannot be a label name: expected letters, digits and "_", not one of ${[...RESERVED_LABELS].join(', ')}`),
        );
        continue;
      }
      Object.defineProperty(headerLabels, label, { value: header.trim(), enumerable: true, writable: true, configurable: true });
    }
    prometheus = {
      buckets: sorted.length > 0 ? sorted : [...DEFAULT_BUCKETS],
      addEntryPointsLabels: flag(p, 'addEntryPointsLabels', true),
      addRoutersLabels: flag(p, 'addRoutersLabels', false),
      addServicesLabels: flag(p, 'addServicesLabels', true),
      entryPoint: text(p, 'entryPoint') ?? 'traefik',
      manualRouting: flag(p, 'manualRouting', false),
      headerLabels,
    };
    if (!(prometheus.entryPoint in entryPoints)) {
      const ep = prometheus.entryPoint === 'traefik' ? makeTraefikEntryPoint() : undefined;
      if (ep) {
        Object.defineProperty(entryPoints, ep.name, { value: ep, enumerable: true, writable: true, configurable: true });
      } else if (prometheus.entryPoint !== 'traefik') {
        diagnostics.push(
          diagnostic(
            decoded,
            STATIC_CODES.reference,
            ['metrics', 'prometheus', 'entryPoint'],
            `metrics entry point "${prometheus.entryPoint}" is not a defined entry point (defined: ${Object.keys(entryPoints).join(', ')})`,
          ),
        );
      }
    }
  }
  return {
    addInternals: flag(tree, 'addInternals', false),
    ...(prometheus ? { prometheus } : {}),
    ...(present(tree, 'datadog') ? { datadog: buildPush(subtree(tree, 'datadog')) } : {}),
    ...(present(tree, 'statsD') ? { statsD: buildPush(subtree(tree, 'statsD')) } : {}),
  };
}
