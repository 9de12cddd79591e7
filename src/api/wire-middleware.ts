/**
 * Middlewares in the API's shape (traefik-reference §8): `{<kind>: options}` turned back from
 * Turnpike's normalised model into what a Traefik user wrote (durations as Go strings, status
 * ranges as `500-599`, Go-empty values left out), plus `status`, `error`, `usedBy`, `name`,
 * `provider`, `type`. Secrets are redacted here: auth users, forwardAuth's TLS key, fields named
 * like a password or token, credential header values, URL passwords (see redact.ts).
 */
import type { MiddlewareConfig } from '../config/dynamic/types.js';
import type { MiddlewareView } from '../runtime/view.js';
import { formatGoDuration } from './go-duration.js';
import { REDACTED, isSecretKey, redactUrl } from './redact.js';
import { headersRep, put, type Json, type JsonObject } from './wire.js';

/** Duration fields (milliseconds in the model) per middleware kind. */
const DURATION_FIELDS: Readonly<Partial<Record<MiddlewareConfig['kind'], readonly string[]>>> = {
  rateLimit: ['period'],
  circuitBreaker: ['checkPeriod', 'fallbackDuration', 'recoveryDuration'],
  retry: ['initialInterval', 'timeout'],
};

function isStatusRange(v: object): v is { from: number; to: number } {
  const keys = Object.keys(v);
  return keys.length === 2 && 'from' in v && 'to' in v && typeof v.from === 'number' && typeof v.to === 'number';
}

function rangeText(r: { from: number; to: number }): string {
  return r.from === r.to ? String(r.from) : `${r.from}-${r.to}`;
}

/** A model value back to Traefik's JSON (recursive, Go-empty values dropped by the caller). */
function toJson(value: unknown, key: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value !== '' && isSecretKey(key)) return REDACTED;
    return redactUrl(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (const item of value) {
      const j = toJson(item, key);
      if (j !== undefined) items.push(j);
    }
    return items;
  }
  if (typeof value === 'object') {
    if (isStatusRange(value)) return rangeText(value);
    if (key === 'sourceCriterion' && 'kind' in value) return sourceCriterionRep(value as { kind: string } & Record<string, unknown>);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'customRequestHeaders' || k === 'customResponseHeaders') {
        put(out, k, headersRep(v as Record<string, string>));
        continue;
      }
      put(out, k, toJson(v, k));
    }
    return out;
  }
  return undefined;
}

function sourceCriterionRep(c: { kind: string } & Record<string, unknown>): JsonObject {
  switch (c.kind) {
    case 'requestHost':
      return { requestHost: true };
    case 'requestHeaderName':
      return { requestHeaderName: typeof c['headerName'] === 'string' ? c['headerName'] : '' };
    default: {
      const s = toJson(c['ipStrategy'], 'ipStrategy');
      return { ipStrategy: s !== undefined && typeof s === 'object' && !Array.isArray(s) && s !== null ? s : {} };
    }
  }
}

/** The configuration part of a middleware: `{basicAuth: {...}}` etc., secrets redacted. */
export function middlewareConfigRep(c: MiddlewareConfig): JsonObject {
  const options: JsonObject = {};
  const durations = DURATION_FIELDS[c.kind] ?? [];
  for (const [k, v] of Object.entries(c.options as object)) {
    if (durations.includes(k) && typeof v === 'number') {
      put(options, k, formatGoDuration(v));
      continue;
    }
    put(options, k, toJson(v, k));
  }
  if (c.kind === 'basicAuth' || c.kind === 'digestAuth') {
    if (c.options.users.length > 0) options['users'] = c.options.users.map(() => REDACTED);
    // Turnpike fills Traefik's default realm in; Traefik leaves it empty unless set.
    if (options['realm'] === 'traefik') delete options['realm'];
  } else if (c.kind === 'forwardAuth') {
    const tls = options['tls'];
    if (tls !== undefined && typeof tls === 'object' && !Array.isArray(tls) && tls !== null && 'key' in tls) tls['key'] = REDACTED;
  } else if (c.kind === 'errors') {
    const rewrites: JsonObject = {};
    for (const r of c.options.statusRewrites) rewrites[r.from.map(rangeText).join(',')] = r.to;
    delete options['statusRewrites'];
    put(options, 'statusRewrites', rewrites);
  }
  return { [c.kind]: options };
}

/** A middleware as /api/http/middlewares serves it. */
export function middlewareRep(v: MiddlewareView): JsonObject {
  const out: JsonObject = middlewareConfigRep(v.config);
  put(out, 'error', [...v.errors]);
  out['status'] = v.status;
  put(out, 'usedBy', [...v.usedBy]);
  out['name'] = v.name;
  put(out, 'provider', v.provider);
  out['type'] = v.config.kind.toLowerCase();
  return out;
}
