/**
 * The `tls` sections of several files of one provider, merged: certificates concatenated (in file
 * order), options and stores by name. The same options or store name in two files is an error
 * naming both files and the object is left out (as for http objects); identical definitions are
 * only a warning and apply once. Origins of certificates are renumbered over the whole list of
 * declared entries (`tls.certificates[<i>]`), files taken in order.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES } from '../../config/dynamic/codes.js';
import { setOwn } from '../../config/dynamic/schema/fields.js';
import type { ObjectOrigin, TlsCertificatePair, TlsConfig, TlsOptionsConfig, TlsStoreConfig } from '../../config/dynamic/types.js';

export interface FileTls {
  /** The file's validated tls section, undefined when it has none. */
  readonly tls?: TlsConfig | undefined;
  /** The file's origins (all keys; only `tls.` ones are read here). */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
}

const CERTIFICATE_KEY = /^tls\.certificates\[(\d+)\]$/;

/**
 * Merges the files' tls sections into `origins` and `diagnostics`; undefined when no file has a
 * tls section (the provider's config then has none either).
 */
export function mergeFileTls(files: readonly FileTls[], origins: Map<string, ObjectOrigin>, diagnostics: Diagnostic[]): TlsConfig | undefined {
  if (files.every((f) => f.tls === undefined)) return undefined;
  const certificates: TlsCertificatePair[] = [];
  const options: Record<string, TlsOptionsConfig> = {};
  const stores: Record<string, TlsStoreConfig> = {};
  let certificateIndex = 0;
  for (const f of files) {
    if (f.tls === undefined) continue;
    certificates.push(...f.tls.certificates);
    const declared: [number, ObjectOrigin][] = [];
    for (const [key, origin] of f.origins) {
      const m = CERTIFICATE_KEY.exec(key);
      if (m !== null) declared.push([Number(m[1]), origin]);
    }
    declared.sort((a, b) => a[0] - b[0]);
    for (const [, origin] of declared) origins.set(`tls.certificates[${certificateIndex++}]`, origin);
  }
  mergeNamed(files, 'options', 'TLS option', (t) => t.options, options, origins, diagnostics);
  mergeNamed(files, 'stores', 'TLS store', (t) => t.stores, stores, origins, diagnostics);
  return { certificates, options, stores };
}

function mergeNamed<T>(
  files: readonly FileTls[],
  key: 'options' | 'stores',
  what: string,
  pick: (tls: TlsConfig) => Readonly<Record<string, T>>,
  into: Record<string, T>,
  origins: Map<string, ObjectOrigin>,
  diagnostics: Diagnostic[],
): void {
  const prefix = `tls.${key}.`;
  const defs = new Map<string, { origin: ObjectOrigin; value: T | undefined }[]>();
  for (const f of files) {
    for (const [originKey, origin] of f.origins) {
      if (!originKey.startsWith(prefix)) continue;
      const name = originKey.slice(prefix.length);
      const record = f.tls === undefined ? undefined : pick(f.tls);
      const value = record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;
      const list = defs.get(name) ?? [];
      list.push({ origin, value });
      defs.set(name, list);
    }
  }
  for (const [name, list] of defs) {
    const first = list[0];
    if (first === undefined) continue;
    origins.set(prefix + name, first.origin);
    if (list.length === 1) {
      if (first.value !== undefined) setOwn(into, name, first.value);
      continue;
    }
    const places = list.map((d) => (d.origin.line === undefined ? d.origin.source : `${d.origin.source}:${d.origin.line}`)).join(' and ');
    const identical = list.every((d) => d.value !== undefined && JSON.stringify(d.value) === JSON.stringify(first.value));
    const second = list[1]?.origin ?? first.origin;
    const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = {
      code: DYNAMIC_CODES.DUPLICATE_NAME,
      severity: identical ? 'warning' : 'error',
      message: identical
        ? `${what} "${name}" is defined identically in ${places}; it applies once`
        : `${what} "${name}" is defined in ${places}; a name must be defined once per provider, so this ${what} is left out`,
      source: second.source,
      path: prefix + name,
      object: name,
    };
    if (second.line !== undefined) d.line = second.line;
    diagnostics.push(d);
    if (identical && first.value !== undefined) setOwn(into, name, first.value);
  }
}
