/**
 * The media type of a Content-Type value (`text/html; charset=utf-8` -> `text/html`), read the way
 * Go's mime.ParseMediaType reads it, which Traefik's compress middleware relies on: the type is
 * lower-cased, parameters must be `name=token` or `name="quoted string"`, a trailing `;` is
 * allowed; anything else is invalid (null).
 */

/** RFC 9110 token characters. */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[ch.charCodeAt(0)] = 1;

function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Index just past a token starting at `i` (== i when there is none). */
function tokenEnd(s: string, i: number): number {
  while (i < s.length && isTchar(s.charCodeAt(i))) i++;
  return i;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past a quoted string starting at `i` (on the opening quote), or -1 if unterminated. */
function quotedEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 34 /* " */) return j + 1;
  }
  return -1;
}

/** The lower-cased media type (`type/subtype`, or a lone token as Go accepts), or null when invalid. */
export function parseMediaType(value: string): string | null {
  let i = skipSpace(value, 0);
  const start = i;
  i = tokenEnd(value, i);
  if (i === start) return null;
  if (i < value.length && value.charCodeAt(i) === 47 /* / */) {
    const sub = i + 1;
    i = tokenEnd(value, sub);
    if (i === sub) return null;
  }
  const type = value.slice(start, i).toLowerCase();
  i = skipSpace(value, i);
  while (i < value.length) {
    if (value.charCodeAt(i) !== 59 /* ; */) return null;
    i = skipSpace(value, i + 1);
    if (i >= value.length) break; // trailing ';'
    const name = i;
    i = tokenEnd(value, i);
    if (i === name || value.charCodeAt(i) !== 61 /* = */) return null;
    i++;
    if (value.charCodeAt(i) === 34) {
      i = quotedEnd(value, i);
      if (i < 0) return null;
    } else {
      const v = i;
      i = tokenEnd(value, i);
      if (i === v) return null;
    }
    i = skipSpace(value, i);
  }
  return type;
}
