/**
 * One immutable TLS state: the certificate store, the built TLS options, and per entry point which
 * options a server name gets. Built by the TLS manager for each configuration (and again when a
 * certificate file changes); a connection uses the state that was current when it arrived.
 *
 * Options by SNI follow Traefik: each TLS router with Host() names maps those names to its
 * options; a name claimed by routers with different options gets `default` (with a warning on
 * those routers); a name whose only options do not exist refuses handshakes (Traefik's "closing
 * route"); every other name, no SNI, and routers without Host() get `default`.
 */
import type { SecureContext } from 'node:tls';
import { tls } from '../net/lazy-tls.js';
import type { Diagnostic } from '../config/diagnostics.js';
import type { TlsOptionsConfig } from '../config/dynamic/types.js';
import { DEFAULT_TLS_OPTIONS } from '../config/dynamic/schema/tls.js';
import type { CertificateStore, StoredCertificate } from './certificate-store.js';
import { TLS_CODES } from './codes.js';
import { DEFAULT_OPTIONS_NAME, type TlsRouterUse } from './router-tls.js';
import { buildTlsOptions, type BuiltTlsOptions } from './tls-options.js';

/** Per entry point: host -> options name, or null when that host's handshakes are refused. */
type HostOptions = ReadonlyMap<string, string | null>;

export class TlsState {
  readonly store: CertificateStore;
  /** `tls.stores.default.defaultCertificate` when set and valid, else undefined (generated one). */
  readonly configuredDefault: StoredCertificate | undefined;
  readonly options: ReadonlyMap<string, BuiltTlsOptions>;
  readonly #sniOptions: ReadonlyMap<string, HostOptions>;
  /** Traefik's tlsOptionsForHost (conflicts -> default), for the domain-fronting check. */
  readonly #hostOptions: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly #contexts = new Map<BuiltTlsOptions, Map<StoredCertificate, SecureContext>>();

  constructor(
    store: CertificateStore,
    configuredDefault: StoredCertificate | undefined,
    options: ReadonlyMap<string, BuiltTlsOptions>,
    sniOptions: ReadonlyMap<string, HostOptions>,
    hostOptions: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {
    this.store = store;
    this.configuredDefault = configuredDefault;
    this.options = options;
    this.#sniOptions = sniOptions;
    this.#hostOptions = hostOptions;
  }

  /** The options for a connection to `entryPoint` with this SNI; undefined = refuse the handshake. */
  optionsFor(entryPoint: string, serverName: string | undefined): BuiltTlsOptions | undefined {
    let name: string | null | undefined;
    if (serverName !== undefined) name = this.#sniOptions.get(entryPoint)?.get(serverName);
    if (name === null) return undefined;
    return this.options.get(name ?? DEFAULT_OPTIONS_NAME);
  }

  /**
   * Traefik's SNI check (domain fronting): a TLS request whose Host names other TLS options than
   * its SNI gets 421 Misdirected Request. `host` is the Host without port.
   */
  misdirected(entryPoint: string, host: string, serverName: string | undefined): boolean {
    const sni = serverName ?? '';
    if (host.length === sni.length && host.toLowerCase() === sni) return false;
    const map = this.#hostOptions.get(entryPoint);
    if (map === undefined || map.size === 0) return false;
    return optionsOfHost(map, host, true) !== optionsOfHost(map, sni, false);
  }

  /** The secure context serving `cert` with `options` (made once, then reused). */
  contextFor(options: BuiltTlsOptions, cert: StoredCertificate): SecureContext {
    let byCert = this.#contexts.get(options);
    if (byCert === undefined) this.#contexts.set(options, (byCert = new Map<StoredCertificate, SecureContext>()));
    let ctx = byCert.get(cert);
    if (ctx === undefined) {
      ctx = tls().createSecureContext({ ...options.context, cert: cert.cert, key: cert.key });
      byCert.set(cert, ctx);
    }
    return ctx;
  }
}

/** Traefik's findTLSOptionName: exact, lower-cased, and (for Host headers) with/without a trailing dot. */
function optionsOfHost(map: ReadonlyMap<string, string>, host: string, fqdn: boolean): string {
  const find = (h: string): string | undefined => {
    const hit = map.get(h);
    if (hit !== undefined || !fqdn) return hit;
    return h.endsWith('.') ? map.get(h.slice(0, -1)) : map.get(h + '.');
  };
  return find(host) ?? find(host.toLowerCase()) ?? DEFAULT_OPTIONS_NAME;
}

/** Builds every TLS options object (with `default` always present). */
export function buildAllOptions(configs: Readonly<Record<string, TlsOptionsConfig>>): { options: Map<string, BuiltTlsOptions>; diagnostics: Diagnostic[] } {
  const options = new Map<string, BuiltTlsOptions>();
  const diagnostics: Diagnostic[] = [];
  const all: Record<string, TlsOptionsConfig> = { [DEFAULT_OPTIONS_NAME]: DEFAULT_TLS_OPTIONS, ...configs };
  for (const name of Object.keys(all)) {
    const built = buildTlsOptions(name, all[name] as TlsOptionsConfig);
    options.set(name, built.options);
    diagnostics.push(...built.diagnostics);
  }
  return { options, diagnostics };
}

/** The per-entry-point SNI maps from the compiled TLS routers, with Traefik's conflict rules. */
export function buildHostMaps(uses: ReadonlyMap<string, readonly TlsRouterUse[]>): {
  sni: Map<string, HostOptions>;
  hosts: Map<string, ReadonlyMap<string, string>>;
  diagnostics: Diagnostic[];
} {
  const sni = new Map<string, HostOptions>();
  const hosts = new Map<string, ReadonlyMap<string, string>>();
  const diagnostics: Diagnostic[] = [];
  const warned = new Set<string>();
  for (const [ep, list] of uses) {
    const perHost = new Map<string, Map<string, TlsRouterUse>>();
    const forHost = new Map<string, string>();
    for (const use of list) {
      for (const host of use.hosts) {
        let byOptions = perHost.get(host);
        if (byOptions === undefined) perHost.set(host, (byOptions = new Map<string, TlsRouterUse>()));
        byOptions.set(use.options, use);
        const seen = forHost.get(host);
        forHost.set(host, seen !== undefined && seen !== use.options ? DEFAULT_OPTIONS_NAME : use.options);
      }
    }
    const map = new Map<string, string | null>();
    for (const [host, byOptions] of perHost) {
      if (byOptions.size === 1) {
        const only = byOptions.values().next().value as TlsRouterUse;
        map.set(host, only.known ? only.options : null);
        continue;
      }
      map.set(host, DEFAULT_OPTIONS_NAME);
      for (const use of byOptions.values()) {
        const key = `${use.router}\u0000${host}`;
        if (warned.has(key)) continue;
        warned.add(key);
        diagnostics.push({
          code: TLS_CODES.OPTIONS_CONFLICT,
          severity: 'warning',
          message: `found different TLS options for routers on the same host ${host}, so using the default TLS options instead`,
          object: use.router,
          path: `http.routers.${use.router}.tls.options`,
        });
      }
    }
    sni.set(ep, map);
    hosts.set(ep, forHost);
  }
  return { sni, hosts, diagnostics };
}
