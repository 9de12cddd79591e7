/**
 * Reads the whole `tls` section of one document into a TlsConfig, isolating objects as the http
 * collections do: a bad `tls.options.<name>` or `tls.stores.<name>` is left out with its errors,
 * a bad certificate entry is left out alone, everything else applies. Origins are keyed
 * `tls.options.<name>`, `tls.stores.<name>` and `tls.certificates[<i>]` (i = index in the document).
 */
import { objectOrigin } from '../origin.js';
import type { Diagnostic } from '../../diagnostics.js';
import { DYNAMIC_CODES } from '../codes.js';
import type { ObjectOrigin, TlsCertificatePair, TlsConfig, TlsOptionsConfig, TlsStoreConfig } from '../types.js';
import { type Field, type KeyPath, Scope, type ValidateContext, isPlainObject, readFields, setOwn } from './fields.js';
import { DEFAULT_TLS_STORE, readTlsCertificate, readTlsOptions, readTlsStore } from './tls.js';

export interface TlsSectionOutcome {
  readonly tls: TlsConfig;
  /** Declared tls objects (also those left out), keyed as above. */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  /** The tls objects left out, each with its error diagnostics. */
  readonly rejected: ReadonlyMap<string, readonly Diagnostic[]>;
}

export function readTlsSection(ctx: ValidateContext, field: Field, diagnostics: Diagnostic[]): TlsSectionOutcome {
  const origins = new Map<string, ObjectOrigin>();
  const rejected = new Map<string, Diagnostic[]>();
  const certificates: TlsCertificatePair[] = [];
  const options: Record<string, TlsOptionsConfig> = {};
  const stores: Record<string, TlsStoreConfig> = {};
  const section = new Scope(ctx, undefined, 'configuration', diagnostics);
  const out = (): TlsSectionOutcome => ({ tls: { certificates, options, stores }, origins, rejected });
  const fields = readFields(section, field.value, field.path, { supported: ['certificates', 'options', 'stores'] });
  if (fields === undefined) return out();

  const originOf = (key: string, path: KeyPath, value: unknown): void => {
    const line = ctx.locateLine?.(path, value) ?? ctx.locate?.(path)?.line;
    origins.set(key, objectOrigin(ctx.source, line));
  };

  const certs = fields.get('certificates');
  if (certs !== undefined && certs.value !== null && certs.value !== undefined) {
    const list = certs.value;
    if (isPlainObject(list) && Object.keys(list).length === 0) {
      // `certificates: {}` reads as an empty list, as elsewhere.
    } else if (!Array.isArray(list)) {
      section.error(DYNAMIC_CODES.INVALID_VALUE, certs.path, 'expected a list of certificates ({certFile, keyFile})');
    } else {
      list.forEach((raw: unknown, i) => {
        const path = [...certs.path, i];
        const key = `tls.certificates[${i}]`;
        originOf(key, path, raw);
        const first = diagnostics.length;
        const pair = readTlsCertificate(ctx, diagnostics, raw, path);
        if (pair !== undefined) certificates.push(pair);
        else rejected.set(key, diagnostics.slice(first).filter((d) => d.severity === 'error'));
      });
    }
  }

  const named = <T>(key: 'options' | 'stores', what: string, read: (scope: Scope, raw: unknown, path: KeyPath) => T | undefined, into: Record<string, T>): void => {
    const f = fields.get(key);
    if (f === undefined || f.value === null || f.value === undefined) return;
    if (!isPlainObject(f.value)) {
      section.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a mapping of ${what} names to ${what}s`);
      return;
    }
    for (const [name, raw] of Object.entries(f.value)) {
      const path = [...f.path, name];
      const objectKey = `tls.${key}.${name}`;
      originOf(objectKey, path, raw);
      const scope = new Scope(ctx, name, what, diagnostics);
      const first = diagnostics.length;
      let value: T | undefined;
      if (name === '' || name.includes('@')) {
        scope.error(DYNAMIC_CODES.INVALID_NAME, path, `${what} name "${name}" is not allowed: names must be non-empty and must not contain "@" (it separates the provider, as in name@file)${scope.leftOut}`);
      } else {
        value = read(scope, raw, path);
      }
      if (scope.ok && value !== undefined) setOwn(into, name, value);
      else rejected.set(objectKey, diagnostics.slice(first).filter((d) => d.severity === 'error'));
    }
  };
  named('options', 'TLS option', readTlsOptions, options);
  named('stores', 'TLS store', readTlsStore, stores);
  for (const name of Object.keys(stores)) {
    if (name === DEFAULT_TLS_STORE) continue;
    const scope = new Scope(ctx, name, 'TLS store', diagnostics);
    scope.warn(DYNAMIC_CODES.UNSUPPORTED, [...field.path, 'stores', name], `only the "default" TLS store is used (as in Traefik): store "${name}" is ignored`);
  }
  return out();
}
