/**
 * Validation of Traefik v3 dynamic configuration (the `http`/`tcp`/`udp`/`tls` tree of a file, or
 * what any provider decoded) into the frozen DynamicConfig model.
 *
 * Isolation is per object: a router, service, middleware or serversTransport with any error is
 * left out, with coded diagnostics naming the object, the key path, the place in the source and
 * what was expected; every other object still applies. Keys match case-insensitively and scalars
 * convert as in Traefik (see schema/fields.ts). The `tls` section is read into `config.tls` (its
 * options and stores isolated the same way, see schema/tls-section.ts); the `tcp` and `udp`
 * sections are reported as unsupported for now and ignored.
 */
import { objectOrigin } from './origin.js';
import type { Diagnostic } from '../diagnostics.js';
import { DYNAMIC_CODES } from './codes.js';
import { freezeFresh } from './freeze.js';
import { type KeyPath, Scope, type ValidateContext, isPlainObject, markQualified, qualifyRef, readFields, setOwn } from './schema/fields.js';
import { readMiddleware } from './schema/middleware.js';
import { readRouter } from './schema/router.js';
import { readServersTransport } from './schema/servers-transport.js';
import { readService } from './schema/service.js';
import { readTlsSection } from './schema/tls-section.js';
import type {
  DynamicConfig,
  MiddlewareConfig,
  ObjectOrigin,
  RouterConfig,
  ServersTransportConfig,
  ServiceConfig,
  TlsConfig,
} from './types.js';

export type { KeyPath, Locate, LocateLine, PathSegment, ValidateContext } from './schema/fields.js';

export interface DynamicValidation {
  readonly config: DynamicConfig;
  /**
   * Where each declared object is, keyed `http.routers.<name>` (also `http.services.`,
   * `http.middlewares.`, `http.serversTransports.`, `tls.options.`, `tls.stores.` and
   * `tls.certificates[<i>]`). Includes objects left out with an error, so their diagnostics and
   * the API can point at them.
   */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The declared objects left out, keyed as `origins`, each with its own error diagnostics (the
   * same objects as in `diagnostics`), so a caller can keep a last valid version instead.
   */
  readonly rejected: ReadonlyMap<string, readonly Diagnostic[]>;
  /**
   * The decoded data of each object that validated with no diagnostic at all, keyed as `origins`:
   * pass it back through `reuse` to skip validating it again while it is unchanged.
   */
  readonly clean: ReadonlyMap<string, unknown>;
}

export type HttpCollection = 'routers' | 'services' | 'middlewares' | 'serversTransports';

type Reader<T> = (scope: Scope, raw: unknown, path: KeyPath) => T | undefined;

interface CollectionSpec<T> {
  readonly what: string;
  readonly read: Reader<T>;
}

const ROUTERS: CollectionSpec<RouterConfig> = { what: 'router', read: readRouter };
const SERVICES: CollectionSpec<ServiceConfig> = { what: 'service', read: readService };
const MIDDLEWARES: CollectionSpec<MiddlewareConfig> = { what: 'middleware', read: readMiddleware };
const TRANSPORTS: CollectionSpec<ServersTransportConfig> = { what: 'serversTransport', read: readServersTransport };

/** `http.<collection>.`, the start of an object's origin key. */
const OBJECT_KEY_PREFIX: { readonly [K in HttpCollection]: string } = {
  routers: 'http.routers.',
  services: 'http.services.',
  middlewares: 'http.middlewares.',
  serversTransports: 'http.serversTransports.',
};

const SPECS: { readonly [K in HttpCollection]: CollectionSpec<unknown> } = {
  routers: ROUTERS,
  services: SERVICES,
  middlewares: MIDDLEWARES,
  serversTransports: TRANSPORTS,
};

/**
 * Validates one object of a collection alone (`http.<collection>.<name>`), as validateDynamic does
 * for each: its frozen value, or undefined when it is left out, and its diagnostics.
 */
export function validateObject(collection: HttpCollection, name: string, raw: unknown, ctx: ValidateContext): { value: unknown; diagnostics: readonly Diagnostic[] } {
  const spec = SPECS[collection];
  const diagnostics: Diagnostic[] = [];
  const scope = new Scope(ctx, name, spec.what, diagnostics);
  if (name === '' || name.includes('@')) {
    scope.error(DYNAMIC_CODES.INVALID_NAME, ['http', collection, name], `${spec.what} name "${name}" is not allowed`);
    return { value: undefined, diagnostics };
  }
  const value = spec.read(scope, raw, ['http', collection, name]);
  return { value: scope.ok && value !== undefined ? freezeFresh(value) : undefined, diagnostics: freezeFresh(diagnostics) };
}

/** Validates one decoded document. The result (config, origins, diagnostics) is deeply frozen. */
export function validateDynamic(raw: unknown, ctx: ValidateContext): DynamicValidation {
  const diagnostics: Diagnostic[] = [];
  const origins = new Map<string, ObjectOrigin>();
  const rejected = new Map<string, Diagnostic[]>();
  const clean = new Map<string, unknown>();
  const http = {
    routers: {} as Record<string, RouterConfig>,
    services: {} as Record<string, ServiceConfig>,
    middlewares: {} as Record<string, MiddlewareConfig>,
    serversTransports: {} as Record<string, ServersTransportConfig>,
  };
  const section = new Scope(ctx, undefined, 'configuration', diagnostics);

  if (raw !== null && raw !== undefined && !isPlainObject(raw)) {
    section.error(DYNAMIC_CODES.INVALID_VALUE, [], 'expected a mapping with http (and tcp, udp, tls) at the top level');
    return freezeValidation({ config: { http }, origins, diagnostics, rejected, clean });
  }
  const top = readFields(section, raw, [], { supported: ['http', 'tcp', 'udp', 'tls'] }) ?? new Map<string, never>();
  for (const name of ['tcp', 'udp']) {
    const f = top.get(name);
    if (f !== undefined) {
      section.error(DYNAMIC_CODES.UNSUPPORTED, f.path, `the "${name}" section is not supported yet; it is ignored`);
    }
  }

  const httpField = top.get('http');
  if (httpField !== undefined) {
    const sections = readFields(section, httpField.value, httpField.path, {
      supported: ['routers', 'services', 'middlewares', 'serversTransports', 'models'],
    });
    const models = sections?.get('models');
    if (models !== undefined) {
      section.error(DYNAMIC_CODES.UNSUPPORTED, models.path, 'http.models is not supported yet; it is ignored');
    }
    const read = <T>(key: HttpCollection, spec: CollectionSpec<T>, into: Record<string, T>): void => {
      const f = sections?.get(key);
      if (f === undefined || f.value === null || f.value === undefined) return;
      if (!isPlainObject(f.value)) {
        section.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a mapping of ${spec.what} names to ${spec.what}s`);
        return;
      }
      const objects = f.value;
      const sectionPath = f.path;
      for (const name of Object.keys(objects)) {
        const value = objects[name];
        const path = [...sectionPath, name];
        const line = ctx.locateLine?.(path, value) ?? ctx.locate?.(path)?.line;
        // One flat prefix string shared by every key: `http.${key}.${name}` made two cons strings
        // and a copy of the prefix per object (~90 bytes; 32 this way), held by the origins map.
        const objectKey = OBJECT_KEY_PREFIX[key] + name;
        origins.set(objectKey, objectOrigin(ctx.source, line));
        const reused = name === '' || name.includes('@') ? undefined : (ctx.reuse?.(objectKey, value) as T | undefined);
        // Keyed as the provider state would key it (ValidateContext.provider).
        const recordKey = qualifyRef(name, ctx.provider);
        if (reused !== undefined) {
          setOwn(into, recordKey, reused);
          clean.set(objectKey, value);
          continue;
        }
        const scope = new Scope(ctx, name, spec.what, diagnostics);
        const first = diagnostics.length;
        const leftOut = (): void => {
          rejected.set(objectKey, diagnostics.slice(first).filter((d) => d.severity === 'error'));
        };
        if (name === '' || name.includes('@')) {
          scope.error(DYNAMIC_CODES.INVALID_NAME, path, `${spec.what} name "${name}" is not allowed: names must be non-empty and must not contain "@" (it separates the provider, as in name@file)${scope.leftOut}`);
          leftOut();
          continue;
        }
        const value2 = spec.read(scope, value, path);
        if (scope.ok && value2 !== undefined) {
          setOwn(into, recordKey, value2);
          if (diagnostics.length === first) clean.set(objectKey, value);
        } else leftOut();
      }
    };
    read('routers', ROUTERS, http.routers);
    read('services', SERVICES, http.services);
    read('middlewares', MIDDLEWARES, http.middlewares);
    read('serversTransports', TRANSPORTS, http.serversTransports);
    shareServiceNames(http.routers, http.services);
  }
  if (ctx.provider !== undefined) for (const record of Object.values(http)) markQualified(record, ctx.provider);

  // The tls section is small: read whole every time (no reuse), and only present in the config
  // when the document has one, so a configuration without it is exactly as before.
  let tls: TlsConfig | undefined;
  const tlsField = top.get('tls');
  if (tlsField !== undefined) {
    const t = readTlsSection(ctx, tlsField, diagnostics);
    tls = t.tls;
    for (const [k, o] of t.origins) origins.set(k, o);
    for (const [k, d] of t.rejected) rejected.set(k, [...d]);
  }

  return freezeValidation({ config: tls === undefined ? { http } : { http, tls }, origins, diagnostics, rejected, clean });
}

/**
 * Each new router's service, when it names one of `services`, becomes the record's own key string
 * (a property name, kept anyway) instead of a second copy of the name: 32 bytes per router with
 * 100,000. Routers reused from an earlier validation are frozen, and left as they are.
 */
function shareServiceNames(routers: Record<string, RouterConfig>, services: Record<string, ServiceConfig>): void {
  const names = Object.keys(services);
  if (names.length === 0) return;
  const keys = new Map<string, string>();
  for (const name of names) keys.set(name, name);
  for (const name in routers) {
    const r = routers[name] as { service: string };
    const key = keys.get(r.service);
    if (key !== undefined && !Object.isFrozen(r)) r.service = key;
  }
}

/**
 * Freezes the outcome (reused objects are frozen already and are not walked again). The decoded
 * data in `clean` belongs to the caller and is left as it is.
 */
function freezeValidation(v: DynamicValidation): DynamicValidation {
  freezeFresh(v.config);
  freezeFresh(v.origins);
  freezeFresh(v.diagnostics);
  freezeFresh(v.rejected);
  return Object.freeze(v);
}
