/**
 * Query parsing with the semantics of Go's url.ParseQuery (what Traefik's Query matchers read):
 * pairs split on '&'; a pair containing ';' is dropped; empty pairs are skipped; key and value are
 * percent-decoded with '+' meaning space; a pair with a bad %-escape is dropped. Keys are
 * case-sensitive. Decoded bytes are read as UTF-8 (invalid sequences become U+FFFD).
 */
import { decodeUtf8, hexValue, pushUtf8 } from './utf8.js';

export type QueryValues = ReadonlyMap<string, readonly string[]>;

export const EMPTY_QUERY: QueryValues = new Map();

/** Go's QueryUnescape; returns null on a malformed %-escape. */
export function queryUnescape(s: string): string | null {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c === 43) break;
  }
  if (i === s.length) return s;
  const bytes: number[] = [];
  for (let j = 0; j < i; j++) pushUtf8(bytes, s.charCodeAt(j));
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      const h = hexValue(s.charCodeAt(i + 1));
      const l = hexValue(s.charCodeAt(i + 2));
      if (h < 0 || l < 0) return null;
      bytes.push(h * 16 + l);
      i += 2;
    } else if (c === 43) {
      bytes.push(32);
    } else {
      const cp = s.codePointAt(i) ?? c;
      pushUtf8(bytes, cp);
      if (cp > 0xffff) i++;
    }
  }
  return decodeUtf8(bytes);
}

/** Parse a raw query (no leading '?'). */
export function parseQuery(raw: string | null): QueryValues {
  if (raw === null || raw.length === 0) return EMPTY_QUERY;
  const out = new Map<string, string[]>();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const pair = raw.slice(start, end);
      if (!pair.includes(';')) {
        const eq = pair.indexOf('=');
        const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
        const value = eq < 0 ? '' : queryUnescape(pair.slice(eq + 1));
        if (key !== null && value !== null) {
          const list = out.get(key);
          if (list === undefined) out.set(key, [value]);
          else list.push(value);
        }
      }
    }
    start = end + 1;
  }
  return out;
}
