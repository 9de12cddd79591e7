/**
 * `http.services.<name>`: exactly one kind (loadBalancer, weighted, mirroring, failover,
 * highestRandomWeight). highestRandomWeight is known to be Traefik's and reported as unsupported
 * rather than unknown; the parent kinds' readers are in ./services/.
 */
import { DYNAMIC_CODES } from '../codes.js';
import type {
  HealthCheckConfig,
  LoadBalancerConfig,
  PassiveHealthCheckConfig,
  ServerConfig,
  ServiceConfig,
  StickyConfig,
  StickyCookieConfig,
} from '../types.js';
import {
  type Field,
  type KeyPath,
  type Scope,
  qualifyRef,
  readBool,
  readDuration,
  readFields,
  readInt,
  readList,
  readSection,
  readString,
  readStringMap,
  requireField,
} from './fields.js';
import { readOneKind } from './one-kind.js';
import { readFailover } from './services/failover.js';
import { readMirroring } from './services/mirroring.js';
import { readWeighted } from './services/weighted.js';

export const SERVICE_KINDS = ['loadBalancer', 'weighted', 'mirroring', 'failover', 'highestRandomWeight'] as const;

/** Traefik's default `responseForwarding.flushInterval`. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;

const LOAD_BALANCER_KEYS = {
  supported: ['servers', 'passHostHeader', 'responseForwarding', 'serversTransport', 'strategy', 'sticky', 'healthCheck', 'passiveHealthCheck'],
} as const;

const SERVER_SCHEMES = new Set(['http:', 'https:', 'h2c:']);

export function readService(scope: Scope, raw: unknown, path: KeyPath): ServiceConfig | undefined {
  const fields = readFields(scope, raw, path, { supported: SERVICE_KINDS, unsupported: ['middlewares'] });
  if (fields === undefined) return undefined;
  const one = readOneKind(scope, fields, path, SERVICE_KINDS.filter((k) => fields.has(k)), {
    object: 'service',
    kind: 'kind',
    needs: `exactly one of ${SERVICE_KINDS.join(', ')}`,
  });
  if (one === undefined) return undefined;
  const { kind, field } = one;
  if (kind === 'weighted') {
    const weighted = readWeighted(scope, field, readStickyCookie);
    return scope.ok && weighted !== undefined ? { kind, weighted } : undefined;
  }
  if (kind === 'mirroring') {
    const mirroring = readMirroring(scope, field);
    return scope.ok && mirroring !== undefined ? { kind, mirroring } : undefined;
  }
  if (kind === 'failover') {
    const failover = readFailover(scope, field);
    return scope.ok && failover !== undefined ? { kind, failover } : undefined;
  }
  if (kind !== 'loadBalancer') {
    scope.error(DYNAMIC_CODES.UNSUPPORTED, field.path, `"${kind}" services are not supported yet${scope.leftOut}`);
    return undefined;
  }
  const loadBalancer = readLoadBalancer(scope, field);
  if (!scope.ok || loadBalancer === undefined) return undefined;
  return { kind: 'loadBalancer', loadBalancer };
}

function readLoadBalancer(scope: Scope, f: Field): LoadBalancerConfig | undefined {
  const fields = readFields(scope, f.value, f.path, LOAD_BALANCER_KEYS);
  if (fields === undefined) return undefined;

  const strategyField = fields.get('strategy');
  const strategy = readString(scope, strategyField);
  if (strategyField !== undefined && strategy !== undefined && strategy !== '' && strategy.toLowerCase() !== 'wrr') {
    scope.error(DYNAMIC_CODES.UNSUPPORTED, strategyField.path, `strategy "${strategy}" is not supported yet (only wrr, the default)${scope.leftOut}`);
  }

  const servers = readList(scope, fields.get('servers'), (value, path) => readServer(scope, value, path)) ?? [];
  const passHostHeader = readBool(scope, fields.get('passHostHeader')) ?? true;
  const serversTransport = readString(scope, fields.get('serversTransport'));

  let flushInterval = DEFAULT_FLUSH_INTERVAL_MS;
  const forwarding = fields.get('responseForwarding');
  if (forwarding !== undefined) {
    const forwardingFields = readFields(scope, forwarding.value, forwarding.path, { supported: ['flushInterval'] });
    flushInterval = readDuration(scope, forwardingFields?.get('flushInterval')) ?? DEFAULT_FLUSH_INTERVAL_MS;
  }

  const sticky = readStickyCookie(scope, fields.get('sticky'));
  const healthCheck = readHealthCheck(scope, fields.get('healthCheck'));
  const passiveHealthCheck = readPassiveHealthCheck(scope, fields.get('passiveHealthCheck'));

  if (!scope.ok) return undefined;
  return {
    servers,
    passHostHeader,
    serversTransport: serversTransport === undefined || serversTransport === '' ? undefined : qualifyRef(serversTransport, scope.ctx.provider),
    flushInterval,
    sticky,
    healthCheck,
    passiveHealthCheck,
  };
}

function readServer(scope: Scope, raw: unknown, path: KeyPath): ServerConfig | undefined {
  const fields = readFields(scope, raw, path, { supported: ['url', 'weight', 'preservePath'] });
  if (fields === undefined) return undefined;
  const urlField = requireField(scope, fields, 'url', path, 'the server URL, e.g. http://127.0.0.1:8080');
  const url = readString(scope, urlField, { nonEmpty: true });
  if (urlField !== undefined && url !== undefined) checkServerUrl(scope, urlField, url);
  const weight = readInt(scope, fields.get('weight'), { min: 0n, max: 2147483647n }) ?? 1;
  const preservePath = readBool(scope, fields.get('preservePath')) ?? false;
  if (!scope.ok || url === undefined) return undefined;
  return { url, weight, preservePath };
}

function checkServerUrl(scope: Scope, f: Field, url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a server URL such as http://10.0.0.1:8080, got "${url}"${scope.leftOut}`);
    return;
  }
  if (!SERVER_SCHEMES.has(parsed.protocol)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected an http, https or h2c server URL, got scheme "${parsed.protocol.slice(0, -1)}"${scope.leftOut}`);
    return;
  }
  if (parsed.hostname === '') {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `server URL "${url}" has no host${scope.leftOut}`);
    return;
  }
}

// --- loadBalancer options: sticky, healthCheck, passiveHealthCheck --------------------------------

/** Traefik's health-check defaults (ms). */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 30_000;
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 5_000;
/** Traefik's passiveHealthCheck defaults. */
export const DEFAULT_FAILURE_WINDOW_MS = 10_000;
export const DEFAULT_MAX_FAILED_ATTEMPTS = 1;

/**
 * Characters Traefik replaces with `_` in a user-given cookie name. Traefik's class is
 * ``[^A-Za-z0-9!#$%&'*+-.^`|~]``, where `+-.` is a range (`+ , - .`): a comma is kept, as there.
 */
const COOKIE_NAME_UNSAFE = /[^A-Za-z0-9!#$%&'*+,\-.^`|~]/g;

/** A user-given sticky cookie name as Traefik sanitizes it. */
export function sanitizeCookieName(name: string): string {
  return name.replace(COOKIE_NAME_UNSAFE, '_');
}

const SAME_SITE = new Set(['', 'none', 'lax', 'strict']);

/**
 * `sticky` of a loadBalancer or weighted service: `sticky.cookie` with Traefik's defaults filled in
 * (name undefined = derived from the service name by the service). `cookie:` written empty or
 * `true` turns stickiness on with the defaults; `sticky` without `cookie` (or `cookie: false`)
 * leaves it off, as in Traefik. `f` is the `sticky` field (undefined = not configured).
 */
export function readStickyCookie(scope: Scope, f: Field | undefined): StickyConfig | undefined {
  if (f === undefined) return undefined;
  const fields = readFields(scope, f.value, f.path, { supported: ['cookie'] });
  const cookieField = fields?.get('cookie');
  if (cookieField === undefined) return undefined;
  const section = readSection(scope, cookieField);
  if (section === undefined || section === false) return undefined;
  const c = readFields(scope, section, cookieField.path, {
    supported: ['name', 'secure', 'httpOnly', 'sameSite', 'maxAge', 'path', 'domain'],
  });
  if (c === undefined) return undefined;
  const name = readString(scope, c.get('name'));
  const secure = readBool(scope, c.get('secure')) ?? false;
  const httpOnly = readBool(scope, c.get('httpOnly')) ?? false;
  const sameSiteField = c.get('sameSite');
  const sameSiteText = (readString(scope, sameSiteField) ?? '').toLowerCase();
  if (sameSiteField !== undefined && !SAME_SITE.has(sameSiteText)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, sameSiteField.path, `expected sameSite none, lax or strict (or empty), got "${String(sameSiteField.value)}"${scope.leftOut}`);
  }
  const maxAge = readInt(scope, c.get('maxAge'), { min: -2147483648n, max: 2147483647n }) ?? 0;
  const path = readString(scope, c.get('path')) ?? '/';
  const domain = readString(scope, c.get('domain')) ?? '';
  if (!scope.ok) return undefined;
  return {
    cookie: {
      name: name === undefined || name === '' ? undefined : sanitizeCookieName(name),
      secure,
      httpOnly,
      sameSite: sameSiteText as StickyCookieConfig['sameSite'],
      maxAge,
      path,
      domain,
    },
  };
}

const HEALTH_CHECK_KEYS = {
  supported: ['path', 'scheme', 'mode', 'hostname', 'port', 'interval', 'unhealthyInterval', 'timeout', 'headers', 'followRedirects', 'method', 'status'],
} as const;

/** An HTTP method: an RFC 9110 token. */
const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `loadBalancer.healthCheck`: `path` is required; Traefik's defaults otherwise (interval 30s,
 * unhealthyInterval = interval, timeout 5s, mode http, method GET, followRedirects true, any 2xx
 * or 3xx healthy). A zero or negative interval or timeout is replaced by the default with a warning
 * (Traefik logs an error and does the same).
 */
export function readHealthCheck(scope: Scope, f: Field | undefined): HealthCheckConfig | undefined {
  if (f === undefined) return undefined;
  const fields = readFields(scope, f.value ?? {}, f.path, HEALTH_CHECK_KEYS);
  if (fields === undefined) return undefined;
  const pathField = requireField(scope, fields, 'path', f.path, 'the request path of the check, e.g. /health');
  const path = readString(scope, pathField, { nonEmpty: true });

  const schemeField = fields.get('scheme');
  let scheme = readString(scope, schemeField);
  if (scheme === '') scheme = undefined;
  if (schemeField !== undefined && scheme !== undefined) {
    scheme = scheme.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, schemeField.path, `expected scheme http or https, got "${scheme}"${scope.leftOut}`);
    }
  }

  const modeField = fields.get('mode');
  const modeText = (readString(scope, modeField) ?? '').toLowerCase();
  if (modeField !== undefined && modeText !== '' && modeText !== 'http' && modeText !== 'grpc') {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, modeField.path, `expected mode http or grpc, got "${String(modeField.value)}"${scope.leftOut}`);
  }
  const mode = modeText === 'grpc' ? 'grpc' : 'http';

  const hostname = readString(scope, fields.get('hostname'));
  const port = readInt(scope, fields.get('port'), { min: 0n, max: 65535n });
  const interval = positiveDuration(scope, fields.get('interval'), DEFAULT_HEALTH_CHECK_INTERVAL_MS);
  const unhealthyInterval = positiveDuration(scope, fields.get('unhealthyInterval'), interval);
  const timeout = positiveDuration(scope, fields.get('timeout'), DEFAULT_HEALTH_CHECK_TIMEOUT_MS);
  const headers = readStringMap(scope, fields.get('headers')) ?? {};
  const followRedirects = readBool(scope, fields.get('followRedirects')) ?? true;

  const methodField = fields.get('method');
  let method = readString(scope, methodField);
  if (method === '') method = undefined;
  if (methodField !== undefined && method !== undefined && !METHOD_TOKEN.test(method)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, methodField.path, `expected an HTTP method such as GET or HEAD, got "${method}"${scope.leftOut}`);
  }
  const status = readInt(scope, fields.get('status'), { min: 0n, max: 599n }) ?? 0;
  const statusField = fields.get('status');
  if (statusField !== undefined && status !== 0 && status < 100) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, statusField.path, `expected an HTTP status code between 100 and 599 (or 0 for any 2xx/3xx), got ${status}${scope.leftOut}`);
  }

  if (!scope.ok || path === undefined) return undefined;
  return {
    path,
    scheme,
    mode,
    hostname: hostname === undefined || hostname === '' ? undefined : hostname,
    port: port === undefined || port === 0 ? undefined : port,
    interval,
    unhealthyInterval,
    timeout,
    headers,
    followRedirects,
    method: method ?? 'GET',
    status,
  };
}

/** A duration that must be > 0: absent = `fallback`; zero or negative = `fallback` with a warning. */
function positiveDuration(scope: Scope, f: Field | undefined, fallback: number): number {
  const ms = readDuration(scope, f);
  if (ms === undefined || f === undefined) return fallback;
  if (ms <= 0) {
    scope.warn(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a duration > 0, got "${String(f.value)}"; using ${fallback}ms as Traefik does`);
    return fallback;
  }
  return ms;
}

/** `loadBalancer.passiveHealthCheck` (Traefik 3.x): failureWindow 10s, maxFailedAttempts 1. */
export function readPassiveHealthCheck(scope: Scope, f: Field | undefined): PassiveHealthCheckConfig | undefined {
  if (f === undefined) return undefined;
  const fields = readFields(scope, f.value ?? {}, f.path, { supported: ['failureWindow', 'maxFailedAttempts'] });
  if (fields === undefined) return undefined;
  const windowField = fields.get('failureWindow');
  const failureWindow = readDuration(scope, windowField) ?? DEFAULT_FAILURE_WINDOW_MS;
  if (windowField !== undefined && failureWindow <= 0 && scope.ok) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, windowField.path, `expected failureWindow to be a duration > 0, got "${String(windowField.value)}"${scope.leftOut}`);
  }
  const maxFailedAttempts = readInt(scope, fields.get('maxFailedAttempts'), { min: 1n, max: 2147483647n }) ?? DEFAULT_MAX_FAILED_ATTEMPTS;
  if (!scope.ok) return undefined;
  return { failureWindow, maxFailedAttempts };
}
