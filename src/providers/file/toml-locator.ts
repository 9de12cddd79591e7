/**
 * Finds where key paths are in TOML text, for diagnostics (smol-toml gives values, not positions).
 * One pass over text that already parsed, recording the position of every table header, key,
 * array item and inline-table key under its full path — `[[a.b]]` array tables get their index
 * (`['a', 'b', 2]`), dotted and quoted keys are unquoted as TOML does. A path that was not seen
 * (e.g. inside a value) resolves to its closest recorded ancestor.
 */
import type { KeyPath, Locate } from '../../config/dynamic/validate.js';

interface Position {
  readonly line: number;
  readonly column: number;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function createTomlLocator(text: string): Locate {
  const positions = new Map<string, Position>();
  const arrayTables = new Map<string, number>();
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const here = (): Position => ({ line, column: pos - lineStart + 1 });
  const keyOf = (path: KeyPath): string => JSON.stringify(path);
  const record = (path: KeyPath, at: Position): void => {
    // Prefixes first seen here (`a.b.c = 1` also places `a` and `a.b`), the full path always wins.
    for (let i = 1; i < path.length; i++) {
      const k = keyOf(path.slice(0, i));
      if (!positions.has(k)) positions.set(k, at);
    }
    const k = keyOf(path);
    if (!positions.has(k)) positions.set(k, at);
  };
  const advance = (): void => {
    if (text[pos] === '\n') {
      line++;
      lineStart = pos + 1;
    }
    pos++;
  };
  const skipSpaces = (): void => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  };
  /** Spaces, newlines and comments (inside arrays). */
  const skipBlank = (): void => {
    for (;;) {
      skipSpaces();
      if (text[pos] === '#') {
        while (pos < text.length && text[pos] !== '\n') pos++;
      } else if (text[pos] === '\n' || text[pos] === '\r') {
        advance();
      } else return;
    }
  };
  const skipToLineEnd = (): void => {
    while (pos < text.length && text[pos] !== '\n') pos++;
  };

  const readString = (): string => {
    const quote = text[pos];
    const multi = text.startsWith(quote === '"' ? '"""' : "'''", pos);
    if (multi) {
      const close = quote === '"' ? '"""' : "'''";
      pos += 3;
      while (pos < text.length && !text.startsWith(close, pos)) {
        if (quote === '"' && text[pos] === '\\') pos++;
        advance();
      }
      pos += 3;
      // Up to two extra quotes may close a multi-line string (`""""` ends with a quote inside).
      while (text[pos] === quote) pos++;
      return '';
    }
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== quote && text[pos] !== '\n') {
      const c = text[pos] ?? '';
      if (quote === '"' && c === '\\') {
        const e = text[pos + 1] ?? '';
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
        if (e === 'u' || e === 'U' || e === 'x') {
          const len = e === 'u' ? 4 : e === 'U' ? 8 : 2;
          out += String.fromCodePoint(parseInt(text.slice(pos + 2, pos + 2 + len), 16));
          pos += 2 + len;
        } else {
          out += simple[e] ?? e;
          pos += 2;
        }
      } else {
        out += c;
        pos++;
      }
    }
    pos++; // closing quote
    return out;
  };

  const readKey = (): string[] => {
    const keys: string[] = [];
    for (;;) {
      skipSpaces();
      const c = text[pos];
      if (c === '"' || c === "'") keys.push(readString());
      else {
        const start = pos;
        while (pos < text.length && BARE_KEY.test(text[pos] ?? '')) pos++;
        if (pos === start) return keys; // not a key: let the caller move on
        keys.push(text.slice(start, pos));
      }
      skipSpaces();
      if (text[pos] !== '.') return keys;
      pos++;
    }
  };

  const scanValue = (path: KeyPath): void => {
    skipSpaces();
    const c = text[pos];
    if (c === '"' || c === "'") {
      readString();
    } else if (c === '[') {
      pos++;
      for (let i = 0; ; i++) {
        skipBlank();
        if (pos >= text.length || text[pos] === ']') break;
        record([...path, i], here());
        scanValue([...path, i]);
        skipBlank();
        if (text[pos] === ',') pos++;
        else break;
      }
      skipBlank();
      if (text[pos] === ']') pos++;
    } else if (c === '{') {
      pos++;
      for (;;) {
        skipBlank();
        if (pos >= text.length || text[pos] === '}') break;
        const at = here();
        const keys = readKey();
        if (keys.length === 0) break;
        record([...path, ...keys], at);
        skipSpaces();
        if (text[pos] === '=') pos++;
        scanValue([...path, ...keys]);
        skipBlank();
        if (text[pos] === ',') pos++;
        else break;
      }
      skipBlank();
      if (text[pos] === '}') pos++;
    } else {
      while (pos < text.length && !',]}\n#'.includes(text[pos] ?? '')) pos++;
    }
  };

  let table: KeyPath = [];
  while (pos < text.length) {
    skipSpaces();
    const c = text[pos];
    if (c === '\n' || c === '\r') {
      advance();
      continue;
    }
    if (c === '#') {
      skipToLineEnd();
      continue;
    }
    const at = here();
    if (c === '[') {
      const isArray = text[pos + 1] === '[';
      pos += isArray ? 2 : 1;
      const keys = readKey();
      const resolved: PathSegmentList = [];
      keys.forEach((k, i) => {
        resolved.push(k);
        const base = keyOf(resolved);
        if (isArray && i === keys.length - 1) {
          const n = arrayTables.get(base) ?? 0;
          arrayTables.set(base, n + 1);
          record(resolved, at);
          resolved.push(n);
        } else {
          const n = arrayTables.get(base);
          if (n !== undefined) resolved.push(n - 1);
        }
      });
      record(resolved, at);
      table = resolved;
      skipToLineEnd();
      continue;
    }
    const keys = readKey();
    if (keys.length === 0) {
      skipToLineEnd(); // not TOML we understand; the parser accepted it, so just move on
      continue;
    }
    const path = [...table, ...keys];
    record(path, at);
    skipSpaces();
    if (text[pos] === '=') pos++;
    scanValue(path);
    skipToLineEnd();
  }

  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const p = positions.get(keyOf(path.slice(0, n)));
      if (p !== undefined) return p;
    }
    return undefined;
  };
}

type PathSegmentList = (string | number)[];
