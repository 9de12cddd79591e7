/**
 * Translate a Go RE2 regular expression into an equivalent JS RegExp (flag `u`), rejecting what RE2
 * rejects (back-references, look-around, bad repeats...). Differences handled:
 * - flags `(?i)`, `(?m)`, `(?s)`, `(?U)` anywhere, scoped `(?flags:...)` and `(?-flags)`:
 *   `m`, `s`, `U` are applied while translating (`^`/`$`/`.`/greediness); `i` becomes the JS `i`
 *   flag when it covers the whole pattern, else case variants are spelled out;
 * - `.` is "anything but \n", `\s` is [\t\n\f\r ] (JS's are wider); POSIX `[[:alpha:]]`;
 * - `\A`, `\z`, `\Q...\E`, `\x{10FFFF}`, octal `\123`, `\pL`, `\p{Greek}`, `(?P<name>...)`.
 * Also reports a literal the subject must end with (e.g. `.example.com` for
 * `^[a-z]+\.example\.com$`), which the route index uses for HostRegexp.
 */
import {
  MAX_CP,
  PERL_CLASSES,
  POSIX_CLASSES,
  type Ranges,
  caseVariants,
  classBody,
  complementRanges,
  escapeLiteral,
  foldRanges,
  normalizeRanges,
} from './re2-classes.js';
import { hexValue } from './utf8.js';

export class Re2Error extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'Re2Error';
  }
}

export interface TranslatedRegexp {
  readonly source: string;
  readonly flags: string;
  /** A literal every match forces the subject to end with (case-folded when `i` applies), or null. */
  readonly requiredSuffix: string | null;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;

/** Thrown internally when a case-sensitive region shows up while the JS `i` flag was assumed. */
const RETRY_WITHOUT_GLOBAL_I = Symbol('retry');

/** Translate `pattern`; throws Re2Error with an offset into the pattern. */
export function translateRe2(pattern: string): TranslatedRegexp {
  if (/^\(\?[msU]*i/.test(pattern)) {
    try {
      return new Translator(pattern, true).run();
    } catch (e) {
      if (e !== RETRY_WITHOUT_GLOBAL_I) throw e;
    }
  }
  return new Translator(pattern, false).run();
}

class Translator {
  private pos = 0;
  private out = '';
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly groups: { flags: Flags; start: number }[] = [];
  private readonly groupNames = new Set<string>();
  /** The previous item can take a repeat operator. */
  private canRepeat = false;
  /** The previous item is a repeat (RE2 forbids stacking them). */
  private afterRepeat = false;
  // Required-suffix tracking, at nesting depth 0 only.
  private topAlternation = false;
  private tail = '';
  private suffix: string | null = null;

  constructor(
    private readonly p: string,
    private readonly globalI: boolean,
  ) {}

  run(): TranslatedRegexp {
    const p = this.p;
    while (this.pos < p.length) {
      const start = this.pos;
      const c = p.codePointAt(start) ?? 0;
      switch (c) {
        case 0x28: // (
          this.openGroup();
          break;
        case 0x29: // )
          this.closeGroup();
          break;
        case 0x7c: // |
          this.pos++;
          this.out += '|';
          this.canRepeat = false;
          this.afterRepeat = false;
          if (this.groups.length === 0) this.topAlternation = true;
          break;
        case 0x5b: // [
          this.parseClass();
          break;
        case 0x2e: // .
          this.pos++;
          this.atom(this.flags.s ? '[\\s\\S]' : '[^\\n]', null);
          break;
        case 0x5e: // ^
          this.pos++;
          this.assertion(this.flags.m ? '(?<![^\\n])' : '^', false);
          break;
        case 0x24: // $
          this.pos++;
          this.assertion(this.flags.m ? '(?![^\\n])' : '$', !this.flags.m);
          break;
        case 0x5c: // backslash
          this.escape();
          break;
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: // ?
          this.pos++;
          this.repeat(String.fromCharCode(c), start);
          break;
        case 0x7b: // {
          if (!this.tryRepeatBraces()) {
            this.pos++;
            this.literal(c);
          }
          break;
        default:
          this.pos += c > 0xffff ? 2 : 1;
          this.literal(c);
      }
    }
    if (this.groups.length > 0) {
      throw new Re2Error(this.groups[this.groups.length - 1]?.start ?? 0, 'missing closing )');
    }
    const requiredSuffix = !this.topAlternation && this.suffix !== null && this.suffix !== '' ? this.suffix : null;
    return { source: this.out, flags: this.globalI ? 'iu' : 'u', requiredSuffix };
  }

  // ---- emission ----------------------------------------------------------------------------

  /** Emit a repeatable item; `lit` is its code point when it is a single literal. */
  private atom(js: string, lit: number | null): void {
    this.out += js;
    this.canRepeat = true;
    this.afterRepeat = false;
    if (this.groups.length === 0) {
      this.suffix = null;
      if (lit === null) this.tail = '';
      else {
        const ch = String.fromCodePoint(lit);
        this.tail += this.flags.i ? ch.toLowerCase() : ch;
      }
    }
  }

  private assertion(js: string, endOfText: boolean): void {
    this.out += `(?:${js})`;
    this.canRepeat = true;
    this.afterRepeat = false;
    if (this.groups.length === 0) {
      if (endOfText) this.suffix = this.tail;
      else {
        this.tail = '';
        this.suffix = null;
      }
    }
  }

  private checkCase(): void {
    if (this.globalI && !this.flags.i) throw RETRY_WITHOUT_GLOBAL_I;
  }

  private literal(cp: number): void {
    this.checkCase();
    if (this.flags.i && !this.globalI) {
      const variants = caseVariants(cp);
      if (variants.length > 1) {
        this.atom(`[${classBody(normalizeRanges(variants.flatMap((v) => [v, v])))}]`, cp);
        return;
      }
    }
    this.atom(escapeLiteral(cp), cp);
  }

  private repeat(op: string, start: number): void {
    if (this.p[this.pos] === '?') {
      this.pos++;
      op += '?';
    }
    if (this.afterRepeat) {
      throw new Re2Error(start, `invalid nested repetition operator: ${op}`);
    }
    if (!this.canRepeat) throw new Re2Error(start, `missing argument to repetition operator: ${op}`);
    // (?U) swaps greedy and lazy.
    if (this.flags.U) op = op.endsWith('?') && op.length > 1 ? op.slice(0, -1) : `${op}?`;
    this.out += op;
    this.canRepeat = false;
    this.afterRepeat = true;
    if (this.groups.length === 0) {
      this.tail = '';
      this.suffix = null;
    }
  }

  /** `{n}`, `{n,}`, `{n,m}`; returns false when the brace is a literal (as in RE2). */
  private tryRepeatBraces(): boolean {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.pos, this.pos + 32));
    if (m === null) return false;
    const start = this.pos;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) {
      throw new Re2Error(start, `invalid repeat count: ${m[0]}`);
    }
    this.pos += m[0].length;
    this.repeat(m[0], start);
    return true;
  }

  // ---- groups ------------------------------------------------------------------------------

  private openGroup(): void {
    const p = this.p;
    const start = this.pos;
    if (p[start + 1] !== '?') {
      this.pos++;
      this.pushGroup(start, '(');
      return;
    }
    if (p.startsWith('(?P<', start) || (p.startsWith('(?<', start) && p[start + 3] !== '=' && p[start + 3] !== '!')) {
      const nameStart = start + (p[start + 2] === 'P' ? 4 : 3);
      const end = p.indexOf('>', nameStart);
      const name = end < 0 ? '' : p.slice(nameStart, end);
      if (end < 0 || !/^[A-Za-z0-9_]+$/.test(name)) {
        throw new Re2Error(start, `invalid named capture: ${p.slice(start, end < 0 ? p.length : end + 1)}`);
      }
      if (this.groupNames.has(name)) throw new Re2Error(start, `duplicate capture group name: ${name}`);
      this.groupNames.add(name);
      this.pos = end + 1;
      // Captures are never read, so the name is dropped (JS names are stricter than RE2's).
      this.pushGroup(start, '(');
      return;
    }
    if (/^\(\?(=|!|<=|<!)/.test(p.slice(start, start + 4))) {
      throw new Re2Error(start, 'look-ahead and look-behind are not supported by RE2');
    }
    if (p.startsWith('(?P=', start) || p.startsWith('(?P>', start)) {
      throw new Re2Error(start, 'back-references are not supported by RE2');
    }
    // Flag group: (?flags) or (?flags:...)
    let pos = start + 2;
    let on = true;
    let sawFlag = false;
    let sawMinus = false;
    const f: Flags = { ...this.flags };
    for (;;) {
      const c = p[pos];
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        f[c] = on;
        sawFlag = true;
        pos++;
      } else if (c === '-' && !sawMinus) {
        sawMinus = true;
        on = false;
        sawFlag = false;
        pos++;
      } else if ((c === ')' || c === ':') && !(sawMinus && !sawFlag)) {
        this.pos = pos + 1;
        if (c === ')') {
          this.flags = f;
        } else {
          this.pushGroup(start, '(?:');
          this.flags = f;
        }
        return;
      } else {
        throw new Re2Error(start, `invalid or unsupported Perl syntax: ${p.slice(start, Math.min(p.length, pos + 1))}`);
      }
    }
  }

  private pushGroup(start: number, js: string): void {
    this.groups.push({ flags: this.flags, start });
    this.out += js;
    this.canRepeat = false;
    this.afterRepeat = false;
  }

  private closeGroup(): void {
    const g = this.groups.pop();
    if (g === undefined) throw new Re2Error(this.pos, 'unexpected )');
    this.pos++;
    this.flags = g.flags;
    this.atom(')', null);
  }

  // ---- escapes -----------------------------------------------------------------------------

  private escape(): void {
    const p = this.p;
    const start = this.pos;
    const e = p[start + 1];
    switch (e) {
      case 'A':
        this.pos += 2;
        this.assertion('^', false);
        return;
      case 'z':
        this.pos += 2;
        this.assertion('$', true);
        return;
      case 'b':
      case 'B':
        this.pos += 2;
        this.assertion(`\\${e}`, false);
        return;
      case 'Q': {
        const end = p.indexOf('\\E', start + 2);
        const lit = p.slice(start + 2, end < 0 ? p.length : end);
        this.pos = end < 0 ? p.length : end + 2;
        for (const ch of lit) this.literal(ch.codePointAt(0) ?? 0);
        return;
      }
      case 'C':
        throw new Re2Error(start, '\\C (any byte) is not supported');
      default:
        break;
    }
    const cls = this.classEscape(start);
    if (cls !== null) {
      this.checkCase();
      this.atom(`[${cls}]`, null);
      return;
    }
    this.literal(this.charEscape(start));
  }

  /**
   * A class escape (`\d \D \s \S \w \W \pX \p{Name} \PX \P{^Name}`) at `at`, as a JS class body,
   * or null when the escape is not a class. Advances past it.
   */
  private classEscape(at: number): string | null {
    const p = this.p;
    const e = p[at + 1];
    if (e === undefined) return null;
    const perl = PERL_CLASSES.get(e.toLowerCase());
    if (perl !== undefined && (e === 'd' || e === 's' || e === 'w' || e === 'D' || e === 'S' || e === 'W')) {
      this.pos = at + 2;
      const r = e === e.toLowerCase() ? perl : complementRanges(perl);
      return classBody(this.flags.i && !this.globalI ? foldRanges(r) : r);
    }
    if (e !== 'p' && e !== 'P') return null;
    let name: string;
    if (p[at + 2] === '{') {
      const end = p.indexOf('}', at + 3);
      if (end < 0) throw new Re2Error(at, 'invalid character class range: missing }');
      name = p.slice(at + 3, end);
      this.pos = end + 1;
    } else {
      name = p[at + 2] ?? '';
      this.pos = at + 3;
    }
    let negate = e === 'P';
    if (name.startsWith('^')) {
      negate = !negate;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) throw new Re2Error(at, `invalid character class range: \\${e}{${name}}`);
    if (this.flags.i && !this.globalI) {
      throw new Re2Error(at, `\\${e}{${name}} inside a case-insensitive part of the pattern is not supported; put (?i) at the start`);
    }
    const prop = name === 'Any' ? 'Any' : name.length <= 2 ? name : `Script=${name}`;
    return `\\${negate ? 'P' : 'p'}{${prop}}`;
  }

  /** A single-character escape at `at` (octal, hex, control, punctuation); advances past it. */
  private charEscape(at: number): number {
    const p = this.p;
    const e = p[at + 1];
    if (e === undefined) throw new Re2Error(at, 'trailing backslash at end of expression');
    const c = e.charCodeAt(0);
    if (c >= 0x31 && c <= 0x37 && !(p.charCodeAt(at + 2) >= 0x30 && p.charCodeAt(at + 2) <= 0x37)) {
      throw new Re2Error(at, `back-references are not supported by RE2: \\${e}`);
    }
    if (c >= 0x30 && c <= 0x37) {
      let v = c - 0x30;
      let pos = at + 2;
      for (let k = 0; k < 2; k++) {
        const d = p.charCodeAt(pos);
        if (!(d >= 0x30 && d <= 0x37)) break;
        v = v * 8 + (d - 0x30);
        pos++;
      }
      this.pos = pos;
      return v;
    }
    switch (e) {
      case 'x': {
        if (p[at + 2] === '{') {
          const end = p.indexOf('}', at + 3);
          const digits = end < 0 ? '' : p.slice(at + 3, end);
          const v = /^[0-9A-Fa-f]{1,8}$/.test(digits) ? parseInt(digits, 16) : -1;
          if (v < 0 || v > MAX_CP) throw new Re2Error(at, 'invalid escape sequence: \\x{...}');
          this.pos = end + 1;
          return v;
        }
        const h1 = hexValue(p.charCodeAt(at + 2));
        const h2 = hexValue(p.charCodeAt(at + 3));
        if (h1 < 0 || h2 < 0) throw new Re2Error(at, 'invalid escape sequence: \\x needs two hex digits');
        this.pos = at + 4;
        return h1 * 16 + h2;
      }
      case 'a':
        this.pos = at + 2;
        return 7;
      case 'f':
        this.pos = at + 2;
        return 12;
      case 't':
        this.pos = at + 2;
        return 9;
      case 'n':
        this.pos = at + 2;
        return 10;
      case 'r':
        this.pos = at + 2;
        return 13;
      case 'v':
        this.pos = at + 2;
        return 11;
      default:
        break;
    }
    // Any ASCII punctuation can be escaped to stand for itself.
    if (c < 0x80 && !/[0-9A-Za-z]/.test(e)) {
      this.pos = at + 2;
      return c;
    }
    throw new Re2Error(at, `invalid escape sequence: \\${String.fromCodePoint(p.codePointAt(at + 1) ?? c)}`);
  }

  // ---- character classes -------------------------------------------------------------------

  private parseClass(): void {
    const p = this.p;
    const start = this.pos;
    let pos = start + 1;
    let negate = false;
    if (p[pos] === '^') {
      negate = true;
      pos++;
    }
    const ranges: Ranges = [];
    let extra = '';
    let first = true;
    for (;;) {
      if (pos >= p.length) throw new Re2Error(start, 'missing closing ]');
      const c = p[pos];
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && p[pos + 1] === ':') {
        const end = p.indexOf(':]', pos + 2);
        if (end >= 0) {
          let name = p.slice(pos + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const r = POSIX_CLASSES.get(name);
          if (r === undefined) throw new Re2Error(pos, `invalid character class range: ${p.slice(pos, end + 2)}`);
          ranges.push(...(neg ? complementRanges(r) : r));
          pos = end + 2;
          continue;
        }
      }
      if (c === '\\') {
        this.pos = pos;
        const e = p[pos + 1];
        if (e === 'd' || e === 'D' || e === 's' || e === 'S' || e === 'w' || e === 'W') {
          const perl = PERL_CLASSES.get(e.toLowerCase()) ?? [];
          ranges.push(...(e === e.toLowerCase() ? perl : complementRanges(perl)));
          pos += 2;
          continue;
        }
        const cls = this.classEscape(pos);
        if (cls !== null) {
          extra += cls;
          pos = this.pos;
          continue;
        }
      }
      const rangeStart = pos;
      const lo = this.classChar(pos);
      pos = this.pos;
      let hi = lo;
      if (p[pos] === '-' && pos + 1 < p.length && p[pos + 1] !== ']') {
        hi = this.classChar(pos + 1);
        pos = this.pos;
        if (hi < lo) throw new Re2Error(rangeStart, `invalid character class range: ${p.slice(rangeStart, pos)}`);
      }
      ranges.push(lo, hi);
    }
    this.pos = pos + 1;
    this.checkCase();
    let set = normalizeRanges(ranges);
    if (this.flags.i && !this.globalI) set = foldRanges(set);
    this.atom(`[${negate ? '^' : ''}${classBody(set)}${extra}]`, null);
  }

  /** One character inside a class (literal or single-character escape); sets this.pos after it. */
  private classChar(at: number): number {
    const p = this.p;
    if (at >= p.length) throw new Re2Error(at, 'missing closing ]');
    if (p[at] === '\\') return this.charEscape(at);
    const cp = p.codePointAt(at) ?? 0;
    this.pos = at + (cp > 0xffff ? 2 : 1);
    return cp;
  }
}
