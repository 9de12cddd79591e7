/**
 * Character-class data for the RE2 translator: Perl and POSIX classes as code-point ranges (so we
 * emit exactly RE2's sets instead of JS's wider `\s`), complements, case folding and escaping.
 */

/** Flat list of inclusive ranges: [lo0, hi0, lo1, hi1, ...]. */
export type Ranges = number[];

export const MAX_CP = 0x10ffff;

export const PERL_CLASSES: ReadonlyMap<string, Ranges> = new Map([
  ['d', [0x30, 0x39]],
  ['s', [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20]],
  ['w', [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]],
]);

export const POSIX_CLASSES: ReadonlyMap<string, Ranges> = new Map([
  ['alnum', [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a]],
  ['alpha', [0x41, 0x5a, 0x61, 0x7a]],
  ['ascii', [0x00, 0x7f]],
  ['blank', [0x09, 0x09, 0x20, 0x20]],
  ['cntrl', [0x00, 0x1f, 0x7f, 0x7f]],
  ['digit', [0x30, 0x39]],
  ['graph', [0x21, 0x7e]],
  ['lower', [0x61, 0x7a]],
  ['print', [0x20, 0x7e]],
  ['punct', [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e]],
  ['space', [0x09, 0x0d, 0x20, 0x20]],
  ['upper', [0x41, 0x5a]],
  ['word', [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]],
  ['xdigit', [0x30, 0x39, 0x41, 0x46, 0x61, 0x66]],
]);

/** Sort and merge ranges. */
export function normalizeRanges(r: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < r.length; i += 2) pairs.push([r[i] as number, r[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] as number) + 1) {
      if (hi > (out[last] as number)) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

/** Complement over [0, MAX_CP]. */
export function complementRanges(r: Ranges): Ranges {
  const n = normalizeRanges(r);
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    const lo = n[i] as number;
    if (lo > next) out.push(next, lo - 1);
    next = (n[i + 1] as number) + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

/** Characters that RE2 (like Go's unicode.SimpleFold) treats as the same letter as `cp`. */
export function caseVariants(cp: number): number[] {
  const out = [cp];
  const add = (c: number): void => {
    if (!out.includes(c)) out.push(c);
  };
  if (cp < 0x80) {
    if (cp >= 0x41 && cp <= 0x5a) add(cp + 32);
    else if (cp >= 0x61 && cp <= 0x7a) add(cp - 32);
  } else {
    const s = String.fromCodePoint(cp);
    for (const v of [s.toLowerCase(), s.toUpperCase()]) {
      const c = v.codePointAt(0);
      if (c !== undefined && v.length === String.fromCodePoint(c).length) add(c);
    }
  }
  // The two non-ASCII members of ASCII fold orbits.
  if (out.includes(0x6b)) add(0x212a); // k K KELVIN SIGN
  if (out.includes(0x212a)) {
    add(0x6b);
    add(0x4b);
  }
  if (out.includes(0x73)) add(0x17f); // s S LATIN SMALL LETTER LONG S
  if (out.includes(0x17f)) {
    add(0x73);
    add(0x53);
  }
  return out;
}

/**
 * Add case variants to a set of ranges, for a case-insensitive region that JS's `i` flag cannot
 * express. ASCII letters fold exactly; other multi-character ranges are kept as they are.
 */
export function foldRanges(r: Ranges): Ranges {
  const out: Ranges = r.slice();
  for (let i = 0; i + 1 < r.length; i += 2) {
    const lo = r[i] as number;
    const hi = r[i + 1] as number;
    if (lo === hi) {
      for (const v of caseVariants(lo)) out.push(v, v);
      continue;
    }
    for (const [a, b, delta] of [
      [0x41, 0x5a, 32],
      [0x61, 0x7a, -32],
    ] as const) {
      const l = Math.max(lo, a);
      const h = Math.min(hi, b);
      if (l <= h) out.push(l + delta, h + delta);
    }
    if (lo <= 0x6b && hi >= 0x6b) out.push(0x212a, 0x212a);
    if (lo <= 0x4b && hi >= 0x4b) out.push(0x212a, 0x212a);
    if (lo <= 0x73 && hi >= 0x73) out.push(0x17f, 0x17f);
    if (lo <= 0x53 && hi >= 0x53) out.push(0x17f, 0x17f);
  }
  return normalizeRanges(out);
}

const SYNTAX_CHARS = '^$\\.*+?()[]{}|/';
const CLASS_SYNTAX_CHARS = '\\]^-[';

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** A literal code point, escaped for a `u`-flag JS pattern (outside a class). */
export function escapeLiteral(cp: number): string {
  if (cp < 0x80) {
    const ch = String.fromCharCode(cp);
    if (SYNTAX_CHARS.includes(ch)) return `\\${ch}`;
    if (cp >= 0x20 && cp < 0x7f) return ch;
  }
  return hex(cp);
}

/** A code point inside a `u`-flag class. */
function escapeClassChar(cp: number): string {
  if (cp < 0x80) {
    const ch = String.fromCharCode(cp);
    if (CLASS_SYNTAX_CHARS.includes(ch)) return `\\${ch}`;
    if (cp >= 0x20 && cp < 0x7f) return ch;
  }
  return hex(cp);
}

/** The body of a JS class (without brackets) for the given ranges. */
export function classBody(r: Ranges): string {
  let s = '';
  for (let i = 0; i + 1 < r.length; i += 2) {
    const lo = r[i] as number;
    const hi = r[i + 1] as number;
    s += lo === hi ? escapeClassChar(lo) : `${escapeClassChar(lo)}-${escapeClassChar(hi)}`;
  }
  return s;
}
