/**
 * `http.services.<name>`: exactly one kind (loadBalancer, weighted, mirroring, failover,
 * highestRandomWeight). Only loadBalancer is implemented so far; the others are known to be
 * Traefik's and reported as unsupported rather than unknown.
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { LoadBalancerConfig, ServerConfig, ServiceConfig } from '../types.js';
import {
  type Field,
  type KeyPath,
  type Scope,
  readBool,
  readDuration,
  readFields,
  readInt,
  readList,
  readString,
  requireField,
} from './fields.js';
import { readOneKind } from './one-kind.js';

export const SERVICE_KINDS = ['loadBalancer', 'weighted', 'mirroring', 'failover', 'highestRandomWeight'] as const;

/** Traefik's default `responseForwarding.flushInterval`. */
export const DEFAULT_FLUSH_INTERVAL_MS = 100;

const LOAD_BALANCER_KEYS = {
  supported: ['servers', 'passHostHeader', 'responseForwarding', 'serversTransport', 'strategy'],
  unsupported: ['sticky', 'healthCheck', 'passiveHealthCheck'],
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
  if (kind !== 'loadBalancer') {
    scope.error(DYNAMIC_CODES.UNSUPPORTED, field.path, `"${kind}" services are not supported yet (only loadBalancer)${scope.leftOut}`);
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

  if (!scope.ok) return undefined;
  return {
    servers,
    passHostHeader,
    serversTransport: serversTransport === undefined || serversTransport === '' ? undefined : serversTransport,
    flushInterval,
    sticky: undefined,
    healthCheck: undefined,
    passiveHealthCheck: undefined,
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
  if (parsed.protocol === 'h2c:') {
    scope.error(DYNAMIC_CODES.UNSUPPORTED, f.path, `h2c (cleartext HTTP/2) servers are not supported yet${scope.leftOut}`);
  }
}
