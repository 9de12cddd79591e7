/**
 * The three line formats of Traefik's access log, byte for byte:
 * - `common`: `<ClientHost> - <ClientUsername> [<time>] "<Method> <Path> <Protocol>" <status>
 *   <size> "<Referer>" "<User-Agent>" <RequestCount> "<RouterName>" "<ServiceURL>" <Duration>ms`;
 * - `genericCLF`: the same up to the User-Agent (the combined log format);
 * - `json`: logrus' JSON formatter over the kept fields: keys sorted, `level`, `msg` and `time`
 *   added, HTML characters escaped as Go's encoder does, durations in nanoseconds.
 * A field that is dropped or absent prints as `-` (`"-"` for the quoted ones), as in Traefik.
 */
import { F, FIELD_NAMES, type FieldPolicy } from './fields.js';
import type { Entry, FieldValue } from './entry.js';
import { clfTime, rfc3339Seconds } from './time-format.js';

/** Traefik's toLog: strings ('' = default), quoted on demand; numbers as they are. */
function toLog(value: FieldValue, dflt: string, quoted: boolean): string {
  if (value === undefined) return dflt;
  if (typeof value === 'number') return String(value);
  if (value === '') return dflt;
  return quoted ? '"' + value + '"' : value;
}

function headerValue(list: readonly string[], name: string): string | undefined {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
  return undefined;
}

function clfStart(e: Entry, policy: FieldPolicy): string {
  const keep = policy.keep;
  const v = e.v;
  let time = '-';
  if (keep[F.StartUTC]) time = clfTime(e.startMs, true);
  else if (keep[F.StartLocal]) time = clfTime(e.startMs, false);
  return (
    toLog(v[F.ClientHost], '-', false) +
    ' - ' +
    toLog(v[F.ClientUsername], '-', false) +
    ' [' +
    time +
    '] "' +
    toLog(v[F.RequestMethod], '-', false) +
    ' ' +
    toLog(v[F.RequestPath], '-', false) +
    ' ' +
    toLog(v[F.RequestProtocol], '-', false) +
    '" ' +
    toLog(v[F.DownstreamStatus], '-', true) +
    ' ' +
    toLog(v[F.DownstreamContentSize], '-', true) +
    ' ' +
    toLog(headerValue(e.request, 'Referer'), '"-"', true) +
    ' ' +
    toLog(headerValue(e.request, 'User-Agent'), '"-"', true)
  );
}

/** Traefik's common format (one line, `\n` included). */
export function formatCommon(e: Entry, policy: FieldPolicy): string {
  const v = e.v;
  const millis = policy.keep[F.Duration] ? Math.floor(e.durationMs) : 0;
  return (
    clfStart(e, policy) +
    ' ' +
    toLog(v[F.RequestCount], '-', true) +
    ' ' +
    toLog(v[F.RouterName], '"-"', true) +
    ' ' +
    toLog(v[F.ServiceURL], '"-"', true) +
    ' ' +
    millis +
    'ms\n'
  );
}

/** The generic combined log format (genericCLF). */
export function formatGenericClf(e: Entry, policy: FieldPolicy): string {
  return clfStart(e, policy) + '\n';
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_UNSAFE_ALL = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * True when `s` needs no escaping: no control character, no `"` or `\\`, none of the characters Go
 * escapes for HTML safety (`<`, `>`, `&`, U+2028, U+2029), no surrogate (one pass, no regexp).
 */
function plainJsonText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) return false;
    if (c >= 0x2028 && (c === 0x2028 || c === 0x2029 || (c >= 0xd800 && c <= 0xdfff))) return false;
  }
  return true;
}

/** A JSON string as Go's encoder writes it (HTML-safe). */
export function jsonString(s: string): string {
  if (plainJsonText(s)) return '"' + s + '"';
  const out = JSON.stringify(s);
  return HTML_UNSAFE.test(out) ? out.replace(HTML_UNSAFE_ALL, (c) => HTML_ESCAPES[c] as string) : out;
}

/** Header fields `<prefix><Name>` in name order. */
function headerPairs(list: readonly string[], prefix: string): string {
  if (list.length === 0) return '';
  const order: number[] = [];
  for (let i = 0; i < list.length; i += 2) order.push(i);
  order.sort((a, b) => ((list[a] as string) < (list[b] as string) ? -1 : 1));
  let out = '';
  for (const i of order) out += ',' + jsonString(prefix + (list[i] as string)) + ':' + jsonString(list[i + 1] as string);
  return out;
}

/** `"<Field>":` per field, built once. */
const JSON_KEYS: readonly string[] = FIELD_NAMES.map((name) => '"' + name + '":');

/** logrus' JSONFormatter output for the entry; `nowMs` is the log time (`time`). */
export function formatJson(e: Entry, policy: FieldPolicy, nowMs: number): string {
  const v = e.v;
  const kept = policy.sortedKept;
  // Appended piece by piece (no slice of the whole line: that would copy it once more).
  let out = '{';
  let sep = '';
  for (let i = 0; i < kept.length; i++) {
    const f = kept[i] as F;
    const value = v[f];
    if (value === undefined) continue;
    out += sep + (JSON_KEYS[f] as string) + (typeof value === 'number' ? String(value) : jsonString(value));
    sep = ',';
  }
  // Lower-case keys sort after the upper-case field names: downstream_*, level, msg, origin_*, request_*, time.
  const down = headerPairs(e.downstream, 'downstream_');
  if (down !== '') out += sep === '' ? down.slice(1) : down;
  out += (sep === '' && down === '' ? '' : ',') + '"level":"info","msg":""';
  out += headerPairs(e.origin, 'origin_');
  out += headerPairs(e.request, 'request_');
  return out + ',"time":"' + rfc3339Seconds(nowMs) + '"}\n';
}
