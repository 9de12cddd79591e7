/**
 * Where each key of a TOML document is written (line and column), since TOML parsers return values only.
 * A small scanner that follows tables, arrays of tables, dotted keys, inline tables and arrays, and skips
 * strings and comments. It runs on text a real parser has already accepted and is best effort: a key it
 * cannot place just has no position.
 */
import type { Position } from './decode.js';

/** Joins a key path for the position map: segments as written, list items as `[n]`. */
export function tomlPathKey(segments: readonly string[]): string {
  return segments.join('\u0000');
}

class Scanner {
  i = 0;
  line = 1;
  lineStart = 0;
  readonly positions = new Map<string, Position>();
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

  skipComment(): void {
    if (this.ch() === '#') while (this.i < this.text.length && this.ch() !== '\n') this.i++;
  }

  /** Spaces, newlines and comments. */
  skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      this.skipComment();
      if (this.ch() === '\n' || this.ch() === '\r') this.advance();
      else return;
    }
  }

  record(path: readonly string[], at: Position): void {
    const key = tomlPathKey(path);
    if (!this.positions.has(key)) this.positions.set(key, at);
  }

  /** A basic ("...") or literal ('...') string, single- or multi-line; returns its text. */
  readString(): string {
    const quote = this.ch();
    const triple = this.text.startsWith(quote.repeat(3), this.i);
    const end = triple ? quote.repeat(3) : quote;
    for (let n = 0; n < end.length; n++) this.advance();
    let out = '';
    while (this.i < this.text.length && !this.text.startsWith(end, this.i)) {
      if (quote === '"' && this.ch() === '\\') {
        this.advance();
        const escaped = this.ch();
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        this.advance();
        continue;
      }
      out += this.ch();
      this.advance();
    }
    for (let n = 0; n < end.length; n++) this.advance();
    // A triple-quoted string may end with up to two more quotes that belong to it.
    while (triple && this.ch() === quote) this.advance();
    return out;
  }

  /** A dotted key: each part with where it starts. */
  readKey(): { name: string; at: Position }[] {
    const parts: { name: string; at: Position }[] = [];
    for (;;) {
      this.skipSpaces();
      const at = this.here();
      let name: string;
      if (this.ch() === '"' || this.ch() === "'") {
        name = this.readString();
      } else {
        const start = this.i;
        while (/[A-Za-z0-9_-]/.test(this.ch())) this.i++;
        name = this.text.slice(start, this.i);
        if (name === '') throw new Error('no key');
      }
      parts.push({ name, at });
      this.skipSpaces();
      if (this.ch() !== '.') return parts;
      this.i++;
    }
  }

  /** Resolves a table path, stepping into the latest element of arrays of tables. */
  tablePath(parts: readonly { name: string; at: Position }[], newArrayElement: boolean): string[] {
    const path: string[] = [];
    parts.forEach((part, n) => {
      path.push(part.name);
      this.record(path, part.at);
      const key = tomlPathKey(path);
      const last = n === parts.length - 1;
      if (last && newArrayElement) {
        const count = this.arrayTables.get(key) ?? 0;
        this.arrayTables.set(key, count + 1);
        path.push(`[${count}]`);
        this.record(path, part.at);
      } else {
        const count = this.arrayTables.get(key);
        if (count !== undefined) path.push(`[${count - 1}]`);
      }
    });
    return path;
  }

  keyValue(table: readonly string[]): void {
    const parts = this.readKey();
    const path = [...table];
    for (const part of parts) {
      path.push(part.name);
      this.record(path, part.at);
    }
    this.skipSpaces();
    if (this.ch() !== '=') throw new Error('expected =');
    this.i++;
    this.value(path);
  }

  value(path: readonly string[]): void {
    this.skipSpaces();
    const c = this.ch();
    if (c === '"' || c === "'") {
      this.readString();
    } else if (c === '[') {
      this.i++;
      for (let n = 0; ; n++) {
        this.skipBlank();
        if (this.ch() === ']' || this.ch() === '') break;
        const item = [...path, `[${n}]`];
        const start = this.i;
        this.record(item, this.here());
        this.value(item);
        this.skipBlank();
        if (this.ch() === ',') this.i++;
        else if (this.i === start) throw new Error('stuck in array');
      }
      this.i++;
    } else if (c === '{') {
      this.i++;
      for (;;) {
        this.skipBlank();
        if (this.ch() === '}' || this.ch() === '') break;
        this.keyValue(path);
        this.skipBlank();
        if (this.ch() === ',') this.i++;
      }
      this.i++;
    } else {
      while (this.i < this.text.length && !',]}\n#\r'.includes(this.ch())) this.i++;
    }
  }

  document(): void {
    let table: string[] = [];
    for (;;) {
      this.skipBlank();
      if (this.i >= this.text.length) return;
      if (this.ch() === '[') {
        const array = this.text[this.i + 1] === '[';
        this.i += array ? 2 : 1;
        table = this.tablePath(this.readKey(), array);
        this.i += array ? 2 : 1;
      } else {
        this.keyValue(table);
      }
      // Whatever is left on the line is a comment.
      this.skipSpaces();
      this.skipComment();
    }
  }
}

/** Positions of every key path in a TOML document (see tomlPathKey); partial if the scanner gets lost. */
export function locateTomlKeys(text: string): ReadonlyMap<string, Position> {
  const scanner = new Scanner(text);
  try {
    scanner.document();
  } catch {
    // Best effort: keys found so far keep their positions; the others are reported without a line.
  }
  return scanner.positions;
}
