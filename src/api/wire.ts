/**
 * The API's object shapes, as Traefik's API serves them (traefik-reference §8): the dynamic
 * configuration in Traefik's spelling (Go's `omitempty`: empty strings, false, 0, empty lists and
 * maps left out; durations as Go duration strings) plus `status`, `error`, `using`/`usedBy`,
 * `serverStatus`, `name`, `provider`, `type`. Secrets are redacted here (see redact.ts).
 *
 * Turnpike keeps the configuration normalised (kinds, milliseconds, parsed status ranges); this
 * module turns it back into what a Traefik user wrote (middlewares: wire-middleware.ts).
 */
import type {
  HealthCheckConfig,
  LoadBalancerConfig,
  RouterConfig,
  ServiceConfig,
  StickyConfig,
} from '../config/dynamic/types.js';
import type { EntryPointConfig } from '../config/static/types.js';
import type { RouterView, ServiceView } from '../runtime/view.js';
import { formatGoDuration } from './go-duration.js';
import { REDACTED, isSecretHeader, redactUrl } from './redact.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Sets `key` unless the value is Go-empty (undefined, '', false, 0, [] or {}). */
export function put(out: JsonObject, key: string, value: Json | undefined): void {
  if (value === undefined || value === '' || value === false || value === 0 || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[key] = value;
}

/**
 * A reference as a user of `provider` writes it: Turnpike's aggregator qualifies every reference
 * (`auth` -> `auth@file`), Traefik's API shows them as written, so same-provider ones lose their
 * suffix again (an explicit `auth@file` in a file router shows as `auth` too).
 */
export function asWritten(ref: string, provider: string): string {
  return provider !== '' && ref.endsWith(`@${provider}`) ? ref.slice(0, ref.length - provider.length - 1) : ref;
}

/** A router as /api/http/routers serves it. */
export function routerRep(v: RouterView): JsonObject {
  const c: RouterConfig = v.config;
  const out: JsonObject = {};
  put(out, 'entryPoints', [...(c.entryPoints ?? v.using)]);
  put(out, 'middlewares', c.middlewares.map((m) => asWritten(m, v.provider)));
  put(out, 'service', asWritten(c.service, v.provider));
  put(out, 'rule', c.rule);
  put(out, 'priority', c.priority);
  if (c.tls !== undefined) {
    const tls: JsonObject = { options: c.tls.options ?? 'default' };
    put(tls, 'certResolver', c.tls.certResolver);
    put(tls, 'domains', (c.tls.domains ?? []).map((d) => stripEmpty({ main: d.main, sans: [...d.sans] })));
    out['tls'] = tls;
  }
  put(out, 'error', [...v.errors]);
  out['status'] = v.status;
  put(out, 'using', [...new Set(v.using)].sort());
  out['name'] = v.name;
  put(out, 'provider', v.provider);
  return out;
}

/** An internal router (ping@internal, api@internal, entry-point redirections). */
export function internalRouterRep(name: string, rule: string, priority: number, entryPoints: readonly string[], service: string, middlewares: readonly string[] = []): JsonObject {
  const eps = [...new Set(entryPoints)].sort();
  const out: JsonObject = { entryPoints: eps };
  put(out, 'middlewares', middlewares.map((m) => asWritten(m, 'internal')));
  return { ...out, service, rule, priority, status: 'enabled', using: eps, name, provider: 'internal' };
}

/** The `name` field of an API object ('' when absent). */
export function nameOf(o: JsonObject): string {
  const n = o['name'];
  return typeof n === 'string' ? n : '';
}

function stripEmpty(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) put(out, k, v);
  return out;
}

function stickyRep(s: StickyConfig | undefined): JsonObject | undefined {
  if (s === undefined) return undefined;
  const c = s.cookie;
  const cookie: JsonObject = {};
  put(cookie, 'name', c.name);
  put(cookie, 'secure', c.secure);
  put(cookie, 'httpOnly', c.httpOnly);
  put(cookie, 'sameSite', c.sameSite);
  put(cookie, 'maxAge', c.maxAge);
  put(cookie, 'path', c.path);
  put(cookie, 'domain', c.domain);
  return { cookie };
}

export function headersRep(headers: Readonly<Record<string, string>>): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(headers)) out[name] = isSecretHeader(name) && value !== '' ? REDACTED : value;
  return out;
}

function healthCheckRep(h: HealthCheckConfig | undefined): JsonObject | undefined {
  if (h === undefined) return undefined;
  const out: JsonObject = {};
  put(out, 'scheme', h.scheme);
  put(out, 'mode', h.mode);
  put(out, 'path', h.path);
  put(out, 'method', h.method);
  put(out, 'status', h.status);
  put(out, 'port', h.port);
  out['interval'] = formatGoDuration(h.interval);
  if (h.unhealthyInterval !== h.interval) out['unhealthyInterval'] = formatGoDuration(h.unhealthyInterval);
  out['timeout'] = formatGoDuration(h.timeout);
  put(out, 'hostname', h.hostname);
  out['followRedirects'] = h.followRedirects;
  put(out, 'headers', headersRep(h.headers));
  return out;
}

function loadBalancerRep(lb: LoadBalancerConfig): JsonObject {
  const out: JsonObject = {};
  put(out, 'sticky', stickyRep(lb.sticky));
  out['servers'] = lb.servers.map((s) => {
    const server: JsonObject = { url: redactUrl(s.url), weight: s.weight };
    put(server, 'preservePath', s.preservePath);
    return server;
  });
  put(out, 'healthCheck', healthCheckRep(lb.healthCheck));
  if (lb.passiveHealthCheck !== undefined) {
    out['passiveHealthCheck'] = { failureWindow: formatGoDuration(lb.passiveHealthCheck.failureWindow), maxFailedAttempts: lb.passiveHealthCheck.maxFailedAttempts };
  }
  out['passHostHeader'] = lb.passHostHeader;
  out['responseForwarding'] = { flushInterval: formatGoDuration(lb.flushInterval) };
  put(out, 'serversTransport', lb.serversTransport);
  return out;
}

/** The configuration part of a service: `{loadBalancer: ...}`, `{weighted: ...}`, ... */
export function serviceConfigRep(c: ServiceConfig, provider = ''): JsonObject {
  const w = (ref: string): string => asWritten(ref, provider);
  switch (c.kind) {
    case 'loadBalancer':
      return { loadBalancer: loadBalancerRep(c.loadBalancer) };
    case 'weighted': {
      const out: JsonObject = { services: c.weighted.services.map((s) => ({ name: w(s.name), weight: s.weight })) };
      put(out, 'sticky', stickyRep(c.weighted.sticky));
      if (c.weighted.healthCheck) out['healthCheck'] = {};
      return { weighted: out };
    }
    case 'mirroring': {
      const m: JsonObject = { service: w(c.mirroring.service) };
      put(m, 'mirrorBody', c.mirroring.mirrorBody);
      if (c.mirroring.maxBodySize >= 0) m['maxBodySize'] = c.mirroring.maxBodySize;
      put(
        m,
        'mirrors',
        c.mirroring.mirrors.map((x) => ({ name: w(x.name), percent: x.percent })),
      );
      if (c.mirroring.healthCheck) m['healthCheck'] = {};
      return { mirroring: m };
    }
    case 'failover': {
      const f: JsonObject = { service: w(c.failover.service), fallback: w(c.failover.fallback) };
      if (c.failover.healthCheck) f['healthCheck'] = {};
      return { failover: f };
    }
  }
}

/** `serverStatus` of a service view: the live health, or every server UP (Traefik marks them so). */
export function serverStatusOf(v: ServiceView): Record<string, 'UP' | 'DOWN'> | undefined {
  if (v.serverStatus !== undefined) {
    const out: Record<string, 'UP' | 'DOWN'> = {};
    for (const [url, state] of v.serverStatus) out[redactUrl(url)] = state === 'UP' ? 'UP' : 'DOWN';
    return out;
  }
  if (v.config.kind !== 'loadBalancer' || v.status === 'disabled') return undefined;
  const out: Record<string, 'UP' | 'DOWN'> = {};
  for (const s of v.config.loadBalancer.servers) out[redactUrl(s.url)] = 'UP';
  return out;
}

/** A service as /api/http/services serves it. */
export function serviceRep(v: ServiceView): JsonObject {
  const out: JsonObject = serviceConfigRep(v.config, v.provider);
  put(out, 'error', [...v.errors]);
  out['status'] = v.status;
  put(out, 'usedBy', [...v.usedBy]);
  put(out, 'serverStatus', serverStatusOf(v));
  out['name'] = v.name;
  put(out, 'provider', v.provider);
  out['type'] = v.config.kind.toLowerCase();
  return out;
}

/** An internal service (api@internal, noop@internal, ping@internal, ...). */
export function internalServiceRep(name: string, usedBy: readonly string[]): JsonObject {
  const out: JsonObject = { status: 'enabled' };
  put(out, 'usedBy', [...usedBy].sort());
  out['name'] = name;
  out['provider'] = 'internal';
  return out;
}

/** An entry point as /api/entrypoints serves it (durations as Go strings). */
export function entryPointRep(ep: EntryPointConfig): JsonObject {
  const t = ep.transport;
  const out: JsonObject = { address: ep.address };
  if (ep.asDefault) out['asDefault'] = true;
  out['transport'] = {
    lifeCycle: { requestAcceptGraceTimeout: formatGoDuration(t.lifeCycle.requestAcceptGraceTimeout), graceTimeOut: formatGoDuration(t.lifeCycle.graceTimeOut) },
    respondingTimeouts: {
      readTimeout: formatGoDuration(t.respondingTimeouts.readTimeout),
      writeTimeout: formatGoDuration(t.respondingTimeouts.writeTimeout),
      idleTimeout: formatGoDuration(t.respondingTimeouts.idleTimeout),
    },
  };
  const fh: JsonObject = {};
  put(fh, 'insecure', ep.forwardedHeaders.insecure);
  put(fh, 'trustedIPs', [...ep.forwardedHeaders.trustedIPs]);
  out['forwardedHeaders'] = fh;
  const http: JsonObject = {};
  const redirect = ep.http.redirections?.entryPoint;
  if (redirect) http['redirections'] = { entryPoint: { to: redirect.to, scheme: redirect.scheme, permanent: redirect.permanent, priority: redirect.priority } };
  put(http, 'middlewares', [...ep.http.middlewares]);
  if (ep.http.tls !== undefined) {
    const tls: JsonObject = {};
    put(tls, 'options', ep.http.tls.options);
    put(tls, 'certResolver', ep.http.tls.certResolver);
    put(tls, 'domains', ep.http.tls.domains.map((d) => stripEmpty({ main: d.main, sans: [...d.sans] })));
    http['tls'] = tls;
  }
  if (ep.http.sanitizePath === false) http['sanitizePath'] = false;
  put(http, 'encodeQuerySemicolons', ep.http.encodeQuerySemicolons);
  put(http, 'maxHeaderBytes', ep.http.maxHeaderBytes);
  out['http'] = http;
  if (ep.http2) out['http2'] = { maxConcurrentStreams: ep.http2.maxConcurrentStreams };
  out['name'] = ep.name;
  return out;
}
