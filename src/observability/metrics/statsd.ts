/**
 * Datadog (DogStatsD) and StatsD: every pushInterval the metrics since the last push are sent over
 * UDP, with Traefik's names under the configured prefix (`traefik.entrypoint.request.total`).
 *
 * As Traefik's go-kit clients write them: counters as the increase since the last push (`|c`),
 * gauges as their value (`|g`), durations one line per observation (DogStatsD histograms `|h` in
 * seconds, StatsD timings `|ms` in milliseconds); values with six decimals. DogStatsD lines carry
 * their labels as tags (`|#entrypoint:web,method:GET,protocol:http,code:200`); StatsD has no tags, so
 * one line per name: counters summed, open connections summed, other gauges the lowest value (a
 * server down, the certificate expiring first). Durations: at most SAMPLE_CAP observations per
 * series and push are kept (uniform sample), sent with their sample rate (`|@0.250000`).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { PushConfig } from '../../config/static/sections/metrics.js';
import type { Logger } from '../logger.js';
import type { LiveGauges } from './families.js';
import { tlsCipherLabel, tlsVersionLabel } from './labels.js';
import type { Group, Level, MetricsModel, Series, SinkCursor } from './model.js';

export type Flavor = 'datadog' | 'statsd';

/** Largest datagram payload (DogStatsD's default for UDP). */
export const MAX_DATAGRAM = 1432;

export interface PushSource {
  /** The request metrics; undefined for a cluster primary (it pushes the reloads only). */
  readonly model: MetricsModel | undefined;
  /** This pusher's index in the model's sinks. */
  readonly sink: number;
  live(): LiveGauges;
}

function num(v: number): string {
  return v.toFixed(6);
}

/** DogStatsD tag values: no separators inside a value. */
function tagValue(v: string): string {
  return /[|,#\n]/.test(v) ? v.replace(/[|#\n]/g, '_') : v;
}

function tags(pairs: readonly (readonly [string, string])[]): string {
  let out = '|#';
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i] as readonly [string, string];
    out += `${i > 0 ? ',' : ''}${k}:${tagValue(v)}`;
  }
  return out;
}

/** Builds the lines of one push; keeps what it has sent (counter positions, reload count). */
export class LineBuilder {
  #reloadsSent = 0;

  constructor(
    readonly flavor: Flavor,
    readonly cfg: Pick<PushConfig, 'prefix' | 'addEntryPointsLabels' | 'addRoutersLabels' | 'addServicesLabels'>,
    readonly source: PushSource,
  ) {}

  /** The lines of a push now (each ends with "\n"). */
  lines(): string[] {
    const out: string[] = [];
    const dd = this.flavor === 'datadog';
    const p = `${this.cfg.prefix}.`;
    const live = this.source.live();
    if (live.reloads !== undefined) {
      const delta = live.reloads.total - this.#reloadsSent;
      this.#reloadsSent = live.reloads.total;
      if (delta > 0) out.push(`${p}config.reload.total:${num(delta)}|c\n`);
      out.push(`${p}config.reload.lastSuccessTimestamp:${num(live.reloads.lastSuccessSeconds)}|g\n`);
    }
    if (dd) {
      for (const c of live.openConnections) out.push(`${p}open.connections:${num(c.count)}|g${tags([['entrypoint', c.entrypoint], ['protocol', c.protocol]])}\n`);
      for (const c of live.certificates) out.push(`${p}tls.certs.notAfterTimestamp:${num(c.notAfter)}|g${tags([['cn', c.cn], ['serial', c.serial], ['sans', c.sans]])}\n`);
    } else {
      if (live.openConnections.length > 0) out.push(`${p}open.connections:${num(live.openConnections.reduce((n, c) => n + c.count, 0))}|g\n`);
      if (live.certificates.length > 0) out.push(`${p}tls.certs.notAfterTimestamp:${num(Math.min(...live.certificates.map((c) => c.notAfter)))}|g\n`);
    }
    const model = this.source.model;
    if (model !== undefined) {
      if (this.cfg.addEntryPointsLabels) this.#level(model, 'entrypoint', out);
      if (this.cfg.addRoutersLabels) this.#level(model, 'router', out);
      if (this.cfg.addServicesLabels) this.#level(model, 'service', out);
    }
    if (this.cfg.addServicesLabels && live.serversUp.length > 0) {
      if (dd) for (const s of live.serversUp) out.push(`${p}service.server.up:${num(s.up)}|g${tags([['service', s.service], ['url', s.url]])}\n`);
      else out.push(`${p}service.server.up:${num(Math.min(...live.serversUp.map((s) => s.up)))}|g\n`);
    }
    return out;
  }

  #level(model: MetricsModel, level: Level, out: string[]): void {
    const dd = this.flavor === 'datadog';
    const sink = this.source.sink;
    const p = `${this.cfg.prefix}.${level}.`;
    // StatsD: one line per name, summed over every label set.
    let reqs = 0;
    let reqBytes = 0;
    let respBytes = 0;
    let tlsReqs = 0;
    let retries = 0;
    for (const g of model.groups(level)) {
      for (const s of g.series.values()) {
        const c = s.cursors[sink];
        if (c === undefined) continue;
        const dCount = s.count - c.count;
        if (dCount <= 0) continue;
        const dReq = s.requestBytes - c.requestBytes;
        const dResp = s.responseBytes - c.responseBytes;
        c.count = s.count;
        c.requestBytes = s.requestBytes;
        c.responseBytes = s.responseBytes;
        if (dd) {
          const t = tags(this.#seriesTags(g, s));
          out.push(`${p}request.total:${num(dCount)}|c${t}\n`);
          out.push(`${p}requests.bytes.total:${num(dReq)}|c${t}\n`);
          out.push(`${p}responses.bytes.total:${num(dResp)}|c${t}\n`);
          this.#samples(`${p}request.duration:`, '|h', 1, c, t, out);
        } else {
          reqs += dCount;
          reqBytes += dReq;
          respBytes += dResp;
          this.#samples(`${p}request.duration:`, '|ms', 1000, c, '', out);
        }
      }
      for (const [version, byCipher] of g.tls) {
        for (const [cipher, cs] of byCipher) {
          const d = cs.count - (cs.pushed[sink] ?? 0);
          if (d <= 0) continue;
          cs.pushed[sink] = cs.count;
          if (dd) out.push(`${p}request.tls.total:${num(d)}|c${tags([...g.names, ['tls_version', tlsVersionLabel(version)], ['tls_cipher', tlsCipherLabel(cipher)]])}\n`);
          else tlsReqs += d;
        }
      }
      if (level === 'service') {
        const d = g.retries.count - (g.retries.pushed[sink] ?? 0);
        if (d > 0) {
          g.retries.pushed[sink] = g.retries.count;
          if (dd) out.push(`${p}retries.total:${num(d)}|c${tags(g.names)}\n`);
          else retries += d;
        }
      }
    }
    if (!dd) {
      if (reqs > 0) {
        out.push(`${p}request.total:${num(reqs)}|c\n`);
        out.push(`${p}requests.bytes.total:${num(reqBytes)}|c\n`);
        out.push(`${p}responses.bytes.total:${num(respBytes)}|c\n`);
      }
      if (tlsReqs > 0) out.push(`${p}request.tls.total:${num(tlsReqs)}|c\n`);
      if (retries > 0) out.push(`${p}retries.total:${num(retries)}|c\n`);
    }
  }

  /** Traefik's tag order: the group's names, then method, protocol, code. */
  #seriesTags(g: Group, s: Series): (readonly [string, string])[] {
    return [...g.names, ['method', s.method], ['protocol', s.protocol], ['code', String(s.code)]];
  }

  /** One line per kept observation; the sample rate when some were left out. */
  #samples(head: string, type: string, scale: number, c: SinkCursor, t: string, out: string[]): void {
    const rate = c.seen > c.n ? `|@${num(c.n / c.seen)}` : '';
    for (let i = 0; i < c.n; i++) out.push(`${head}${num((c.samples[i] as number) * scale)}${type}${rate}${t}\n`);
    c.n = 0;
    c.seen = 0;
  }
}

/** Packs lines into datagrams of at most MAX_DATAGRAM bytes (a longer line goes alone). */
export function datagrams(lines: readonly string[], max = MAX_DATAGRAM): Buffer[] {
  const out: Buffer[] = [];
  let current = '';
  for (const line of lines) {
    if (current.length > 0 && Buffer.byteLength(current) + Buffer.byteLength(line) > max) {
      out.push(Buffer.from(current));
      current = '';
    }
    current += line;
  }
  if (current.length > 0) out.push(Buffer.from(current));
  return out;
}

/** Sends a LineBuilder's lines every pushInterval. */
export class UdpPusher {
  readonly #builder: LineBuilder;
  readonly #cfg: PushConfig;
  readonly #socket: Socket;
  readonly #timer: NodeJS.Timeout;
  readonly #logger: Logger;
  #warned = false;

  constructor(builder: LineBuilder, cfg: PushConfig, logger: Logger) {
    this.#builder = builder;
    this.#cfg = cfg;
    this.#logger = logger;
    this.#socket = createSocket(isIPv6(cfg.host) ? 'udp6' : 'udp4');
    this.#socket.on('error', (err) => this.#warn(err));
    this.#socket.unref();
    this.#timer = setInterval(() => this.push(), cfg.pushInterval);
    this.#timer.unref();
  }

  push(): void {
    let lines: string[];
    try {
      lines = this.#builder.lines();
    } catch (err) {
      this.#warn(err);
      return;
    }
    for (const d of datagrams(lines)) {
      this.#socket.send(d, this.#cfg.port, this.#cfg.host, (err) => {
        if (err) this.#warn(err);
      });
    }
  }

  #warn(err: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#logger.warn({ metricsProvider: this.#builder.flavor, address: this.#cfg.address, err: String(err) }, 'cannot push metrics');
  }

  close(): void {
    clearInterval(this.#timer);
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }
}
