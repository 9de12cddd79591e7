/**
 * `http.serversTransports.<name>`: how Turnpike talks to upstream servers (TLS verification,
 * client certificates, protocol versions and cipher suites, HTTP/2, pooling, timeouts).
 * Durations become milliseconds; Traefik's defaults are filled in. Certificate files are not
 * read here: the runtime reads them when it builds the transport (and reports what it cannot use).
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { ForwardingTimeouts, ServersTransportConfig, TlsCertificatePair, TlsVersionName } from '../types.js';
import { type Field, type KeyPath, type Scope, readBool, readDuration, readFields, readInt, readList, readString, readStringList, requireField } from './fields.js';
import { GO_CIPHER_SUITES, TLS_VERSIONS } from './tls.js';

/** Traefik's forwardingTimeouts defaults, in ms. */
export const DEFAULT_FORWARDING_TIMEOUTS: ForwardingTimeouts = Object.freeze({
  dialTimeout: 30_000,
  responseHeaderTimeout: 0,
  idleConnTimeout: 90_000,
});

/** Go's http.DefaultMaxIdleConnsPerHost, what Traefik uses when maxIdleConnsPerHost is 0/unset. */
export const GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST = 2;

const TRANSPORT_KEYS = {
  supported: [
    'serverName',
    'insecureSkipVerify',
    'rootCAs',
    'maxIdleConnsPerHost',
    'forwardingTimeouts',
    'certificates',
    'cipherSuites',
    'minVersion',
    'maxVersion',
    'disableHTTP2',
  ],
  unsupported: ['peerCertURI', 'peerCertSANs', 'spiffe'],
} as const;

const TIMEOUT_KEYS = {
  supported: ['dialTimeout', 'responseHeaderTimeout', 'idleConnTimeout', 'readIdleTimeout', 'pingTimeout'],
} as const;

/** Traefik's pingTimeout default (ms), used when readIdleTimeout turns health pings on. */
export const DEFAULT_PING_TIMEOUT = 15_000;

export function readServersTransport(scope: Scope, raw: unknown, path: KeyPath): ServersTransportConfig | undefined {
  const fields = readFields(scope, raw, path, TRANSPORT_KEYS);
  if (fields === undefined) return undefined;
  const serverName = readString(scope, fields.get('serverName'));
  const insecureSkipVerify = readBool(scope, fields.get('insecureSkipVerify')) ?? false;
  const rootCAs = readStringList(scope, fields.get('rootCAs')) ?? [];
  const maxIdle = readInt(scope, fields.get('maxIdleConnsPerHost'), { min: -2147483648n, max: 2147483647n }) ?? 0;
  const certificates = readCertificates(scope, fields.get('certificates'));
  const cipherSuites = readCipherSuites(scope, fields.get('cipherSuites'));
  const minVersion = readVersion(scope, fields.get('minVersion'));
  const maxField = fields.get('maxVersion');
  const maxVersion = readVersion(scope, maxField);
  if (maxField !== undefined && minVersion !== undefined && maxVersion !== undefined && VERSIONS.indexOf(maxVersion) < VERSIONS.indexOf(minVersion)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, maxField.path, `maxVersion ${maxVersion} is lower than minVersion ${minVersion}: no TLS version could be negotiated${scope.leftOut}`);
  }
  const disableHTTP2 = readBool(scope, fields.get('disableHTTP2')) ?? false;

  let forwardingTimeouts = DEFAULT_FORWARDING_TIMEOUTS;
  const timeoutsField = fields.get('forwardingTimeouts');
  if (timeoutsField !== undefined) {
    const t = readFields(scope, timeoutsField.value, timeoutsField.path, TIMEOUT_KEYS);
    const readIdle = readDuration(scope, t?.get('readIdleTimeout'), { min: 0 });
    const ping = readDuration(scope, t?.get('pingTimeout'), { min: 0 });
    forwardingTimeouts = {
      dialTimeout: readDuration(scope, t?.get('dialTimeout'), { min: 0 }) ?? DEFAULT_FORWARDING_TIMEOUTS.dialTimeout,
      responseHeaderTimeout: readDuration(scope, t?.get('responseHeaderTimeout'), { min: 0 }) ?? DEFAULT_FORWARDING_TIMEOUTS.responseHeaderTimeout,
      idleConnTimeout: readDuration(scope, t?.get('idleConnTimeout'), { min: 0 }) ?? DEFAULT_FORWARDING_TIMEOUTS.idleConnTimeout,
      // HTTP/2 health pings: only present when configured (absent = off / the 15 s default).
      ...(readIdle === undefined ? {} : { readIdleTimeout: readIdle }),
      ...(ping === undefined ? {} : { pingTimeout: ping }),
    };
  }

  if (!scope.ok) return undefined;
  return {
    serverName: serverName === undefined || serverName === '' ? undefined : serverName,
    insecureSkipVerify,
    rootCAs,
    maxIdleConnsPerHost: maxIdle === 0 ? GO_DEFAULT_MAX_IDLE_CONNS_PER_HOST : Math.max(0, maxIdle),
    forwardingTimeouts,
    certificates: certificates ?? [],
    cipherSuites,
    minVersion,
    maxVersion,
    disableHTTP2,
  };
}

const VERSIONS: readonly TlsVersionName[] = [...TLS_VERSIONS.keys()];

function readVersion(scope: Scope, f: Field | undefined): TlsVersionName | undefined {
  const text = readString(scope, f);
  if (f === undefined || text === undefined || text === '') return undefined;
  if ((VERSIONS as readonly string[]).includes(text)) return text as TlsVersionName;
  scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected one of ${VERSIONS.join(', ')}, got "${text}"${scope.leftOut}`);
  return undefined;
}

/** Go cipher-suite names (TLS 1.3 ones are accepted and, as in Go, have no effect). */
function readCipherSuites(scope: Scope, f: Field | undefined): string[] {
  const list = readStringList(scope, f);
  if (f === undefined || list === undefined) return [];
  list.forEach((name, i) => {
    if (GO_CIPHER_SUITES.has(name)) return;
    const hint = [...GO_CIPHER_SUITES.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    const expected = hint === undefined ? 'a Go cipher-suite name such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' : `"${hint}" (names are case-sensitive)`;
    scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, i], `unknown cipher suite "${name}"; expected ${expected}${scope.leftOut}`);
  });
  return list;
}

/** `certificates: [{certFile, keyFile}]`: client certificates (each a file path or an inline PEM block). */
function readCertificates(scope: Scope, f: Field | undefined): TlsCertificatePair[] | undefined {
  return readList(scope, f, (value, path) => {
    const fields = readFields(scope, value, path, { supported: ['certFile', 'keyFile'] });
    if (fields === undefined) return undefined;
    const certFile = readString(scope, requireField(scope, fields, 'certFile', path, 'a client certificate file path or an inline PEM block'), { nonEmpty: true });
    const keyFile = readString(scope, requireField(scope, fields, 'keyFile', path, 'its private key file path or an inline PEM block'), { nonEmpty: true });
    return certFile === undefined || keyFile === undefined ? undefined : { certFile, keyFile };
  });
}
