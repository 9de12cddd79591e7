/**
 * Where each key of a TOML document is written (line and column), since TOML parsers return values only.
 * Shared by the static configuration (flattened entries, a position per segment) and the dynamic file
 * provider (a line per validator key path).
 *
 * A small scanner that follows tables, arrays of tables (`[[a.b]]` elements get their index), dotted and quoted
 * keys (unquoted and unescaped as TOML does), inline tables and arrays, and skips strings and comments. It runs
 * on text a real parser has already accepted and is best effort: a statement it cannot follow is skipped to the
 * end of its line, and a key it cannot place just has no position.
 */
import type { Position } from './decode.js';

/** A key, or an index in an array (of tables, or of values). */
export type TomlPathSegment = string | number;

/** Joins a key path for the position maps: keys as written, indexes as `[n]` (the static entries' spelling). */
export function tomlPathKey(segments: readonly TomlPathSegment[]): string {
  return segments.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('\u0000');
}

/** Positions by tomlPathKey; a path is placed where it is first named. */
export interface TomlKeyPositions {
  /** Where the path's own segment is written: `web` in `[entryPoints.web]`, `b` in `a.b = 1`, an array item. */
  readonly keys: ReadonlyMap<string, Position>;
  /** Where the statement naming the path starts: the `[` of a table header, the first key of `a.b = 1`, an item. */
  readonly statements: ReadonlyMap<string, Position>;
}

const BARE_KEY_CHAR = /[A-Za-z0-9_-]/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

interface KeyPart {
  readonly name: string;
  readonly at: Position;
}

class Scanner {
  i = 0;
  line = 1;
  lineStart = 0;
  readonly keys = new Map<string, Position>();
  readonly statements = new Map<string, Position>();
  /** Number of elements seen so far per array-of-tables path. */
  readonly arrayTables = new Map<string, number>();

  constructor(readonly text: string) {}

  ch(): string {
    return this.text[this.i] ?? '';
  }

  here(): Position {
    return { line: this.line, column: this.i - this.lineStart + 1 };
  }

  advance(): void {
    if (this.text[this.i] === '\n') {
      this.line++;
      this.lineStart = this.i + 1;
    }
    this.i++;
  }

  skipSpaces(): void {
    while (this.ch() === ' ' || this.ch() === '\t') this.i++;
  }

  skipToLineEnd(): void {
    while (this.i < this.text.length && this.ch() !== '\n') this.i++;
  }

  /** Spaces, newlines and comments. */
  skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      if (this.ch() === '#') this.skipToLineEnd();
      if (this.ch() === '\n' || this.ch() === '\r') this.advance();
      else return;
    }
  }

  record(path: readonly TomlPathSegment[], key: Position, statement: Position): void {
    const k = tomlPathKey(path);
    if (this.keys.has(k)) return;
    this.keys.set(k, key);
    this.statements.set(k, statement);
  }

  /** A basic ("...") or literal ('...') string, single- or multi-line; returns its text. */
  readString(): string {
    const quote = this.ch();
    const triple = this.text.startsWith(quote.repeat(3), this.i);
    const end = triple ? quote.repeat(3) : quote;
    this.i += end.length;
    let out = '';
    while (this.i < this.text.length && !this.text.startsWith(end, this.i)) {
      const c = this.ch();
      if (!triple && c === '\n') throw new Error('unterminated string');
      if (quote === '"' && c === '\\') {
        out += this.readEscape();
      } else {
        out += c;
        this.advance();
      }
    }
    this.i += end.length;
    // A triple-quoted string may end with up to two more quotes that belong to it.
    while (triple && this.ch() === quote) this.i++;
    return out;
  }

  /** An escape in a basic string, from its backslash. */
  readEscape(): string {
    const e = this.text[this.i + 1] ?? '';
    if (e === 'u' || e === 'U' || e === 'x') {
      const length = e === 'u' ? 4 : e === 'U' ? 8 : 2;
      const code = parseInt(this.text.slice(this.i + 2, this.i + 2 + length), 16);
      this.i += 2 + length;
      return String.fromCodePoint(code); // throws on a bad code point: the statement is skipped
    }
    this.i++;
    this.advance(); // the escaped character: a line-ending backslash escapes the newline
    return SIMPLE_ESCAPES[e] ?? e;
  }

  /** A dotted key: each part with where it starts. */
  readKey(): KeyPart[] {
    const parts: KeyPart[] = [];
    for (;;) {
      this.skipSpaces();
      const at = this.here();
      let name: string;
      if (this.ch() === '"' || this.ch() === "'") {
        name = this.readString();
      } else {
        const start = this.i;
        while (BARE_KEY_CHAR.test(this.ch())) this.i++;
        if (this.i === start) throw new Error('no key');
        name = this.text.slice(start, this.i);
      }
      parts.push({ name, at });
      this.skipSpaces();
      if (this.ch() !== '.') return parts;
      this.i++;
    }
  }

  /** A `[table]` or `[[array.of.tables]]` header; returns the table's path, into the latest array elements. */
  tableHeader(statement: Position): TomlPathSegment[] {
    const newArrayElement = this.text[this.i + 1] === '[';
    this.i += newArrayElement ? 2 : 1;
    const parts = this.readKey();
    const path: TomlPathSegment[] = [];
    parts.forEach((part, n) => {
      path.push(part.name);
      this.record(path, part.at, statement);
      const key = tomlPathKey(path);
      if (n === parts.length - 1 && newArrayElement) {
        const count = this.arrayTables.get(key) ?? 0;
        this.arrayTables.set(key, count + 1);
        path.push(count);
        this.record(path, part.at, statement);
      } else {
        const count = this.arrayTables.get(key);
        if (count !== undefined) path.push(count - 1);
      }
    });
    return path;
  }

  /** `a.b.c = value` under `table`; the statement starts at its first key. */
  keyValue(table: readonly TomlPathSegment[]): void {
    const parts = this.readKey();
    const statement = parts[0]?.at ?? this.here();
    const path = [...table];
    for (const part of parts) {
      path.push(part.name);
      this.record(path, part.at, statement);
    }
    this.skipSpaces();
    if (this.ch() !== '=') throw new Error('expected =');
    this.i++;
    this.value(path);
  }

  value(path: readonly TomlPathSegment[]): void {
    this.skipSpaces();
    const c = this.ch();
    if (c === '"' || c === "'") {
      this.readString();
    } else if (c === '[') {
      this.sequence(']', (n) => {
        const item = [...path, n];
        const at = this.here();
        this.record(item, at, at);
        this.value(item);
      });
    } else if (c === '{') {
      this.sequence('}', () => this.keyValue(path));
    } else {
      while (this.i < this.text.length && !',]}\n#\r'.includes(this.ch())) this.i++;
    }
  }

  /** An array or inline table from its opening bracket: comma-separated items, blank lines and comments between. */
  sequence(close: ']' | '}', item: (n: number) => void): void {
    this.i++;
    for (let n = 0; ; n++) {
      this.skipBlank();
      if (this.ch() === close || this.ch() === '') break;
      item(n);
      this.skipBlank();
      if (this.ch() === ',') this.i++;
      else break;
    }
    this.skipBlank();
    if (this.ch() !== close) throw new Error(`expected ${close}`);
    this.i++;
  }

  document(): void {
    let table: TomlPathSegment[] = [];
    for (;;) {
      this.skipBlank();
      if (this.i >= this.text.length) return;
      const start = this.i;
      try {
        if (this.ch() === '[') table = this.tableHeader(this.here());
        else this.keyValue(table);
      } catch {
        // Not TOML this scanner follows (the parser accepted it): keep what was placed, go on with the next line.
      }
      // Whatever is left on the line is a comment (or what could not be followed).
      this.skipToLineEnd();
      if (this.i === start) this.i++;
    }
  }
}

/** Positions of every key path in a TOML document; never throws, partial where the scanner gets lost. */
export function scanTomlKeys(text: string): TomlKeyPositions {
  const scanner = new Scanner(text);
  scanner.document();
  return { keys: scanner.keys, statements: scanner.statements };
}

/** Where each key path's own segment is written (see tomlPathKey), as the static entries need. */
export function locateTomlKeys(text: string): ReadonlyMap<string, Position> {
  return scanTomlKeys(text).keys;
}
