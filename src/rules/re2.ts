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
import { caseVariants, classBody, escapeLiteral, normalizeRanges } from './re2-classes.js';
import { Re2Error, parseBracketClass, parseCharEscape, parseClassEscape } from './re2-escapes.js';

export { Re2Error } from './re2-escapes.js';

export interface TranslatedRegexp {
  readonly source: string;
  readonly flags: string;
  /** A literal every match forces the subject to end with (case-folded when `i` applies), or null. */
  readonly requiredSuffix: string | null;
  /**
   * Name of each capture group by number, as Go's Regexp.SubexpNames: index 0 is the whole match
   * (''), index n the n-th group's `(?P<name>...)` name or '' when unnamed. The JS source keeps
   * the groups in the same order but drops their names, so `${name}` in a replacement (Go's
   * Regexp.Expand) resolves through this list.
   */
  readonly captureNames: readonly string[];
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
/** RE2 (Go) refuses deeper nesting; it also keeps JS's regexp compiler far from its limits. */
const MAX_NESTING = 1000;

/** Thrown internally when a case-sensitive region shows up while the JS `i` flag was assumed. */
class RetryWithoutGlobalI extends Error {}
const RETRY_WITHOUT_GLOBAL_I = new RetryWithoutGlobalI('retry without the i flag');

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
  /** The JS source, in pieces: joined once at the end into one flat string (`+=` would leave a tree of cons strings, which the rule's regexp keeps until its first use). */
  private readonly out: string[] = [];
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly groups: { flags: Flags; start: number }[] = [];
  private readonly groupNames = new Set<string>();
  private readonly captureNames: string[] = [''];
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
          this.out.push('|');
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
    return { source: this.out.join(''), flags: this.globalI ? 'iu' : 'u', requiredSuffix, captureNames: this.captureNames };
  }

  // ---- emission ----------------------------------------------------------------------------

  /** Emit a repeatable item; `lit` is its code point when it is a single literal. */
  private atom(js: string, lit: number | null): void {
    this.out.push(js);
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
    this.out.push(`(?:${js})`);
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

  /** Case-insensitive here, but the JS `i` flag is off: case variants must be spelled out. */
  private foldLocally(): boolean {
    return this.flags.i && !this.globalI;
  }

  private checkCase(): void {
    if (this.globalI && !this.flags.i) throw RETRY_WITHOUT_GLOBAL_I;
  }

  private literal(cp: number): void {
    this.checkCase();
    if (this.foldLocally()) {
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
    this.out.push(op);
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
      this.captureNames.push('');
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
      // The JS group stays unnamed (JS names are stricter than RE2's); captureNames keeps the name.
      this.captureNames.push(name);
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
    if (this.groups.length >= MAX_NESTING) throw new Re2Error(start, 'expression nests too deeply');
    this.groups.push({ flags: this.flags, start });
    this.out.push(js);
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
    const e = p[start + 1] ?? '';
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
    const cls = parseClassEscape(p, start, this.foldLocally());
    if (cls !== null) {
      this.checkCase();
      this.pos = cls.end;
      this.atom(`[${cls.value}]`, null);
      return;
    }
    const ch = parseCharEscape(p, start);
    this.pos = ch.end;
    this.literal(ch.value);
  }

  /** A bracket class `[...]`. */
  private parseClass(): void {
    this.checkCase();
    const cls = parseBracketClass(this.p, this.pos, this.foldLocally());
    this.pos = cls.end;
    this.atom(cls.value, null);
  }
}
