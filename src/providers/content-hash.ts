/**
 * A content hash of plain data (objects, arrays, Maps, scalars): equal content gives an equal
 * hash whatever the key order, so "same hash" means "nothing to do" for the aggregator and the
 * runtime (instead of deep comparisons or copies).
 */
import { createHash } from 'node:crypto';
import type { DynamicConfig, ObjectOrigin } from '../config/dynamic/types.js';

/**
 * Hash of each frozen configuration object, computed once: a reload that reuses most objects
 * (unchanged routers keep their identity from validation on) hashes only the new ones.
 */
const objectHashes = new WeakMap<object, string>();

function objectHash(value: unknown): string {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return contentHash(value);
  let h = objectHashes.get(value);
  if (h === undefined) {
    h = contentHash(value);
    objectHashes.set(value, h);
  }
  return h;
}

/**
 * The content hash of a dynamic configuration (http collections and the tls section), equal for
 * equal content whatever the order of names, from the cached hash of each object (see objectHash).
 */
export function configHash(config: DynamicConfig): string {
  const hash = createHash('sha256');
  for (const collection of ['routers', 'services', 'middlewares', 'serversTransports'] as const) {
    hash.update(`${collection}=${recordHash(config.http[collection])}\n`);
  }
  // The tls section is small: one cached hash of the whole (frozen) section.
  if (config.tls !== undefined) hash.update(`tls=${objectHash(config.tls)}\n`);
  return hash.digest('hex');
}

/** Hash of each frozen collection record: a reload that edits one router re-hashes only `routers`. */
const recordHashes = new WeakMap<object, string>();

function recordHash(objects: Readonly<Record<string, unknown>>): string {
  const known = recordHashes.get(objects);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  for (const name of Object.keys(objects).sort()) hash.update(`${JSON.stringify(name)}=${objectHash(objects[name])}\n`);
  const h = hash.digest('hex');
  if (Object.isFrozen(objects)) recordHashes.set(objects, h);
  return h;
}

/**
 * A hash of origins and diagnostics, for "did anything in this message change": taken in their
 * order (a reordering only costs one more publish), without building one text of it all.
 */
export function reportHash(origins: ReadonlyMap<string, ObjectOrigin>, diagnostics: readonly unknown[]): string {
  return createHash('sha256').update(originsHash(origins)).update(stableText(diagnostics)).digest('hex');
}

const originsHashes = new WeakMap<object, string>();

/** Hash of a frozen origins map, once (a reload that moved no line passes the same map again). */
function originsHash(origins: ReadonlyMap<string, ObjectOrigin>): string {
  const known = originsHashes.get(origins);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  for (const [key, origin] of origins) hash.update(`${key}\0${origin.source}\0${origin.line ?? ''}\n`);
  const h = hash.digest('hex');
  if (Object.isFrozen(origins)) originsHashes.set(origins, h);
  return h;
}

export function contentHash(value: unknown): string {
  const hash = createHash('sha256');
  hash.update(stableText(value));
  return hash.digest('hex');
}

/** Deterministic text of plain data: object keys and Map entries sorted. */
export function stableText(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === undefined) {
    out.push('~');
  } else if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'bigint') {
    out.push(`${value}n`);
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
  } else if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v] as const);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out.push('M{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write(v, out);
    });
    out.push('}');
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write(record[k], out);
    });
    out.push('}');
  } else {
    out.push(JSON.stringify(typeof value));
  }
}
