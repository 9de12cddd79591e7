/**
 * A content hash of plain data (objects, arrays, Maps, scalars): equal content gives an equal
 * hash whatever the key order. For small values (a tls section, the list of providers' hashes);
 * configuration entries have their own (entry-hash.ts).
 */
import { createHash } from 'node:crypto';

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
