/**
 * `http.serversTransports.<name>`: how Turnpike talks to upstream servers (TLS verification,
 * pooling, timeouts). Durations become milliseconds; Traefik's defaults are filled in.
 */
import type { ForwardingTimeouts, ServersTransportConfig } from '../types.js';
import { type KeyPath, type Scope, readBool, readDuration, readFields, readInt, readString, readStringList } from './fields.js';

/** Traefik's forwardingTimeouts defaults, in ms. */
export const DEFAULT_FORWARDING_TIMEOUTS: ForwardingTimeouts = Object.freeze({
  dialTimeout: 30_000,
  responseHeaderTimeout: 0,
  idleConnTimeout: 90_000,
});

/** Go's http.DefaultMaxIdleConnsPerHost, what Traefik uses when maxIdleConnsPerHost is 0/unset. */
export const GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST = 2;

const TRANSPORT_KEYS = {
  supported: ['serverName', 'insecureSkipVerify', 'rootCAs', 'maxIdleConnsPerHost', 'forwardingTimeouts'],
  unsupported: ['certificates', 'cipherSuites', 'minVersion', 'maxVersion', 'disableHTTP2', 'peerCertURI', 'peerCertSANs', 'spiffe'],
} as const;

const TIMEOUT_KEYS = {
  supported: ['dialTimeout', 'responseHeaderTimeout', 'idleConnTimeout'],
  unsupported: ['readIdleTimeout', 'pingTimeout'],
} as const;

export function readServersTransport(scope: Scope, raw: unknown, path: KeyPath): ServersTransportConfig | undefined {
  const fields = readFields(scope, raw, path, TRANSPORT_KEYS);
  if (fields === undefined) return undefined;
  const serverName = readString(scope, fields.get('serverName'));
  const insecureSkipVerify = readBool(scope, fields.get('insecureSkipVerify')) ?? false;
  const rootCAs = readStringList(scope, fields.get('rootCAs')) ?? [];
  const maxIdle = readInt(scope, fields.get('maxIdleConnsPerHost'), { min: -2147483648n, max: 2147483647n }) ?? 0;

  let forwardingTimeouts = DEFAULT_FORWARDING_TIMEOUTS;
  const timeoutsField = fields.get('forwardingTimeouts');
  if (timeoutsField !== undefined) {
    const t = readFields(scope, timeoutsField.value, timeoutsField.path, TIMEOUT_KEYS);
    forwardingTimeouts = {
      dialTimeout: readDuration(scope, t?.get('dialTimeout'), { min: 0 }) ?? DEFAULT_FORWARDING_TIMEOUTS.dialTimeout,
      responseHeaderTimeout: readDuration(scope, t?.get('responseHeaderTimeout'), { min: 0 }) ?? DEFAULT_FORWARDING_TIMEOUTS.responseHeaderTimeout,
      idleConnTimeout: readDuration(scope, t?.get('idleConnTimeout'), { min: 0 }) ?? DEFAULT_FORWARDING_TIMEOUTS.idleConnTimeout,
    };
  }

  if (!scope.ok) return undefined;
  return {
    serverName: serverName === undefined || serverName === '' ? undefined : serverName,
    insecureSkipVerify,
    rootCAs,
    maxIdleConnsPerHost: maxIdle === 0 ? GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST : Math.max(0, maxIdle),
    forwardingTimeouts,
    certificates: [],
    cipherSuites: [],
    minVersion: undefined,
    maxVersion: undefined,
    disableHTTP2: false,
  };
}
