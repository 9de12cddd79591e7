/**
 * The time formats of Traefik's access log, from a wall-clock time in (fractional) milliseconds:
 * - CLF `02/Jan/2006:15:04:05 -0700` (common and genericCLF lines);
 * - Go's RFC3339Nano (StartUTC, StartLocal: fraction without trailing zeros, `Z` for UTC);
 * - Go's RFC3339 (logrus' `time` key: whole seconds).
 * Local times use the process's time zone, as Go's time.Local.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad4(n: number): string {
  return n < 10 ? '000' + n : n < 100 ? '00' + n : n < 1000 ? '0' + n : String(n);
}

/** `+0100` (CLF) or `+01:00` (RFC 3339) for an offset in minutes east of UTC. */
function zone(offsetMinutes: number, colon: boolean): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return sign + pad2(Math.floor(abs / 60)) + (colon ? ':' : '') + pad2(abs % 60);
}

/** Broken-down time, UTC or local. */
interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** Minutes east of UTC. */
  off: number;
}

function parts(ms: number, utc: boolean): Parts {
  const t = new Date(Math.floor(ms));
  if (utc) return { y: t.getUTCFullYear(), mo: t.getUTCMonth(), d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds(), off: 0 };
  return { y: t.getFullYear(), mo: t.getMonth(), d: t.getDate(), h: t.getHours(), mi: t.getMinutes(), s: t.getSeconds(), off: -t.getTimezoneOffset() };
}

/** The last second formatted, per kind: a second's lines share their time text. */
class SecondCache {
  second = NaN;
  text = '';
}
const clfCache = [new SecondCache(), new SecondCache()]; // [local, utc]

/** `10/Nov/2009:23:00:00 +0000`. */
export function clfTime(ms: number, utc: boolean): string {
  const second = Math.floor(ms / 1000);
  const cache = clfCache[utc ? 1 : 0] as SecondCache;
  if (cache.second === second) return cache.text;
  const p = parts(ms, utc);
  cache.text = pad2(p.d) + '/' + (MONTHS[p.mo] as string) + '/' + pad4(p.y) + ':' + pad2(p.h) + ':' + pad2(p.mi) + ':' + pad2(p.s) + ' ' + zone(p.off, false);
  cache.second = second;
  return cache.text;
}

/** [date and time to the second, zone] of the last second formatted, per kind. */
class NanoCache {
  second = NaN;
  head = '';
  zone = '';
}
const nanoCache = [new NanoCache(), new NanoCache()]; // [local, utc]

/**
 * Go's RFC3339Nano: `2009-11-10T23:00:00.123456Z`, the fraction to the microsecond here (what the
 * clock gives), trailing zeros trimmed, none when the time is a whole second.
 */
export function rfc3339Nano(ms: number, utc: boolean): string {
  let second = Math.floor(ms / 1000);
  let micros = Math.round((ms - second * 1000) * 1000);
  if (micros >= 1_000_000) {
    // rounding reached the next second
    second++;
    micros = 0;
  }
  const cache = nanoCache[utc ? 1 : 0] as NanoCache;
  if (cache.second !== second) {
    const p = parts(second * 1000, utc);
    cache.head = pad4(p.y) + '-' + pad2(p.mo + 1) + '-' + pad2(p.d) + 'T' + pad2(p.h) + ':' + pad2(p.mi) + ':' + pad2(p.s);
    cache.zone = p.off === 0 ? 'Z' : zone(p.off, true);
    cache.second = second;
  }
  if (micros === 0) return cache.head + cache.zone;
  let digits = String(micros + 1_000_000).slice(1); // six digits
  let end = 6;
  while (digits.charCodeAt(end - 1) === 48) end--;
  if (end < 6) digits = digits.slice(0, end);
  return cache.head + '.' + digits + cache.zone;
}

/** The last second rfc3339Seconds formatted: every line of a second shares the text. */
const secondsCache = new SecondCache();

/** Go's RFC3339 in local time, whole seconds (logrus' default timestamp). */
export function rfc3339Seconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (secondsCache.second !== second) {
    secondsCache.text = rfc3339Nano(second * 1000, false);
    secondsCache.second = second;
  }
  return secondsCache.text;
}
