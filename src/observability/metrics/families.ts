/**
 * The Prometheus view of the metrics: Traefik's metric names, help texts, types and labels, as
 * prom-client's metric JSON (what `Registry.getMetricsAsJSON()` returns). One shape serves both a
 * single process (rendered at once) and a cluster (each worker sends its part to the primary, which
 * sums them with prom-client's AggregatorRegistry.aggregate). Label names are in alphabetical order
 * (`le` last), as Go's client writes them.
 */
import type { CountSeries, Group, Level, MetricsModel, Series } from './model.js';
import { tlsCipherLabel, tlsVersionLabel } from './labels.js';

export type Aggregator = 'sum' | 'max' | 'min' | 'first' | 'average' | 'omit';

export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: MetricValue[];
  aggregator: Aggregator;
}

/** What is read at scrape or push time rather than counted per request. */
export interface LiveGauges {
  readonly openConnections: readonly { readonly entrypoint: string; readonly protocol: string; readonly count: number }[];
  readonly serversUp: readonly { readonly service: string; readonly url: string; readonly up: number }[];
  readonly certificates: readonly { readonly cn: string; readonly serial: string; readonly sans: string; readonly notAfter: number }[];
  /** Present where reloads are known (a single process; the primary of a cluster). */
  readonly reloads?: { readonly total: number; readonly lastSuccessSeconds: number } | undefined;
}

/** Which families a Prometheus endpoint shows (metrics.prometheus.add*Labels). */
export interface FamilySelection {
  readonly entryPoints: boolean;
  readonly routers: boolean;
  readonly services: boolean;
  /** Prometheus headerLabels names, in the model's order. */
  readonly headerLabels: readonly string[];
  readonly buckets: readonly number[];
}

const HELP: Record<Level, Record<'reqs' | 'tls' | 'duration' | 'reqBytes' | 'respBytes', string>> = {
  entrypoint: {
    reqs: 'How many HTTP requests processed on an entrypoint, partitioned by status code, protocol, and method.',
    tls: 'How many HTTP requests with TLS processed on an entrypoint, partitioned by TLS Version and TLS cipher Used.',
    duration: 'How long it took to process the request on an entrypoint, partitioned by status code, protocol, and method.',
    reqBytes: 'The total size of requests in bytes handled by an entrypoint, partitioned by status code, protocol, and method.',
    respBytes: 'The total size of responses in bytes handled by an entrypoint, partitioned by status code, protocol, and method.',
  },
  router: {
    reqs: 'How many HTTP requests are processed on a router, partitioned by service, status code, protocol, and method.',
    tls: 'How many HTTP requests with TLS are processed on a router, partitioned by service, TLS Version, and TLS cipher Used.',
    duration: 'How long it took to process the request on a router, partitioned by service, status code, protocol, and method.',
    reqBytes: 'The total size of requests in bytes handled by a router, partitioned by service, status code, protocol, and method.',
    respBytes: 'The total size of responses in bytes handled by a router, partitioned by service, status code, protocol, and method.',
  },
  service: {
    reqs: 'How many HTTP requests processed on a service, partitioned by status code, protocol, and method.',
    tls: 'How many HTTP requests with TLS processed on a service, partitioned by TLS version and TLS cipher.',
    duration: 'How long it took to process the request on a service, partitioned by status code, protocol, and method.',
    reqBytes: 'The total size of requests in bytes received by a service, partitioned by status code, protocol, and method.',
    respBytes: 'The total size of responses in bytes returned by a service, partitioned by status code, protocol, and method.',
  },
};

/** A label object with its keys in alphabetical order. */
function sorted(pairs: [string, string | number][]): Record<string, string | number> {
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, string | number> = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

function seriesLabels(g: Group, s: Series): [string, string | number][] {
  return [...g.names.map(([k, v]): [string, string] => [k, v]), ['code', String(s.code)], ['method', s.method], ['protocol', s.protocol]];
}

function family(name: string, help: string, type: MetricFamily['type'], aggregator: Aggregator = 'sum'): MetricFamily {
  return { name, help, type, values: [], aggregator };
}

function levelFamilies(model: MetricsModel, level: Level, sel: FamilySelection, out: MetricFamily[]): void {
  const prefix = `traefik_${level}_`;
  const help = HELP[level];
  const reqs = family(`${prefix}requests_total`, help.reqs, 'counter');
  const tls = family(`${prefix}requests_tls_total`, help.tls, 'counter');
  const duration = family(`${prefix}request_duration_seconds`, help.duration, 'histogram');
  const reqBytes = family(`${prefix}requests_bytes_total`, help.reqBytes, 'counter');
  const respBytes = family(`${prefix}responses_bytes_total`, help.respBytes, 'counter');
  const retries = family('traefik_service_retries_total', 'How many request retries happened on a service.', 'counter');
  const bounds = sel.buckets;
  for (const g of model.groups(level)) {
    for (const s of g.series.values()) {
      const pairs = seriesLabels(g, s);
      const labels = sorted(pairs.slice());
      if (sel.headerLabels.length === 0) reqs.values.push({ labels, value: s.count });
      reqBytes.values.push({ labels, value: s.requestBytes });
      respBytes.values.push({ labels, value: s.responseBytes });
      let acc = 0;
      for (let i = 0; i < bounds.length; i++) {
        acc += s.buckets[i] as number;
        duration.values.push({ labels: { ...labels, le: bounds[i] as number }, value: acc, metricName: `${duration.name}_bucket` });
      }
      duration.values.push({ labels: { ...labels, le: '+Inf' }, value: s.count, metricName: `${duration.name}_bucket` });
      duration.values.push({ labels, value: s.durationSum, metricName: `${duration.name}_sum` });
      duration.values.push({ labels, value: s.count, metricName: `${duration.name}_count` });
    }
    if (sel.headerLabels.length > 0) {
      for (const c of model.headerCounts(g)) {
        const s = c.series as Series;
        const pairs = seriesLabels(g, s);
        sel.headerLabels.forEach((label, i) => pairs.push([label, c.headerValues[i] ?? '']));
        reqs.values.push({ labels: sorted(pairs), value: c.count });
      }
    }
    for (const [version, byCipher] of g.tls) {
      for (const [cipher, c] of byCipher) {
        const pairs: [string, string][] = [...g.names.map(([k, v]): [string, string] => [k, v]), ['tls_version', tlsVersionLabel(version)], ['tls_cipher', tlsCipherLabel(cipher)]];
        tls.values.push({ labels: sorted(pairs), value: c.count });
      }
    }
    if (level === 'service' && g.retries.count > 0) retries.values.push({ labels: sorted(g.names.map(([k, v]): [string, string] => [k, v])), value: g.retries.count });
  }
  for (const f of [reqs, tls, duration, reqBytes, respBytes, retries]) if (f.values.length > 0) out.push(f);
}

/** The global families read live (connections, certificates, servers up, reloads). */
export function liveFamilies(live: LiveGauges, sel: Pick<FamilySelection, 'services'>): MetricFamily[] {
  const out: MetricFamily[] = [];
  if (live.reloads !== undefined) {
    out.push({ ...family('traefik_config_reloads_total', 'Config reloads', 'counter'), values: [{ labels: {}, value: live.reloads.total }] });
    out.push({ ...family('traefik_config_last_reload_success', 'Last config reload success', 'gauge', 'max'), values: [{ labels: {}, value: live.reloads.lastSuccessSeconds }] });
  }
  const open = family('traefik_open_connections', 'How many open connections exist, by entryPoint and protocol', 'gauge');
  for (const c of live.openConnections) open.values.push({ labels: { entrypoint: c.entrypoint, protocol: c.protocol }, value: c.count });
  if (open.values.length > 0) out.push(open);
  const certs = family('traefik_tls_certs_not_after', 'Certificate expiration timestamp', 'gauge', 'max');
  for (const c of live.certificates) certs.values.push({ labels: { cn: c.cn, sans: c.sans, serial: c.serial }, value: c.notAfter });
  if (certs.values.length > 0) out.push(certs);
  if (sel.services) {
    const up = family('traefik_service_server_up', 'service server is up, described by gauge value of 0 or 1.', 'gauge', 'max');
    for (const s of live.serversUp) up.values.push({ labels: { service: s.service, url: s.url }, value: s.up });
    if (up.values.length > 0) out.push(up);
  }
  return out;
}

/** Every family of this process for a Prometheus endpoint. */
export function prometheusFamilies(model: MetricsModel, live: LiveGauges, sel: FamilySelection): MetricFamily[] {
  const out = liveFamilies(live, sel);
  if (sel.entryPoints) levelFamilies(model, 'entrypoint', sel, out);
  if (sel.routers) levelFamilies(model, 'router', sel, out);
  if (sel.services) levelFamilies(model, 'service', sel, out);
  return out;
}

/** Sum of the counts of a CountSeries map (tests, statsd). */
export function total(counts: Iterable<CountSeries>): number {
  let n = 0;
  for (const c of counts) n += c.count;
  return n;
}
