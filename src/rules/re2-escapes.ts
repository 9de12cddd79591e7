/**
 * RE2 escapes and bracket classes, parsed into JS (`u` flag) syntax. Pure functions over the
 * pattern: each returns what it read and where it stopped, or throws Re2Error.
 */
import {
  MAX_CP,
  PERL_CLASSES,
  POSIX_CLASSES,
  type Ranges,
  classBody,
  complementRanges,
  foldRanges,
  normalizeRanges,
} from './re2-classes.js';
import { hexValue } from './utf8.js';

export class Re2Error extends Error {
  constructor(
    /** Offset in the regexp (not the rule) where the problem starts. */
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'Re2Error';
  }
}

export interface Parsed<T> {
  readonly value: T;
  /** Offset just after what was read. */
  readonly end: number;
}

const SIMPLE: ReadonlyMap<string, number> = new Map([
  ['a', 7],
  ['f', 12],
  ['t', 9],
  ['n', 10],
  ['r', 13],
  ['v', 11],
]);

/** A single-character escape at `at` (octal, hex, control, punctuation) -> its code point. */
export function parseCharEscape(p: string, at: number): Parsed<number> {
  const e = p[at + 1];
  if (e === undefined) throw new Re2Error(at, 'trailing backslash at end of expression');
  const c = e.charCodeAt(0);
  const next = p.charCodeAt(at + 2);
  if (c >= 0x31 && c <= 0x37 && !(next >= 0x30 && next <= 0x37)) {
    throw new Re2Error(at, `back-references are not supported by RE2: \\${e}`);
  }
  if (c >= 0x30 && c <= 0x37) {
    // Octal: up to three digits.
    let v = c - 0x30;
    let pos = at + 2;
    for (let k = 0; k < 2; k++) {
      const d = p.charCodeAt(pos);
      if (!(d >= 0x30 && d <= 0x37)) break;
      v = v * 8 + (d - 0x30);
      pos++;
    }
    return { value: v, end: pos };
  }
  if (e === 'x') {
    if (p[at + 2] === '{') {
      const close = p.indexOf('}', at + 3);
      const digits = close < 0 ? '' : p.slice(at + 3, close);
      const v = /^[0-9A-Fa-f]{1,8}$/.test(digits) ? parseInt(digits, 16) : -1;
      if (v < 0 || v > MAX_CP) throw new Re2Error(at, 'invalid escape sequence: \\x{...}');
      return { value: v, end: close + 1 };
    }
    const h1 = hexValue(p.charCodeAt(at + 2));
    const h2 = hexValue(p.charCodeAt(at + 3));
    if (h1 < 0 || h2 < 0) throw new Re2Error(at, 'invalid escape sequence: \\x needs two hex digits');
    return { value: h1 * 16 + h2, end: at + 4 };
  }
  const simple = SIMPLE.get(e);
  if (simple !== undefined) return { value: simple, end: at + 2 };
  // Any ASCII punctuation can be escaped to stand for itself.
  if (c < 0x80 && !/[0-9A-Za-z]/.test(e)) return { value: c, end: at + 2 };
  throw new Re2Error(at, `invalid escape sequence: \\${String.fromCodePoint(p.codePointAt(at + 1) ?? c)}`);
}

/**
 * A class escape at `at` (`\d \D \s \S \w \W \pX \p{Name} \PX \P{^Name}`) as a JS class body, or
 * null when the escape is not a class. `foldLocally`: the escape sits in a case-insensitive part
 * the JS `i` flag does not cover.
 */
export function parseClassEscape(p: string, at: number, foldLocally: boolean): Parsed<string> | null {
  const e = p[at + 1];
  if (e === undefined) return null;
  if (e === 'd' || e === 's' || e === 'w' || e === 'D' || e === 'S' || e === 'W') {
    const perl = PERL_CLASSES.get(e.toLowerCase()) ?? [];
    const r = e === e.toLowerCase() ? perl : complementRanges(perl);
    return { value: classBody(foldLocally ? foldRanges(r) : r), end: at + 2 };
  }
  if (e !== 'p' && e !== 'P') return null;
  let name: string;
  let end: number;
  if (p[at + 2] === '{') {
    const close = p.indexOf('}', at + 3);
    if (close < 0) throw new Re2Error(at, 'invalid character class range: missing }');
    name = p.slice(at + 3, close);
    end = close + 1;
  } else {
    name = p[at + 2] ?? '';
    end = at + 3;
  }
  let negate = e === 'P';
  if (name.startsWith('^')) {
    negate = !negate;
    name = name.slice(1);
  }
  if (!/^[A-Za-z_]+$/.test(name)) throw new Re2Error(at, `invalid character class range: \\${e}{${name}}`);
  if (foldLocally) {
    throw new Re2Error(at, `\\${e}{${name}} inside a case-insensitive part of the pattern is not supported; put (?i) at the start`);
  }
  // General categories (L, Lu, ...) are JS property values as is; other names are scripts.
  const prop = name === 'Any' ? 'Any' : name.length <= 2 ? name : `Script=${name}`;
  if (!knownProperty(prop)) throw new Re2Error(at, `invalid character class range: \\${e}{${name}}`);
  return { value: `\\${negate ? 'P' : 'p'}{${prop}}`, end };
}

/** Unicode properties V8 knows (only those: the names come from configuration). */
const knownProperties = new Set<string>(['Any']);

/**
 * Whether V8 knows the Unicode property `prop`, asked once per name. The translation must refuse
 * everything V8 would: rule matchers make their regexp on first use (LazyRegExp), long after the
 * configuration was checked.
 */
function knownProperty(prop: string): boolean {
  if (knownProperties.has(prop)) return true;
  try {
    new RegExp(`\\p{${prop}}`, 'u');
  } catch {
    return false;
  }
  knownProperties.add(prop);
  return true;
}

/** One character inside a class: a literal or a single-character escape. */
function classChar(p: string, at: number): Parsed<number> {
  if (at >= p.length) throw new Re2Error(at, 'missing closing ]');
  if (p[at] === '\\') return parseCharEscape(p, at);
  const cp = p.codePointAt(at) ?? 0;
  return { value: cp, end: at + (cp > 0xffff ? 2 : 1) };
}

/** A bracket class starting at the `[` at `start`, as a complete JS class `[...]`. */
export function parseBracketClass(p: string, start: number, foldLocally: boolean): Parsed<string> {
  let pos = start + 1;
  let negate = false;
  if (p[pos] === '^') {
    negate = true;
    pos++;
  }
  const ranges: Ranges = [];
  let extra = '';
  // RE2: a `]` right after `[` or `[^` is a literal.
  let first = true;
  for (;;) {
    if (pos >= p.length) throw new Re2Error(start, 'missing closing ]');
    const c = p[pos];
    if (c === ']' && !first) break;
    first = false;
    if (c === '[' && p[pos + 1] === ':') {
      const close = p.indexOf(':]', pos + 2);
      if (close >= 0) {
        let name = p.slice(pos + 2, close);
        const neg = name.startsWith('^');
        if (neg) name = name.slice(1);
        const r = POSIX_CLASSES.get(name);
        if (r === undefined) throw new Re2Error(pos, `invalid character class range: ${p.slice(pos, close + 2)}`);
        ranges.push(...(neg ? complementRanges(r) : r));
        pos = close + 2;
        continue;
      }
    }
    if (c === '\\') {
      const e = p[pos + 1];
      if (e === 'd' || e === 'D' || e === 's' || e === 'S' || e === 'w' || e === 'W') {
        const perl = PERL_CLASSES.get(e.toLowerCase()) ?? [];
        ranges.push(...(e === e.toLowerCase() ? perl : complementRanges(perl)));
        pos += 2;
        continue;
      }
      const cls = parseClassEscape(p, pos, foldLocally);
      if (cls !== null) {
        extra += cls.value;
        pos = cls.end;
        continue;
      }
    }
    const rangeStart = pos;
    const lo = classChar(p, pos);
    pos = lo.end;
    let hi = lo.value;
    // `-` is a range operator unless it is last (`[a-]`).
    if (p[pos] === '-' && pos + 1 < p.length && p[pos + 1] !== ']') {
      const h = classChar(p, pos + 1);
      pos = h.end;
      hi = h.value;
      if (hi < lo.value) throw new Re2Error(rangeStart, `invalid character class range: ${p.slice(rangeStart, pos)}`);
    }
    ranges.push(lo.value, hi);
  }
  let set = normalizeRanges(ranges);
  if (foldLocally) set = foldRanges(set);
  return { value: `[${negate ? '^' : ''}${classBody(set)}${extra}]`, end: pos + 1 };
}
