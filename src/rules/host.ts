/**
 * Host normalisation, done once per request. Traefik's canonical host is the request host with the
 * port split off (Go's net.SplitHostPort), trimmed and lower-cased; trailing dots are tolerated by
 * the Host matcher. We also drop IPv6 brackets whether or not a port follows (Traefik keeps them
 * when there is no port), so `Host(`::1`)` and `Host(`[::1]`)` both match `[::1]` and `[::1]:8080`.
 */

function hasUpperOrNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 0x80) return true;
  }
  return false;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Request host as the matchers see it: port and brackets stripped, trimmed, lower-cased. */
export function canonicalHost(raw: string): string {
  if (raw.length === 0) return raw;
  let h = raw;
  if (isSpace(h.charCodeAt(0)) || isSpace(h.charCodeAt(h.length - 1))) h = h.trim();
  if (h.charCodeAt(0) === 91) {
    // [v6] or [v6]:port
    const close = h.indexOf(']');
    if (close > 0 && (close === h.length - 1 || h.charCodeAt(close + 1) === 58)) h = h.slice(1, close);
  } else {
    const colon = h.indexOf(':');
    // One colon: host:port. More than one: a bare IPv6 address, kept as is (as SplitHostPort fails).
    if (colon >= 0 && h.indexOf(':', colon + 1) < 0) h = h.slice(0, colon);
  }
  return hasUpperOrNonAscii(h) ? h.toLowerCase() : h;
}

/** `h` without one trailing dot. */
export function withoutTrailingDot(h: string): string {
  return h.length > 0 && h.charCodeAt(h.length - 1) === 46 ? h.slice(0, -1) : h;
}

/** `h` without any trailing dots: the key the host index uses. */
export function withoutTrailingDots(h: string): string {
  let end = h.length;
  while (end > 0 && h.charCodeAt(end - 1) === 46) end--;
  return end === h.length ? h : h.slice(0, end);
}

/** A Host() rule value as compared: lower-cased, IPv6 brackets dropped. */
export function ruleHostValue(value: string): string {
  let h = value.toLowerCase();
  if (h.length > 2 && h.charCodeAt(0) === 91 && h.charCodeAt(h.length - 1) === 93) h = h.slice(1, -1);
  return h;
}
