/**
 * The metrics part (`metrics` in the static configuration): Prometheus on `prometheus@internal`
 * (routed at `/metrics` on metrics.prometheus.entryPoint unless manualRouting), Datadog and StatsD
 * pushed over UDP. One MetricsModel counts every finished request; the backends read it.
 *
 * Loaded by src/observability/load.ts only when `metrics` is configured.
 */
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, Handler } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import type { InternalObjects } from '../../runtime/compile.js';
import type { DataPath } from '../../runtime/workers/data-path.js';
import type { ObservabilityPart } from '../core.js';
import type { ObservabilityContext } from '../load.js';
import type { RequestRecord } from '../request-record.js';
import { WorkerMetricsLink } from './cluster-link.js';
import { prometheusFamilies, type FamilySelection, type MetricFamily } from './families.js';
import { readGauges } from './gauges.js';
import { grpcCode } from './labels.js';
import { MetricsModel } from './model.js';
import { PROMETHEUS_CONTENT_TYPE, renderFamilies } from './render.js';
import { LineBuilder, UdpPusher, type Flavor } from './statsd.js';

/** The internal service and router names Traefik uses. */
export const PROMETHEUS_SERVICE = 'prometheus@internal';
export const PROMETHEUS_RULE = 'PathPrefix(`/metrics`)';

/** Remembers the grpc-status a gRPC exchange answered (head or trailers). */
class GrpcStatusWriter extends DelegatingResponseWriter {
  constructor(
    inner: DelegatingResponseWriter['inner'],
    private readonly seen: WeakMap<Exchange, string>,
    private readonly ex: Exchange,
  ) {
    super(inner);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    const v = headers.get('grpc-status');
    if (v !== undefined) this.seen.set(this.ex, v);
    this.inner.writeHead(status, headers, statusMessage);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    const v = trailers?.get('grpc-status');
    if (v !== undefined) this.seen.set(this.ex, v);
    this.inner.end(chunk, trailers);
  }
}

function answer(ex: Exchange, status: number, text: string): void {
  const body = Buffer.from(text);
  ex.response.writeHead(status, new HeaderList(['Content-Type', status === 200 ? PROMETHEUS_CONTENT_TYPE : 'text/plain; charset=utf-8', 'Content-Length', String(body.length)]));
  ex.response.end(body);
}

export async function createMetricsParts(ctx: ObservabilityContext): Promise<ObservabilityPart[]> {
  const cfg = ctx.config.metrics;
  if (cfg === undefined) return [];
  const prom = cfg.prometheus;
  const pushes: [Flavor, NonNullable<typeof cfg.datadog>][] = [];
  if (cfg.datadog) pushes.push(['datadog', cfg.datadog]);
  if (cfg.statsD) pushes.push(['statsd', cfg.statsD]);
  if (prom === undefined && pushes.length === 0) return [];

  const any = (pick: (c: { addEntryPointsLabels: boolean; addRoutersLabels: boolean; addServicesLabels: boolean }) => boolean): boolean =>
    (prom !== undefined && pick(prom)) || pushes.some(([, c]) => pick(c));
  const headerLabels = prom ? Object.entries(prom.headerLabels).map(([label, header]): [string, string] => [label, header.toLowerCase()]) : [];
  const model = new MetricsModel({
    buckets: prom?.buckets ?? [],
    entryPoints: any((c) => c.addEntryPointsLabels),
    routers: any((c) => c.addRoutersLabels),
    services: any((c) => c.addServicesLabels),
    headerLabels,
    addInternals: cfg.addInternals,
    sinks: pushes.length,
  });
  const grpcSeen = new WeakMap<Exchange, string>();
  const grpcOf = (ex: Exchange): number => grpcCode(grpcSeen.get(ex));
  let dataPath: DataPath | undefined;
  // A single process knows its reloads; in a cluster the primary adds them (primary-link.ts).
  const withReloads = ctx.role === 'single';
  const selection: FamilySelection | undefined = prom
    ? {
        entryPoints: prom.addEntryPointsLabels,
        routers: prom.addRoutersLabels,
        services: prom.addServicesLabels,
        headerLabels: headerLabels.map(([label]) => label),
        buckets: prom.buckets,
      }
    : undefined;
  // Once per applied configuration, at read time: forget the series of removed routers and services.
  let prunedFor: object | undefined;
  const pruneStale = (): void => {
    const graph = dataPath?.runtime.current;
    if (graph === undefined || graph === prunedFor) return;
    prunedFor = graph;
    // What the graph built, not its view: reading the view would make a view object for every
    // router of each new graph (the view is made only when something asks for it).
    const routers = graph.built.routers;
    const services = graph.built.context.config.http.services;
    model.prune((name) => routers.has(name), (name) => Object.hasOwn(services, name));
  };
  const localFamilies = (): MetricFamily[] => {
    if (selection === undefined) return [];
    pruneStale();
    return prometheusFamilies(model, readGauges(dataPath, withReloads, cfg.addInternals), selection);
  };
  const link = prom && ctx.role === 'worker' ? new WorkerMetricsLink(localFamilies) : undefined;

  let internals: InternalObjects | undefined;
  if (prom) {
    const scrape = link ? () => link.scrape() : () => renderFamilies([localFamilies()]);
    const service: Handler = async function prometheusService(ex: Exchange): Promise<void> {
      let text: string;
      try {
        text = await scrape();
      } catch (err) {
        ctx.logger.error({ err: String(err) }, 'metrics scrape failed');
        if (!ex.response.clientGone && !ex.response.headersSent) answer(ex, 503, 'metrics unavailable\n');
        return;
      }
      if (!ex.response.clientGone) answer(ex, 200, text);
    };
    internals = {
      services: new Map([[PROMETHEUS_SERVICE, service]]),
      routers: prom.manualRouting ? [] : [{ name: PROMETHEUS_SERVICE, entryPoint: prom.entryPoint, rule: PROMETHEUS_RULE, priority: Number.MAX_SAFE_INTEGER, service: PROMETHEUS_SERVICE }],
    };
  }

  const pushers: UdpPusher[] = [];
  const part: ObservabilityPart = {
    name: 'metrics',
    begin(ex: Exchange): void {
      const type = ex.headers.get('content-type');
      if (type !== undefined && type.startsWith('application/grpc')) ex.response = new GrpcStatusWriter(ex.response, grpcSeen, ex);
    },
    finish(ex: Exchange, rec: RequestRecord, status: number, durationMs: number): void {
      model.record(ex, rec, status, durationMs, grpcOf);
    },
    instrumentation: {
      // Only to learn which service each router sends to (the router metrics' `service` label).
      service(serviceName: string, routerName: string, handler: Handler): Handler {
        model.routerService.set(routerName, serviceName);
        return handler;
      },
    },
    ...(internals ? { internals } : {}),
    attach(dp: DataPath): void {
      dataPath = dp;
      pushes.forEach(([flavor, c], sink) => {
        const live = () => {
          pruneStale();
          return readGauges(dataPath, withReloads, cfg.addInternals);
        };
        pushers.push(new UdpPusher(new LineBuilder(flavor, c, { model, sink, live }), c, ctx.logger));
      });
    },
    close(): Promise<void> {
      for (const p of pushers) p.close();
      link?.close();
      return Promise.resolve();
    },
  };
  return [part];
}
