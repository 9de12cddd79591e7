/**
 * Go `regexp` semantics for the middlewares that take a regexp from the configuration
 * (stripPrefixRegex, replacePathRegex, redirectRegex): the pattern is Go RE2 syntax, translated
 * once by the rule engine's translator; replacements follow Go's Regexp.Expand (`$1`, `${1}`,
 * `$name`, `${name}`, `$$`) and ReplaceAllString's rules for empty matches. Everything is
 * compiled at configuration time; the per-request functions only run the compiled RegExp.
 */
import { Re2Error, translateRe2 } from '../../rules/index.js';

export interface GoRegexp {
  /** The pattern as written (for messages). */
  readonly pattern: string;
  /** Global (`g`): callers set lastIndex before exec. */
  readonly re: RegExp;
  /** Go's SubexpNames: '' for the whole match and unnamed groups. */
  readonly captureNames: readonly string[];
}

/** A parsed replacement: literal text and capture-group numbers, in order. */
export type GoTemplate = readonly (string | number)[];

/** Compiles a Go RE2 pattern; throws an Error whose message says what is wrong and where. */
export function compileGoRegexp(pattern: string): GoRegexp {
  try {
    const t = translateRe2(pattern);
    return { pattern, re: new RegExp(t.source, t.flags + 'g'), captureNames: t.captureNames };
  } catch (e) {
    const where = e instanceof Re2Error ? ` (at offset ${e.offset})` : '';
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`invalid regexp ${JSON.stringify(pattern)}: ${why}${where}`);
  }
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** The name of a `$name` / `${name}` reference at `at` (just after the `$`), as Go's extract. */
function extractRef(t: string, at: number): { name: string; end: number } | undefined {
  let i = at;
  const brace = t.charCodeAt(i) === 0x7b; /* { */
  if (brace) i++;
  const start = i;
  while (i < t.length) {
    const cp = t.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === start) return undefined;
  const name = t.slice(start, i);
  if (brace) {
    if (t.charCodeAt(i) !== 0x7d /* } */) return undefined;
    i++;
  }
  return { name, end: i };
}

/** Go's group number for a reference name: all ASCII digits, no leading zero, < 1e8; else -1. */
function refNumber(name: string): number {
  if (!/^[0-9]+$/.test(name) || name.length > 8) return -1;
  if (name.length > 1 && name.charCodeAt(0) === 0x30) return -1;
  return Number(name);
}

/**
 * Parses a replacement as Go's Regexp.Expand reads it: `$$` is a `$`; `$name`/`${name}` takes the
 * longest name (`$1x` is `${1x}`); a malformed `$` is kept as text; a reference to a group that
 * does not exist expands to nothing (so it is dropped here).
 */
export function parseGoTemplate(template: string, captureNames: readonly string[]): GoTemplate {
  const parts: (string | number)[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      text += template.slice(i);
      break;
    }
    text += template.slice(i, dollar);
    i = dollar + 1;
    if (template.charCodeAt(i) === 0x24 /* $ */) {
      text += '$';
      i++;
      continue;
    }
    const ref = extractRef(template, i);
    if (ref === undefined) {
      text += '$';
      continue;
    }
    i = ref.end;
    const n = refNumber(ref.name);
    const group = n >= 0 ? (n < captureNames.length ? n : -1) : captureNames.indexOf(ref.name);
    // A name can never be '' here, so indexOf cannot pick the whole match by accident.
    if (group < 0) continue;
    if (text !== '') parts.push(text);
    text = '';
    parts.push(group);
  }
  if (text !== '') parts.push(text);
  return parts;
}

/** True when the template has no reference at all (a plain string). */
export function isLiteralTemplate(t: GoTemplate): boolean {
  return t.every((p) => typeof p === 'string');
}

function expand(t: GoTemplate, m: RegExpExecArray): string {
  let out = '';
  for (const p of t) out += typeof p === 'string' ? p : (m[p] ?? '');
  return out;
}

/** Go's MatchString: does the pattern match anywhere in `s`? */
export function goMatch(g: GoRegexp, s: string): boolean {
  g.re.lastIndex = 0;
  return g.re.test(s);
}

/** Go's FindStringSubmatch: the leftmost match, or null. */
export function goFind(g: GoRegexp, s: string): RegExpExecArray | null {
  g.re.lastIndex = 0;
  return g.re.exec(s);
}

/**
 * Go's ReplaceAllString: every non-overlapping match replaced by the expanded template. As in Go,
 * an empty match right after the previous match is not replaced, and the scan always advances by
 * at least one character (JS's String.replace differs on both).
 */
export function goReplaceAll(g: GoRegexp, src: string, t: GoTemplate): string {
  const re = g.re;
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    re.lastIndex = searchPos;
    const m = re.exec(src);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expand(t, m);
    lastMatchEnd = end;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}
