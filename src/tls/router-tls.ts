/**
 * Which routers are TLS routers and which TLS options they use, per entry point, as the compiler
 * sees them. A router is a TLS router on an entry point when it has `tls` of its own or the entry
 * point has `http.tls` (Traefik copies the entry point's `http.tls` into routers without one).
 * The options of TLS routers with Host() rules decide, by SNI, the options a TLS connection gets
 * (see tls-state.ts); a router naming options that do not exist is an error of that router.
 */
import type { RouterConfig, TlsConfig } from '../config/dynamic/types.js';
import type { EntryPointConfig } from '../config/static/types.js';
import { ruleHosts, type CompiledRule } from '../rules/index.js';

/** Traefik's name for the options used when a router names none (never qualified by a provider). */
export const DEFAULT_OPTIONS_NAME = 'default';

/** A TLS router on one entry point: its options and the Host() names of its rule. */
export interface TlsRouterUse {
  readonly router: string;
  /** Qualified options name (`default` unqualified). */
  readonly options: string;
  /** Lower-cased Host() values of the rule ([] when none, or when the rule does not compile). */
  readonly hosts: readonly string[];
  /** False when `options` names options that do not exist (the router is disabled for it). */
  readonly known: boolean;
}

function providerOfName(name: string): string {
  const at = name.lastIndexOf('@');
  return at < 0 ? '' : name.slice(at + 1);
}

/**
 * The qualified options name: `default` (or none) stays `default`; a name without `@` gets the
 * router's provider, as Traefik qualifies router references (also for the entry point's
 * `http.tls.options`, which Traefik copies into each router before qualifying).
 */
export function qualifyOptionsName(options: string | undefined, routerName: string): string {
  if (options === undefined || options === '' || options === DEFAULT_OPTIONS_NAME) return DEFAULT_OPTIONS_NAME;
  if (options.includes('@')) return options;
  const provider = providerOfName(routerName);
  return provider === '' ? options : `${options}@${provider}`;
}

/** The router's effective TLS settings on an entry point, or undefined for a plain router there. */
export function effectiveTls(router: RouterConfig, ep: EntryPointConfig | undefined): { readonly options?: string | undefined } | undefined {
  return router.tls ?? ep?.http.tls;
}

/** Collects the TLS routers of one compile, per entry point. */
export class TlsRouterCollector {
  readonly #options: TlsConfig['options'];
  readonly #entryPoints: Readonly<Record<string, EntryPointConfig>>;
  readonly #uses = new Map<string, TlsRouterUse[]>();

  constructor(tls: TlsConfig | undefined, entryPoints: Readonly<Record<string, EntryPointConfig>>) {
    this.#options = tls?.options ?? {};
    this.#entryPoints = entryPoints;
  }

  /**
   * Records `router` on each entry point of `using` where it is a TLS router. Returns the error
   * message when it names TLS options that do not exist (Traefik: `unknown TLS options: <name>`).
   */
  add(name: string, router: RouterConfig, using: readonly string[], rule: CompiledRule | undefined): string | undefined {
    if (router.tls === undefined && !using.some((e) => this.#entryPoints[e]?.http.tls !== undefined)) return undefined;
    let error: string | undefined;
    let hosts: readonly string[] | undefined;
    for (const epName of using) {
      const tls = effectiveTls(router, this.#entryPoints[epName]);
      if (tls === undefined) continue;
      const options = qualifyOptionsName(tls.options, name);
      const known = options === DEFAULT_OPTIONS_NAME || Object.hasOwn(this.#options, options);
      if (!known && error === undefined) error = `unknown TLS options: ${options}`;
      hosts ??= rule === undefined ? [] : lowerAll(ruleHosts(rule));
      let list = this.#uses.get(epName);
      if (list === undefined) this.#uses.set(epName, (list = []));
      list.push({ router: name, options, hosts, known });
    }
    return error;
  }

  /** The TLS routers per entry point name. */
  result(): ReadonlyMap<string, readonly TlsRouterUse[]> {
    return this.#uses;
  }
}

function lowerAll(hosts: readonly string[]): string[] {
  return hosts.map((h) => h.toLowerCase());
}
