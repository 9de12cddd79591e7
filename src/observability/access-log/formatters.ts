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

/** Characters a JSON string cannot hold as they are (controls are checked apart), or that Go escapes (HTML-safe output). */
const NEEDS_ESCAPE = /["\\<>&\u2028\u2029\ud800-\udfff]/;

function plainJsonText(s: string): boolean {
  if (NEEDS_ESCAPE.test(s)) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return false;
  return true;
}

/** A JSON string as Go's encoder writes it (HTML-safe). */
export function jsonString(s: string): string {
  if (plainJsonText(s)) return '"' + s + '"';
  const out = JSON.stringify(s);
  return HTML_UNSAFE.test(out) ? out.replace(HTML_UNSAFE_ALL, (c) => HTML_ESCAPES[c] as string) : out;
}

function jsonValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : jsonString(value);
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

/** logrus' JSONFormatter output for the entry; `nowMs` is the log time (`time`). */
export function formatJson(e: Entry, policy: FieldPolicy, nowMs: number): string {
  const v = e.v;
  let out = '';
  for (const f of policy.sortedKept) {
    const value = v[f];
    if (value === undefined) continue;
    out += ',"' + (FIELD_NAMES[f] as string) + '":' + jsonValue(value);
  }
  // Lower-case keys sort after the upper-case field names: downstream_*, level, msg, origin_*, request_*, time.
  out += headerPairs(e.downstream, 'downstream_');
  out += ',"level":"info","msg":""';
  out += headerPairs(e.origin, 'origin_');
  out += headerPairs(e.request, 'request_');
  out += ',"time":"' + rfc3339Seconds(nowMs) + '"';
  return '{' + out.slice(1) + '}\n';
}
