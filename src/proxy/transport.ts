/**
 * A serversTransport resolved for use: certificates and keys loaded, one TLS context built (CA
 * certificates, client certificate, protocol versions, cipher suites), defaults applied, and an
 * identity (`id`, a content hash) so that connection pools are shared by every service using an
 * identical transport and survive configuration reloads that do not change it.
 *
 * Resolution reads rootCAs and certificate files synchronously: it runs while a configuration is
 * built, never on the request path.
 */
import { createHash } from 'node:crypto';
import { loadPemOf } from '../net/pem-source.js';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import { tls } from '../net/lazy-tls.js';
import { DEFAULT_PING_TIMEOUT } from '../config/dynamic/schema/servers-transport.js';
import { GO_CIPHER_SUITES, TLS13_CIPHER_SUITES, TLS_VERSIONS } from '../config/dynamic/schema/tls.js';
import type { ServersTransportConfig, TlsCertificatePair, TlsVersionName } from '../config/dynamic/types.js';
import type { ServersTransportDefaults } from '../config/static/types.js';

export interface ResolvedTransport {
  /** Content hash of everything that changes how connections are made or pooled. */
  readonly id: string;
  /** TLS server name (SNI and certificate check) for https servers; undefined = the server's host. */
  readonly serverName: string | undefined;
  readonly insecureSkipVerify: boolean;
  /**
   * PEM certificates trusted for https servers. As in Go, when non-empty they REPLACE the system
   * trust store; undefined = Node's default trust store.
   */
  readonly ca: readonly string[] | undefined;
  /** Idle keep-alive connections kept per origin (already normalised by the config model); 0 keeps none. */
  readonly maxIdleConnsPerHost: number;
  /** ms; 0 = no limit. Covers TCP connect and, for https, the TLS handshake. */
  readonly dialTimeout: number;
  /** ms after the request is fully written; 0 = no limit. */
  readonly responseHeaderTimeout: number;
  /** ms an idle pooled connection (or an HTTP/2 session with no stream) is kept; 0 = no limit. */
  readonly idleConnTimeout: number;
  /** HTTP/2: ms without a frame from the server before a health PING; 0 = no pings. */
  readonly readIdleTimeout: number;
  /** HTTP/2: ms a health PING may stay unanswered before the session is closed. */
  readonly pingTimeout: number;
  /** Client certificates presented to https servers that ask for one (mTLS): [cert, key] PEM pairs. */
  readonly certificates: readonly { readonly cert: string; readonly key: string }[];
  /** OpenSSL names of the TLS 1.0-1.2 suites to offer (`cipherSuites`); undefined = Node's defaults. */
  readonly ciphers: string | undefined;
  /** Node's names ('TLSv1.2' ...); undefined = Node's defaults. */
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' | undefined;
  readonly maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' | undefined;
  /** Offer only http/1.1 by ALPN to https servers (h2c servers still speak HTTP/2). */
  readonly disableHTTP2: boolean;
  /**
   * The TLS context every https connection through this transport uses (built once: trusted
   * CAs, client certificates, versions, ciphers). Not part of `id` (it is derived from the rest).
   */
  readonly secureContext: SecureContext;
}

/**
 * Resolve a dynamic `http.serversTransports` entry, or the static `serversTransport` defaults.
 * Throws an Error with a user-facing message when a rootCAs or certificate file cannot be read,
 * holds no PEM, or when the TLS options are refused by OpenSSL (a key that does not match its
 * certificate, a cipher suite this build of Node cannot offer, minVersion above maxVersion).
 */
export function resolveTransport(cfg: ServersTransportConfig | ServersTransportDefaults): ResolvedTransport {
  const serverName = 'serverName' in cfg && cfg.serverName !== '' ? cfg.serverName : undefined;
  const ca = cfg.rootCAs.length === 0 ? undefined : cfg.rootCAs.map((e) => loadPemOf(e, 'CERTIFICATE', 'serversTransport rootCAs'));
  // The configuration model already normalised Traefik's 0/unset to Go's default (2): 0 keeps none.
  const maxIdle = Math.max(0, cfg.maxIdleConnsPerHost);
  const t = cfg.forwardingTimeouts;
  const dyn = 'certificates' in cfg ? cfg : undefined;
  const certificates = (dyn?.certificates ?? []).map(loadPair);
  const fields = {
    serverName,
    insecureSkipVerify: cfg.insecureSkipVerify,
    ca,
    maxIdleConnsPerHost: maxIdle,
    dialTimeout: Math.max(0, t.dialTimeout),
    responseHeaderTimeout: Math.max(0, t.responseHeaderTimeout),
    idleConnTimeout: Math.max(0, t.idleConnTimeout),
    readIdleTimeout: Math.max(0, 'readIdleTimeout' in t ? (t.readIdleTimeout ?? 0) : 0),
    pingTimeout: Math.max(0, 'pingTimeout' in t ? (t.pingTimeout ?? DEFAULT_PING_TIMEOUT) : DEFAULT_PING_TIMEOUT),
    certificates,
    ciphers: openSslCiphers(dyn?.cipherSuites ?? []),
    minVersion: nodeVersion(dyn?.minVersion),
    maxVersion: nodeVersion(dyn?.maxVersion),
    disableHTTP2: dyn?.disableHTTP2 ?? false,
  };
  const id = createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
  // Settings OpenSSL may refuse are tried now, so that a bad transport is reported with the
  // configuration. Without any, the context is Node's default one: made at the first https
  // connection, so that a process with only http upstreams never loads node:tls (lazy-tls.ts).
  const tlsSettings = ca !== undefined || certificates.length > 0 || fields.ciphers !== undefined || fields.minVersion !== undefined || fields.maxVersion !== undefined;
  let secureContext = tlsSettings ? buildSecureContext(fields) : undefined;
  return Object.freeze({
    id,
    ...fields,
    ca: ca === undefined ? undefined : Object.freeze(ca),
    certificates: Object.freeze(certificates),
    get secureContext(): SecureContext {
      return (secureContext ??= buildSecureContext(fields));
    },
  });
}

function buildSecureContext(f: {
  ca: string[] | undefined;
  certificates: { cert: string; key: string }[];
  ciphers: string | undefined;
  minVersion: string | undefined;
  maxVersion: string | undefined;
}): SecureContext {
  const opts: SecureContextOptions = {};
  if (f.ca !== undefined) opts.ca = f.ca;
  if (f.certificates.length > 0) {
    // OpenSSL keeps one certificate per key type; the first pair is the one normally used.
    opts.cert = f.certificates.map((c) => c.cert);
    opts.key = f.certificates.map((c) => c.key);
  }
  if (f.minVersion !== undefined && f.maxVersion !== undefined && f.minVersion > f.maxVersion) {
    // 'TLSv1' < 'TLSv1.1' < 'TLSv1.2' < 'TLSv1.3' as strings. OpenSSL would only fail each handshake.
    throw new Error(`serversTransport TLS settings refused: minVersion ${f.minVersion} is above maxVersion ${f.maxVersion}`);
  }
  if (f.ciphers !== undefined) opts.ciphers = f.ciphers;
  if (f.minVersion !== undefined) opts.minVersion = f.minVersion as SecureContextOptions['minVersion'];
  if (f.maxVersion !== undefined) opts.maxVersion = f.maxVersion as SecureContextOptions['maxVersion'];
  try {
    return tls().createSecureContext(opts);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`serversTransport TLS settings refused: ${reason}`, { cause: err });
  }
}

/** Go names -> an OpenSSL cipher list (TLS 1.3 suites left out: Go does not let them be chosen). */
function openSslCiphers(names: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const name of names) {
    if (TLS13_CIPHER_SUITES.has(name)) continue;
    const openssl = GO_CIPHER_SUITES.get(name);
    if (openssl === undefined) throw new Error(`serversTransport cipherSuites: unknown cipher suite "${name}"`);
    if (!out.includes(openssl)) out.push(openssl);
  }
  return out.length === 0 ? undefined : out.join(':');
}

function nodeVersion(v: TlsVersionName | undefined): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' | undefined {
  return v === undefined ? undefined : TLS_VERSIONS.get(v);
}

function loadPair(pair: TlsCertificatePair): { cert: string; key: string } {
  return { cert: loadPemOf(pair.certFile, 'CERTIFICATE', 'serversTransport certificates certFile'), key: loadPemOf(pair.keyFile, 'PRIVATE KEY', 'serversTransport certificates keyFile') };
}

/** The transport used when nothing is configured: the static defaults of Traefik. */
export const DEFAULT_TRANSPORT_DEFAULTS: ServersTransportDefaults = Object.freeze({
  insecureSkipVerify: false,
  rootCAs: [],
  maxIdleConnsPerHost: 200,
  forwardingTimeouts: Object.freeze({ dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 }),
});

/**
 * A resolver that resolves each transport configuration object once (by identity): services
 * sharing a serversTransport share one ResolvedTransport and read its CA files once per build.
 */
export function createTransportResolver(): (cfg: ServersTransportConfig | ServersTransportDefaults) => ResolvedTransport {
  const cache = new WeakMap<object, ResolvedTransport>();
  return (cfg) => {
    let t = cache.get(cfg);
    if (t === undefined) {
      t = resolveTransport(cfg);
      cache.set(cfg, t);
    }
    return t;
  };
}
