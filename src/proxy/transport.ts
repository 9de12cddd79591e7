/**
 * A serversTransport resolved for use: CA certificates loaded, defaults applied, and an identity
 * (`id`, a content hash) so that connection pools are shared by every service using an identical
 * transport and survive configuration reloads that do not change it.
 *
 * Resolution reads rootCAs files synchronously: it runs while a configuration is built, never on
 * the request path.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServersTransportConfig } from '../config/dynamic/types.js';
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
  /** ms an idle pooled connection is kept; 0 = no limit. */
  readonly idleConnTimeout: number;
}

/**
 * Resolve a dynamic `http.serversTransports` entry, or the static `serversTransport` defaults.
 * Throws an Error with a user-facing message when a rootCAs file cannot be read or holds no PEM.
 */
export function resolveTransport(cfg: ServersTransportConfig | ServersTransportDefaults): ResolvedTransport {
  const serverName = 'serverName' in cfg && cfg.serverName !== '' ? cfg.serverName : undefined;
  const ca = cfg.rootCAs.length === 0 ? undefined : cfg.rootCAs.map(loadPem);
  // The configuration model already normalised Traefik's 0/unset to Go's default (2): 0 keeps none.
  const maxIdle = Math.max(0, cfg.maxIdleConnsPerHost);
  const t = cfg.forwardingTimeouts;
  const fields = {
    serverName,
    insecureSkipVerify: cfg.insecureSkipVerify,
    ca,
    maxIdleConnsPerHost: maxIdle,
    dialTimeout: Math.max(0, t.dialTimeout),
    responseHeaderTimeout: Math.max(0, t.responseHeaderTimeout),
    idleConnTimeout: Math.max(0, t.idleConnTimeout),
  };
  const id = createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
  return Object.freeze({ id, ...fields, ca: ca === undefined ? undefined : Object.freeze(ca) });
}

/** The transport used when nothing is configured: the static defaults of Traefik. */
export const DEFAULT_TRANSPORT_DEFAULTS: ServersTransportDefaults = Object.freeze({
  insecureSkipVerify: false,
  rootCAs: [],
  maxIdleConnsPerHost: 200,
  forwardingTimeouts: Object.freeze({ dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 }),
});

function loadPem(entry: string): string {
  if (entry.includes('-----BEGIN')) return entry;
  let text: string;
  try {
    text = readFileSync(entry, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`serversTransport rootCAs: cannot read "${entry}": ${reason}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`serversTransport rootCAs: "${entry}" holds no PEM certificate`);
  }
  return text;
}

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
