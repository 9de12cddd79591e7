/**
 * The request metrics of one process, in plain numbers: per entry point, router (with its service)
 * and service, one Series per (code, method, protocol) holding the request count, byte counts, the
 * duration sum and histogram buckets; TLS request counts per (version, cipher); retries per
 * service. Prometheus reads it at scrape time (families.ts), the Datadog and StatsD pushers at push
 * time (statsd.ts): the request path only adds numbers.
 *
 * Per request (record()): a few Map look-ups keyed by the entry point / router / service name and
 * one integer made of (code, method index, protocol index); no label array, no string built.
 */
import type { Exchange } from '../../exchange/exchange.js';
import type { RequestRecord } from '../request-record.js';
import { METHODS, methodIndex, PROTOCOLS, PROTO_GRPC_WEB, protocolIndex } from './labels.js';

export type Level = 'entrypoint' | 'router' | 'service';

export interface ModelOptions {
  /** Histogram upper bounds in seconds, ascending. */
  readonly buckets: readonly number[];
  readonly entryPoints: boolean;
  readonly routers: boolean;
  readonly services: boolean;
  /** Prometheus headerLabels: [label, lower-case header name] (the requests_total counters only). */
  readonly headerLabels: readonly (readonly [string, string])[];
  /** Count internal routers and services (`@internal`) too. */
  readonly addInternals: boolean;
  /** Push backends (Datadog, StatsD): each keeps its own delta cursor and duration samples. */
  readonly sinks: number;
}

/** Duration samples kept per series and push backend between two pushes (reservoir beyond it). */
export const SAMPLE_CAP = 128;

/** What one push backend has already sent of a Series. */
export class SinkCursor {
  count = 0;
  requestBytes = 0;
  responseBytes = 0;
  /** Durations in seconds observed since the last push (at most SAMPLE_CAP of `seen`). */
  readonly samples = new Float64Array(SAMPLE_CAP);
  n = 0;
  seen = 0;

  observe(seconds: number): void {
    const seen = ++this.seen;
    if (this.n < SAMPLE_CAP) {
      this.samples[this.n++] = seconds;
      return;
    }
    const j = Math.floor(Math.random() * seen);
    if (j < SAMPLE_CAP) this.samples[j] = seconds;
  }
}

/** The numbers of one (group, code, method, protocol). */
export class Series {
  count = 0;
  requestBytes = 0;
  responseBytes = 0;
  /** Seconds. */
  durationSum = 0;
  /** Observations per bucket (not cumulative); those above the last bound are count minus their sum. */
  readonly buckets: Float64Array;
  readonly cursors: SinkCursor[];

  constructor(
    readonly code: number,
    readonly method: string,
    readonly protocol: string,
    buckets: number,
    sinks: number,
  ) {
    this.buckets = new Float64Array(buckets);
    this.cursors = [];
    for (let i = 0; i < sinks; i++) this.cursors.push(new SinkCursor());
  }
}

/** A plain counter (TLS requests, retries, requests_total per header values) and what each sink sent. */
export class CountSeries {
  count = 0;
  readonly pushed: Float64Array;

  constructor(
    sinks: number,
    /** Label values for the Prometheus headerLabels, in headerLabels order (requests_total only). */
    readonly headerValues: readonly string[] = [],
    /** For the header counters: the series they refine. */
    readonly series: Series | undefined = undefined,
  ) {
    this.pushed = new Float64Array(sinks);
  }
}

type HeaderNode = Map<string, HeaderNode | CountSeries>;

/** One entry point, router (+ its service) or service. */
export class Group {
  /** By (code << 7 | method << 3 | protocol). */
  readonly series = new Map<number, Series>();
  /** requests_total refined by the headerLabels values (only when some are configured). */
  readonly byHeaders = new Map<number, HeaderNode>();
  /** TLS version as Node names it (`TLSv1.3`) -> OpenSSL cipher name -> requests. */
  readonly tls = new Map<string, Map<string, CountSeries>>();
  /** Services only. */
  readonly retries: CountSeries;

  constructor(
    readonly level: Level,
    /** The labels naming the group, in Traefik's order: [['entrypoint', 'web']], [['router', r], ['service', s]]. */
    readonly names: readonly (readonly [string, string])[],
    sinks: number,
  ) {
    this.retries = new CountSeries(sinks);
  }
}

/** gRPC status of an exchange when the metrics part captured one (its writer wrapper). */
export type GrpcStatusOf = (ex: Exchange) => number;

export class MetricsModel {
  readonly opts: ModelOptions;
  readonly entryPoints = new Map<string, Group>();
  /** Router -> service -> group. */
  readonly routers = new Map<string, Map<string, Group>>();
  readonly services = new Map<string, Group>();
  /** The service each router sends to, as the compiler last said (Instrumentation.service). */
  readonly routerService = new Map<string, string>();
  readonly #internal = new Map<string, boolean>();
  readonly #nb: number;
  readonly #bounds: Float64Array;

  constructor(opts: ModelOptions) {
    this.opts = opts;
    this.#nb = opts.buckets.length;
    this.#bounds = Float64Array.from(opts.buckets);
  }

  /** True for `x@internal` (cached per name). */
  isInternal(name: string): boolean {
    let v = this.#internal.get(name);
    if (v === undefined) {
      v = name.endsWith('@internal');
      if (this.#internal.size < 100_000) this.#internal.set(name, v);
    }
    return v;
  }

  /**
   * Counts one finished exchange. `status` is what the client got; `grpc` gives the gRPC status of
   * gRPC requests (Traefik's code label for them).
   */
  record(ex: Exchange, rec: RequestRecord, status: number, durationMs: number, grpc: GrpcStatusOf): void {
    const opts = this.opts;
    const router = ex.routerName;
    if (!opts.addInternals && router !== undefined && this.isInternal(router)) return;
    const m = methodIndex(ex.method);
    const p = protocolIndex(ex);
    const grpcCode = p >= PROTO_GRPC_WEB ? grpc(ex) : -1;
    const code = grpcCode >= 0 ? grpcCode : status;
    const seconds = durationMs / 1000;
    const service = rec.serviceName;
    if (opts.entryPoints) {
      let g = this.entryPoints.get(ex.entryPoint);
      if (g === undefined) {
        g = new Group('entrypoint', [['entrypoint', ex.entryPoint]], opts.sinks);
        this.entryPoints.set(ex.entryPoint, g);
      }
      this.#add(g, ex, code, m, p, seconds, rec.requestContentSize, rec.downstreamContentSize);
    }
    if (opts.routers && router !== undefined) {
      const svc = this.routerService.get(router) ?? service ?? '';
      let bySvc = this.routers.get(router);
      if (bySvc === undefined) this.routers.set(router, (bySvc = new Map<string, Group>()));
      let g = bySvc.get(svc);
      if (g === undefined) {
        g = new Group('router', [['router', router], ['service', svc]], opts.sinks);
        bySvc.set(svc, g);
      }
      this.#add(g, ex, code, m, p, seconds, rec.requestContentSize, rec.downstreamContentSize);
    }
    if (opts.services && service !== undefined && (opts.addInternals || !this.isInternal(service))) {
      let g = this.services.get(service);
      if (g === undefined) {
        g = new Group('service', [['service', service]], opts.sinks);
        this.services.set(service, g);
      }
      // The service's own answer and time when an upstream answered (a middleware may change the status after).
      const svcCode = grpcCode >= 0 ? grpcCode : rec.originStatus > 0 ? rec.originStatus : status;
      const svcSeconds = rec.originDuration >= 0 ? rec.originDuration / 1000 : seconds;
      this.#add(g, ex, svcCode, m, p, svcSeconds, rec.requestContentSize, rec.originStatus > 0 ? rec.originContentSize : rec.downstreamContentSize);
      if (rec.retryAttempts > 0) g.retries.count += rec.retryAttempts;
    }
  }

  #add(g: Group, ex: Exchange, code: number, m: number, p: number, seconds: number, reqBytes: number, respBytes: number): void {
    const key = (code << 7) | (m << 3) | p;
    let s = g.series.get(key);
    if (s === undefined) {
      s = new Series(code, METHODS[m] as string, PROTOCOLS[p] as string, this.#nb, this.opts.sinks);
      g.series.set(key, s);
    }
    s.count++;
    s.requestBytes += reqBytes;
    s.responseBytes += respBytes;
    s.durationSum += seconds;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= (bounds[i] as number)) {
        s.buckets[i] = (s.buckets[i] as number) + 1;
        break;
      }
    }
    const cursors = s.cursors;
    for (let i = 0; i < cursors.length; i++) (cursors[i] as SinkCursor).observe(seconds);
    if (this.opts.headerLabels.length > 0) this.#addByHeaders(g, key, s, ex);
    const tls = ex.tls;
    if (tls !== null) {
      let byCipher = g.tls.get(tls.protocol);
      if (byCipher === undefined) g.tls.set(tls.protocol, (byCipher = new Map<string, CountSeries>()));
      let c = byCipher.get(tls.cipher);
      if (c === undefined) byCipher.set(tls.cipher, (c = new CountSeries(this.opts.sinks)));
      c.count++;
    }
  }

  #addByHeaders(g: Group, key: number, s: Series, ex: Exchange): void {
    const labels = this.opts.headerLabels;
    let node = g.byHeaders.get(key);
    if (node === undefined) g.byHeaders.set(key, (node = new Map<string, HeaderNode | CountSeries>()));
    const last = labels.length - 1;
    for (let i = 0; i <= last; i++) {
      const value = ex.headers.get((labels[i] as readonly [string, string])[1]) ?? '';
      const next: HeaderNode | CountSeries | undefined = node.get(value);
      if (i < last) {
        if (next instanceof Map) node = next;
        else node.set(value, (node = new Map()));
      } else if (next instanceof CountSeries) {
        next.count++;
      } else {
        // A new combination: its label values, read once.
        const values = labels.map(([, header]) => ex.headers.get(header) ?? '');
        const c = new CountSeries(this.opts.sinks, values, s);
        c.count = 1;
        node.set(value, c);
      }
    }
  }

  /**
   * Forgets the routers and services the configuration no longer has (`exists` false), as Traefik
   * drops their series once they are outdated: memory follows the live configuration, not every
   * name ever seen. Internal names (`@internal`) are never pruned (they are not in the view).
   */
  prune(routerExists: (name: string) => boolean, serviceExists: (name: string) => boolean): void {
    const keep = (name: string, exists: (name: string) => boolean): boolean => this.isInternal(name) || exists(name);
    for (const [router, bySvc] of this.routers) {
      if (!keep(router, routerExists)) {
        this.routers.delete(router);
        continue;
      }
      for (const svc of bySvc.keys()) if (svc !== '' && !keep(svc, serviceExists)) bySvc.delete(svc);
    }
    for (const router of this.routerService.keys()) if (!keep(router, routerExists)) this.routerService.delete(router);
    for (const service of this.services.keys()) if (!keep(service, serviceExists)) this.services.delete(service);
  }

  /** Every group of a level. */
  *groups(level: Level): Generator<Group> {
    if (level === 'entrypoint') yield* this.entryPoints.values();
    else if (level === 'service') yield* this.services.values();
    else for (const bySvc of this.routers.values()) yield* bySvc.values();
  }

  /** The header-refined requests_total counters of a group. */
  *headerCounts(g: Group): Generator<CountSeries> {
    const walk = function* (node: HeaderNode): Generator<CountSeries> {
      for (const v of node.values()) {
        if (v instanceof CountSeries) yield v;
        else yield* walk(v);
      }
    };
    for (const node of g.byHeaders.values()) yield* walk(node);
  }
}
