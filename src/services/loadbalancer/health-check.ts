/**
 * Active health checks (`loadBalancer.healthCheck`), as Traefik runs them: one probe loop per
 * server, in the background, never on the request path.
 *
 * - Timing: a server's first probe runs one `interval` after the service is built (Traefik's
 *   ticker), the next ones `interval` after the last result when it was healthy and
 *   `unhealthyInterval` when it was not. Timers are unref'd: they never keep the process alive.
 * - Request: the server URL resolved with `path` (which may carry a query), `scheme` and `port`
 *   replacing the server's when set, `method`, `headers`, and `hostname` as the Host header (a
 *   `Host` in `headers` is ignored, as Go ignores it). HTTP mode sends an HTTP/1.1 request with
 *   node:http/https (cleartext HTTP/2 for h2c:// servers), on a connection of its own (never the
 *   data path's pools), with the service transport's TLS settings (CA, insecureSkipVerify,
 *   serverName). gRPC mode calls grpc.health.v1.Health/Check (grpc-health.ts).
 * - Verdict: healthy when the answer comes within `timeout` and its status is `status` when set,
 *   else any 2xx or 3xx. Redirects are followed (up to 10, as Go's client) unless
 *   `followRedirects` is false, in which case the 3xx itself is judged.
 * - `stop()` clears the timers and aborts the probes in flight; no result is reported after it.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http2';
import { http2 } from '../../net/lazy-http2.js';
import type { RequestOptions } from 'node:https';
import { https as httpsModule } from '../../net/lazy-tls.js';
import { isIP } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { HealthCheckConfig } from '../../config/dynamic/types.js';
import type { ServerTarget } from '../../proxy/server-target.js';
import type { ResolvedTransport } from '../../proxy/transport.js';
import { probeGrpc } from './grpc-health.js';

/** Go's http.Client gives up after 10 redirects. */
const MAX_REDIRECTS = 10;

export interface ActiveHealthChecks {
  stop(): void;
}

/** A probe: resolves true when healthy; rejects or resolves false otherwise. Aborted by `signal`. */
export type Probe = (cfg: HealthCheckConfig, transport: ResolvedTransport, target: ServerTarget, signal: AbortSignal) => Promise<boolean>;

/**
 * Start probing every server; `report(server, up)` is called with each result (the caller ignores
 * repeats). `probe` defaults to the one `cfg.mode` asks for.
 */
export function startActiveHealthChecks<S extends { readonly target: ServerTarget }>(
  cfg: HealthCheckConfig,
  transport: ResolvedTransport,
  servers: readonly S[],
  report: (server: S, up: boolean) => void,
  probe: Probe = cfg.mode === 'grpc' ? probeGrpc : probeHttp,
): ActiveHealthChecks {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  /** One controller per probe in flight (aborted by its timeout or by stop()). */
  const inFlight = new Set<AbortController>();

  const schedule = (server: S, delay: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void runOnce(server);
    }, delay);
    timer.unref();
    timers.add(timer);
  };

  const runOnce = async (server: S): Promise<void> => {
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error(`health check timed out after ${cfg.timeout}ms`)), cfg.timeout);
    timeout.unref();
    let up: boolean;
    try {
      up = await probe(cfg, transport, server.target, controller.signal);
    } catch {
      up = false;
    } finally {
      clearTimeout(timeout);
      inFlight.delete(controller);
    }
    if (stopped) return;
    report(server, up);
    schedule(server, up ? cfg.interval : cfg.unhealthyInterval);
  };

  for (const s of servers) schedule(s, cfg.interval);
  return {
    stop(): void {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of inFlight) c.abort(new Error('health checks stopped'));
      inFlight.clear();
    },
  };
}

/** Is `status` healthy for this check? */
export function healthyStatus(cfg: HealthCheckConfig, status: number): boolean {
  return cfg.status !== 0 ? status === cfg.status : status >= 200 && status < 400;
}

/** The URL a probe of `target` asks for (before redirects). */
export function probeUrl(cfg: HealthCheckConfig, target: ServerTarget): URL {
  const base = new URL(target.url);
  // Resolve against an http(s) URL: h2c:// and other non-special schemes resolve paths differently.
  const scheme = cfg.scheme ?? (target.scheme === 'https' ? 'https' : 'http');
  const u = new URL(cfg.path, `${scheme}://${base.host}${base.pathname}`);
  if (cfg.port !== undefined) u.port = String(cfg.port);
  return u;
}

/** One HTTP health probe (following redirects when configured). */
export async function probeHttp(cfg: HealthCheckConfig, transport: ResolvedTransport, target: ServerTarget, signal: AbortSignal): Promise<boolean> {
  let url = probeUrl(cfg, target);
  let method = cfg.method;
  // An h2c:// server speaks only cleartext HTTP/2 (as Traefik's h2c transport does for its probes).
  const h2c = target.scheme === 'h2c' && cfg.scheme === undefined;
  for (let hops = 0; ; hops++) {
    const { status, location } = h2c && url.protocol === 'http:' ? await sendH2c(cfg, url, method, signal) : await send(cfg, transport, url, method, signal);
    const redirect = status >= 300 && status < 400 && status !== 304 && location !== undefined;
    if (!cfg.followRedirects || !redirect) return healthyStatus(cfg, status);
    if (hops >= MAX_REDIRECTS) return false;
    url = new URL(location, url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    // Go's client turns 301/302/303 into GET (HEAD stays HEAD); 307/308 keep the method.
    if ((status === 301 || status === 302 || status === 303) && method !== 'GET' && method !== 'HEAD') method = 'GET';
  }
}

interface ProbeAnswer {
  readonly status: number;
  readonly location: string | undefined;
}

/** Request headers of a probe: the configured ones; Host, as in Go, only from `hostname`. */
function probeHeaders(cfg: HealthCheckConfig): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': 'Go-http-client/1.1' };
  for (const [name, value] of Object.entries(cfg.headers)) {
    if (name.toLowerCase() !== 'host') headers[name] = value;
  }
  return headers;
}

function send(cfg: HealthCheckConfig, transport: ResolvedTransport, url: URL, method: string, signal: AbortSignal): Promise<ProbeAnswer> {
  const headers: OutgoingHttpHeaders = probeHeaders(cfg);
  if (cfg.hostname !== undefined) headers['Host'] = cfg.hostname;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const https = url.protocol === 'https:';
  // https.request hands these to tls.connect, which takes a secureContext (not in RequestOptions' type).
  const options: RequestOptions & { secureContext?: SecureContext } = {
    method,
    host,
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
    headers,
    agent: false,
    signal,
  };
  if (https) {
    // As the data path (origin-pool.ts): SNI and certificate name = serverName, else the URL host
    // (no SNI for an IP address; '' also keeps Node from taking the Host header instead).
    // The transport's TLS context carries its trusted CAs, client certificates (mTLS), versions and ciphers.
    options.servername = transport.serverName ?? (isIP(host) === 0 ? host : '');
    options.rejectUnauthorized = !transport.insecureSkipVerify;
    options.secureContext = transport.secureContext;
  }
  return new Promise((resolve, reject) => {
    const req = (https ? httpsModule().request : httpRequest)(options, (res: IncomingMessage) => {
      // Only the status counts: close now, so an endless body does not keep the socket open.
      res.destroy();
      const location = res.headers.location;
      resolve({ status: res.statusCode ?? 0, location });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A probe over cleartext HTTP/2 (h2c:// servers), on a session of its own closed afterwards. */
function sendH2c(cfg: HealthCheckConfig, url: URL, method: string, signal: AbortSignal): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const session = http2().connect(`http://${url.host}`);
    const done = (err: Error | null, answer?: ProbeAnswer): void => {
      signal.removeEventListener('abort', onAbort);
      session.destroy();
      if (err !== null || answer === undefined) reject(err ?? new Error('no answer'));
      else resolve(answer);
    };
    const onAbort = (): void => done(new Error('health check aborted or timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    session.on('error', (err: Error) => done(err));
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(probeHeaders(cfg))) headers[name.toLowerCase()] = value;
    const stream = session.request({
      ...headers,
      ':method': method,
      ':path': url.pathname + url.search,
      ':authority': cfg.hostname ?? url.host,
      ':scheme': 'http',
    });
    stream.on('response', (h: IncomingHttpHeaders) => {
      const location = h.location;
      done(null, { status: Number(h[':status']), location: typeof location === 'string' ? location : undefined });
    });
    stream.on('error', (err: Error) => done(err));
    stream.end();
  });
}
