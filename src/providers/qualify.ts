/**
 * Provider namespaces, as Traefik: every object name becomes `name@provider`, and every reference
 * without `@` resolves in the referencing object's own provider (`service: api` in the file
 * provider means `api@file`); a reference that already names a provider (`api@docker`,
 * `noop@internal`) is kept as written. The TLS option `default` is not namespaced (it is shared),
 * nor is the TLS store `default`; certificates are concatenated over providers.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { DYNAMIC_CODES } from '../config/dynamic/codes.js';
import { internList, qualifyRef, qualifyTlsOptionsRef, setOwn } from '../config/dynamic/schema/fields.js';
import type {
  DynamicConfig,
  HttpConfig,
  MiddlewareConfig,
  ObjectOrigin,
  RouterConfig,
  ServersTransportConfig,
  ServiceConfig,
  TlsConfig,
  TlsOptionsConfig,
  TlsStoreConfig,
} from '../config/dynamic/types.js';
import type { ProviderMessage } from './provider.js';
import { EntriesMap } from '../collections/entries-map.js';

export interface QualifiedState {
  readonly provider: string;
  readonly http: HttpConfig;
  /** Names qualified except `default`; undefined when the provider has no tls section. */
  readonly tls: TlsConfig | undefined;
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
}

/** The message's objects, references, origins and diagnostics, all qualified with its provider. */
export function qualifyMessage(message: ProviderMessage): QualifiedState {
  const p = message.provider;
  const { http } = message.config;
  const origins = new QualifiedOrigins(message.origins, p);
  const diagnostics = message.diagnostics.map((d) => (d.object === undefined || isDefaultTlsObject(d.object, d.path) ? d : { ...d, object: qualifyRef(d.object, p) }));
  return {
    provider: p,
    tls: message.config.tls === undefined ? undefined : qualifyTls(message.config.tls, p),
    http: {
      routers: mapValues(http.routers, p, (r) => qualifyRouter(r, p)),
      services: mapValues(http.services, p, (s) => qualifyService(s, p)),
      middlewares: mapValues(http.middlewares, p, (m): MiddlewareConfig => m),
      serversTransports: mapValues(http.serversTransports, p, (t): ServersTransportConfig => t),
    },
    origins,
    diagnostics,
  };
}

/**
 * `http.routers.api` -> `http.routers.api@file` (the name is everything after the collection);
 * `tls.options.x` -> `tls.options.x@file` but `tls.options.default` stays; `tls.certificates[0]`
 * -> `tls.certificates[0]@file` (certificates of several providers are one list).
 */
export function qualifyOriginKey(key: string, provider: string): string {
  return takesSuffix(key) ? `${key}@${provider}` : key;
}

/** Whether qualifyOriginKey adds `@provider` to `key` (else it leaves the key as it is). */
function takesSuffix(key: string): boolean {
  for (const prefix of NAMED_KEY_PREFIXES) {
    if (!key.startsWith(prefix)) continue;
    if (key.indexOf('@', prefix.length) !== -1) return false;
    return !(prefix.startsWith('tls.') && key.length === prefix.length + DEFAULT_TLS_NAME.length && key.endsWith(DEFAULT_TLS_NAME));
  }
  return key.startsWith('tls.certificates[');
}

/** Origin keys whose rest is an object name (qualified by qualifyOriginKey). */
const NAMED_KEY_PREFIXES: readonly string[] = ['http.routers.', 'http.services.', 'http.middlewares.', 'http.serversTransports.', 'tls.options.', 'tls.stores.'];

/**
 * A provider's origins under qualified keys: the provider's own map, looked up through the
 * qualification, not copied. A copy of 200,000 entries with a new key string each was about 2 MB
 * per 10,000 routers, and was made again whenever an edit moved lines.
 *
 * Two of the provider's keys can qualify to one (`http.routers.a` and a name written `a@file`);
 * then, and only then, the copy is made once (on first use), so that the later one wins as in a
 * Map built in the provider's order.
 */
export class QualifiedOrigins extends EntriesMap<string, ObjectOrigin> {
  readonly #source: ReadonlyMap<string, ObjectOrigin>;
  readonly #suffix: string;
  /** The copy, when two keys meet; null once known that none do. */
  #merged: Map<string, ObjectOrigin> | null | undefined;

  constructor(source: ReadonlyMap<string, ObjectOrigin>, provider: string) {
    super();
    this.#source = source;
    this.#suffix = `@${provider}`;
    Object.freeze(this);
  }

  #collisions(): Map<string, ObjectOrigin> | null {
    if (this.#merged !== undefined) return this.#merged;
    let meet = false;
    for (const key of this.#source.keys()) {
      // Only a key that stays as it is and ends with the suffix can meet another.
      if (!key.endsWith(this.#suffix) || takesSuffix(key)) continue;
      const base = key.slice(0, key.length - this.#suffix.length);
      if (takesSuffix(base) && this.#source.has(base)) {
        meet = true;
        break;
      }
    }
    if (!meet) return (this.#merged = null);
    const merged = new Map<string, ObjectOrigin>();
    for (const [key, origin] of this.#source) merged.set(takesSuffix(key) ? key + this.#suffix : key, origin);
    return (this.#merged = merged);
  }

  get(key: string): ObjectOrigin | undefined {
    // The provider's keys that qualify to `key`: the key without the suffix, and the key as it is
    // (a name written with `@`). At most one of them is in a map without collisions.
    const base = key.endsWith(this.#suffix) ? key.slice(0, key.length - this.#suffix.length) : undefined;
    const asBase = base !== undefined && takesSuffix(base) && this.#source.has(base);
    const asIs = !takesSuffix(key) && this.#source.has(key);
    if (asBase && asIs) return this.#collisions()?.get(key);
    return asBase ? this.#source.get(base) : asIs ? this.#source.get(key) : undefined;
  }

  has(key: string): boolean {
    const base = key.endsWith(this.#suffix) ? key.slice(0, key.length - this.#suffix.length) : undefined;
    return (base !== undefined && takesSuffix(base) && this.#source.has(base)) || (!takesSuffix(key) && this.#source.has(key));
  }

  get size(): number {
    return this.#collisions()?.size ?? this.#source.size;
  }

  /**
   * The changes from `before` to this map, qualified (for a worker's delta), or undefined when the
   * two are not views of one provider's maps without collisions. Compares the providers' own maps:
   * a lookup through the view costs a few string operations per key, 8x a Map's.
   */
  changesFrom(before: ReadonlyMap<string, ObjectOrigin>): { set: [string, ObjectOrigin][]; removed: string[] } | undefined {
    if (!(before instanceof QualifiedOrigins) || before.#suffix !== this.#suffix || before.#collisions() !== null || this.#collisions() !== null) return undefined;
    const set: [string, ObjectOrigin][] = [];
    const removed: string[] = [];
    const was = before.#source;
    for (const [key, o] of this.#source) {
      const q = takesSuffix(key) ? key + this.#suffix : key;
      // Not under the same key before: perhaps under the other key that qualifies to the same.
      const w = was.get(key) ?? before.get(q);
      if (w === undefined || w.source !== o.source || w.line !== o.line) set.push([q, o]);
    }
    for (const key of was.keys()) {
      if (this.#source.has(key)) continue;
      const q = takesSuffix(key) ? key + this.#suffix : key;
      if (!this.has(q)) removed.push(q);
    }
    return { set, removed };
  }

  *entries(): MapIterator<[string, ObjectOrigin]> {
    const merged = this.#collisions();
    if (merged !== null) {
      yield* merged.entries();
      return;
    }
    for (const [key, origin] of this.#source) yield [takesSuffix(key) ? key + this.#suffix : key, origin];
  }
}

/** The name of the TLS options and store that are shared by every provider (never qualified). */
const DEFAULT_TLS_NAME = 'default';

export function isDefaultTlsObject(object: string, path: string | undefined): boolean {
  return object === DEFAULT_TLS_NAME && path !== undefined && (path.startsWith('tls.options.default') || path.startsWith('tls.stores.default'));
}

const qualifiedTls = new Map<string, WeakMap<TlsConfig, TlsConfig>>();

/** A provider's tls section with option and store names qualified (once per frozen section). */
export function qualifyTls(tls: TlsConfig, provider: string): TlsConfig {
  let memo = qualifiedTls.get(provider);
  if (memo === undefined) qualifiedTls.set(provider, (memo = new WeakMap()));
  const known = memo.get(tls);
  if (known !== undefined) return known;
  const names = <T>(record: Readonly<Record<string, T>>): Record<string, T> => {
    const out: Record<string, T> = {};
    for (const name of Object.keys(record)) setOwn(out, name === DEFAULT_TLS_NAME ? name : qualifyRef(name, provider), record[name] as T);
    return out;
  };
  const q: TlsConfig = { certificates: tls.certificates, options: names(tls.options), stores: names(tls.stores) };
  if (Object.isFrozen(tls)) memo.set(tls, q);
  return q;
}

/**
 * Qualified versions of objects, per provider: an unchanged (same, frozen) object is qualified
 * once, and keeps one identity across reloads for the stages after this one.
 */
const qualified = new Map<string, WeakMap<object, unknown>>();

function mapValues<T extends object>(objects: Readonly<Record<string, T>>, provider: string, fn: (value: T) => T): Record<string, T> {
  let memo = qualified.get(provider);
  if (memo === undefined) {
    memo = new WeakMap();
    qualified.set(provider, memo);
  }
  const out: Record<string, T> = {};
  for (const name of Object.keys(objects)) {
    const value = objects[name] as T;
    let q = memo.get(value) as T | undefined;
    if (q === undefined) {
      q = fn(value);
      if (Object.isFrozen(value)) memo.set(value, q);
    }
    setOwn(out, qualifyRef(name, provider), q);
  }
  return out;
}

export function qualifyRouter(r: RouterConfig, p: string): RouterConfig {
  // Written qualified already (the file provider validates with its name): the object itself.
  if (isQualified(r, p)) return r;
  let tls = r.tls;
  if (tls?.options !== undefined && tls.options !== DEFAULT_TLS_NAME) tls = { ...tls, options: qualifyTlsOptionsRef(tls.options, p) };
  // Written out rather than spread (a spread object keeps its fields out of line, 40 more bytes
  // per router); lists without a name to qualify are shared, the others interned.
  return {
    rule: r.rule,
    entryPoints: r.entryPoints,
    middlewares: r.middlewares.length === 0 || r.middlewares.every((m) => m.includes('@')) ? r.middlewares : internList(r.middlewares.map((m) => qualifyRef(m, p))),
    service: qualifyRef(r.service, p),
    priority: r.priority,
    tls,
  };
}

/** Whether qualifying `r`'s references in provider `p` changes none of them (qualifyRef returns the same string then). */
function isQualified(r: RouterConfig, p: string): boolean {
  const options = r.tls?.options;
  return qualifyRef(r.service, p) === r.service && r.middlewares.every((m) => qualifyRef(m, p) === m) && (options === undefined || qualifyTlsOptionsRef(options, p) === options);
}

export function qualifyService(s: ServiceConfig, p: string): ServiceConfig {
  switch (s.kind) {
    case 'weighted': {
      const w = s.weighted;
      return { kind: 'weighted', weighted: { ...w, services: w.services.map((ref) => ({ ...ref, name: qualifyRef(ref.name, p) })) } };
    }
    case 'mirroring': {
      const m = s.mirroring;
      const mirrors = m.mirrors.map((ref) => ({ ...ref, name: qualifyRef(ref.name, p) }));
      return { kind: 'mirroring', mirroring: { ...m, service: qualifyRef(m.service, p), mirrors } };
    }
    case 'failover': {
      const f = s.failover;
      return { kind: 'failover', failover: { ...f, service: qualifyRef(f.service, p), fallback: qualifyRef(f.fallback, p) } };
    }
    case 'loadBalancer':
      break;
  }
  const lb = s.loadBalancer;
  if (lb.serversTransport === undefined) return s;
  return { kind: 'loadBalancer', loadBalancer: { ...lb, serversTransport: qualifyRef(lb.serversTransport, p) } };
}

/** Merges qualified states (already disjoint by provider suffix) in the given order. */
export function mergeStates(states: readonly QualifiedState[]): {
  config: DynamicConfig;
  origins: ReadonlyMap<string, ObjectOrigin>;
  diagnostics: readonly Diagnostic[];
} {
  const only = states.length === 1 ? states[0] : undefined;
  // One provider (the usual case): its state is the merged one, shared rather than copied.
  if (only !== undefined) return { config: only.tls === undefined ? { http: only.http } : { http: only.http, tls: only.tls }, origins: only.origins, diagnostics: only.diagnostics };
  const http: {
    routers: Record<string, RouterConfig>;
    services: Record<string, ServiceConfig>;
    middlewares: Record<string, MiddlewareConfig>;
    serversTransports: Record<string, ServersTransportConfig>;
  } = { routers: {}, services: {}, middlewares: {}, serversTransports: {} };
  const origins = new Map<string, ObjectOrigin>();
  const diagnostics: Diagnostic[] = [];
  for (const s of states) {
    for (const [k, v] of Object.entries(s.http.routers)) setOwn(http.routers, k, v);
    for (const [k, v] of Object.entries(s.http.services)) setOwn(http.services, k, v);
    for (const [k, v] of Object.entries(s.http.middlewares)) setOwn(http.middlewares, k, v);
    for (const [k, v] of Object.entries(s.http.serversTransports)) setOwn(http.serversTransports, k, v);
    for (const [k, v] of s.origins) origins.set(k, v);
    diagnostics.push(...s.diagnostics);
  }
  const tls = mergeTls(states, origins, diagnostics);
  return { config: tls === undefined ? { http } : { http, tls }, origins, diagnostics };
}

/**
 * The tls sections of several providers (names already disjoint, except `default`): certificates
 * concatenated in provider order. `default` options or store defined by more than one provider is
 * an error and neither applies (as Traefik: routers using the `default` options then fail, and
 * the runtime must not fall back to built-in defaults for them).
 */
export function mergeTls(states: readonly QualifiedState[], origins: ReadonlyMap<string, ObjectOrigin>, diagnostics: Diagnostic[]): TlsConfig | undefined {
  const withTls = states.filter((s) => s.tls !== undefined);
  if (withTls.length === 0) return undefined;
  const certificates: TlsConfig['certificates'][number][] = [];
  const options: Record<string, TlsOptionsConfig> = {};
  const stores: Record<string, TlsStoreConfig> = {};
  const defaults = { options: [] as QualifiedState[], stores: [] as QualifiedState[] };
  for (const s of withTls) {
    const tls = s.tls as TlsConfig;
    certificates.push(...tls.certificates);
    for (const [k, v] of Object.entries(tls.options)) {
      if (k === DEFAULT_TLS_NAME) defaults.options.push(s);
      setOwn(options, k, v);
    }
    for (const [k, v] of Object.entries(tls.stores)) {
      if (k === DEFAULT_TLS_NAME) defaults.stores.push(s);
      setOwn(stores, k, v);
    }
  }
  for (const [key, list, record, what] of [
    ['options', defaults.options, options, 'tls.options'],
    ['stores', defaults.stores, stores, 'tls.stores'],
  ] as const) {
    if (list.length < 2) continue;
    delete (record as Record<string, unknown>)[DEFAULT_TLS_NAME];
    const origin = origins.get(`tls.${key}.${DEFAULT_TLS_NAME}`);
    const providers = list.map((s) => s.provider);
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
      code: DYNAMIC_CODES.DUPLICATE_NAME,
      severity: 'error',
      message: `${what} "default" is defined by several providers (${providers.join(', ')}); none of them applies (as in Traefik)`,
      source: origin?.source ?? '',
      path: `tls.${key}.${DEFAULT_TLS_NAME}`,
      object: DEFAULT_TLS_NAME,
    };
    if (origin?.line !== undefined) d.line = origin.line;
    diagnostics.push(d);
  }
  return { certificates, options, stores };
}

