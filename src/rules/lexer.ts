/**
 * Lexer for the rule language. Traefik parses rules as Go expressions, so the tokens are Go's:
 * identifiers, string literals (raw in backticks, interpreted in double quotes with Go escapes),
 * `(`, `)`, `,`, `&&`, `||`, `!`. Single quotes are Go rune literals and are rejected.
 * Tokens are produced on demand so that errors are reported left to right. The lexer is a cursor:
 * `next()` moves it to the next token and `kind`, `start` and `value` describe that token, so
 * lexing allocates nothing but the values (a first load of 100,000 rules made ~40 MB of token
 * objects, all garbage at once).
 */
import { RuleError } from './rule-error.js';
import { decodeUtf8, hexValue, pushUtf8 } from './utf8.js';

export type TokenKind = 'ident' | 'string' | '(' | ')' | ',' | '&&' | '||' | '!' | 'eof';


const SIMPLE_ESCAPES: ReadonlyMap<string, number> = new Map([
  ['a', 7], ['b', 8], ['f', 12], ['n', 10], ['r', 13], ['t', 9], ['v', 11], ['\\', 92], ['"', 34],
]);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

export class Lexer {
  private pos = 0;
  /** The current token's kind ('eof' before the first next()). */
  kind: TokenKind = 'eof';
  /** Offset of the current token's first character. */
  start = 0;
  /** The current identifier's name or string literal's value (unquoted); '' otherwise. */
  value = '';

  constructor(private readonly src: string) {}

  /** Moves to the next token. Throws RuleError for a malformed one. */
  next(): void {
    const src = this.src;
    let pos = this.pos;
    while (pos < src.length) {
      const c = src.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else break;
    }
    const start = pos;
    if (pos >= src.length) {
      this.pos = pos;
      return this.set('eof', start, '');
    }
    const c = src.charCodeAt(pos);
    if (isIdentStart(c)) {
      pos++;
      while (pos < src.length && isIdentPart(src.charCodeAt(pos))) pos++;
      this.pos = pos;
      return this.set('ident', start, src.slice(start, pos));
    }
    switch (c) {
      case 40: // (
        this.pos = pos + 1;
        return this.set('(', start, '');
      case 41: // )
        this.pos = pos + 1;
        return this.set(')', start, '');
      case 44: // ,
        this.pos = pos + 1;
        return this.set(',', start, '');
      case 33: // !
        this.pos = pos + 1;
        return this.set('!', start, '');
      case 38: // &
        if (src.charCodeAt(pos + 1) === 38) {
          this.pos = pos + 2;
          return this.set('&&', start, '');
        }
        throw this.error(start, "unexpected '&' (the AND operator is '&&')");
      case 124: // |
        if (src.charCodeAt(pos + 1) === 124) {
          this.pos = pos + 2;
          return this.set('||', start, '');
        }
        throw this.error(start, "unexpected '|' (the OR operator is '||')");
      case 96: // `
        return this.rawString(start);
      case 34: // "
        return this.quotedString(start);
      case 39: // '
        throw this.error(start, 'single quotes are not allowed; quote values with backticks or double quotes');
      default: {
        const ch = String.fromCodePoint(src.codePointAt(pos) ?? c);
        throw this.error(start, `unexpected character ${JSON.stringify(ch)}`);
      }
    }
  }

  private set(kind: TokenKind, start: number, value: string): void {
    this.kind = kind;
    this.start = start;
    this.value = value;
  }

  private error(position: number, detail: string): RuleError {
    return new RuleError('TPK_RULE_SYNTAX', this.src, position, detail);
  }

  /** Go raw string: everything up to the next backtick; carriage returns are dropped. */
  private rawString(start: number): void {
    const end = this.src.indexOf('`', start + 1);
    if (end < 0) throw this.error(start, 'value in backticks is not terminated');
    this.pos = end + 1;
    let value = this.src.slice(start + 1, end);
    if (value.includes('\r')) value = value.replaceAll('\r', '');
    return this.set('string', start, value);
  }

  /** Go interpreted string literal, with Go's escapes. */
  private quotedString(start: number): void {
    const src = this.src;
    let pos = start + 1;
    // Fast path: no escapes.
    while (pos < src.length) {
      const c = src.charCodeAt(pos);
      if (c === 34) {
        this.pos = pos + 1;
        return this.set('string', start, src.slice(start + 1, pos));
      }
      if (c === 92 || c === 10) break;
      pos++;
    }
    const bytes: number[] = [];
    pos = start + 1;
    while (true) {
      if (pos >= src.length) throw this.error(start, 'value in double quotes is not terminated');
      const cp = src.codePointAt(pos) ?? 0;
      if (cp === 34) break;
      if (cp === 10) throw this.error(pos, 'newline in a double-quoted value');
      if (cp !== 92) {
        pushUtf8(bytes, cp);
        pos += cp > 0xffff ? 2 : 1;
        continue;
      }
      pos = this.escape(pos, bytes);
    }
    this.pos = pos + 1;
    return this.set('string', start, decodeUtf8(bytes));
  }

  /** Decode the escape starting at the backslash at `at`; returns the offset after it. */
  private escape(at: number, bytes: number[]): number {
    const src = this.src;
    const e = src[at + 1];
    const simple = e === undefined ? undefined : SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) {
      bytes.push(simple);
      return at + 2;
    }
    const digits = (n: number, base: 8 | 16): number => {
      let v = 0;
      for (let i = 0; i < n; i++) {
        const c = src.charCodeAt(at + 2 + i);
        const d = base === 16 ? hexValue(c) : c >= 48 && c <= 55 ? c - 48 : -1;
        if (d < 0) throw this.error(at, `invalid escape: expected ${n} ${base === 16 ? 'hex' : 'octal'} digits`);
        v = v * base + d;
      }
      return v;
    };
    switch (e ?? '') {
      case 'x':
        bytes.push(digits(2, 16));
        return at + 4;
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const cp = digits(n, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw this.error(at, 'escape is not a valid Unicode code point');
        pushUtf8(bytes, cp);
        return at + 2 + n;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        const c0 = src.charCodeAt(at + 1) - 48;
        let v = c0;
        for (let i = 2; i <= 3; i++) {
          const c = src.charCodeAt(at + i);
          if (!(c >= 48 && c <= 55)) throw this.error(at, 'invalid escape: expected 3 octal digits');
          v = v * 8 + (c - 48);
        }
        if (v > 255) throw this.error(at, 'octal escape value > 255');
        bytes.push(v);
        return at + 4;
      }
      default:
        throw this.error(at, e === undefined ? 'value in double quotes is not terminated' : `unknown escape sequence \\${e}`);
    }
  }
}
