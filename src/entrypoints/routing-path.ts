/**
 * Request-target handling done by the entry point before routing (traefik-reference §1.2, §3):
 * splitting the target into path and query, sanitising the path (`http.sanitizePath`),
 * rewriting `;` in the query (`http.encodeQuerySemicolons`) and computing the routing path the
 * rule engine matches against. Pure functions (no I/O); each has a fast path that allocates
 * nothing when the input needs no change (the common case).
 */

/** Result of splitting a request target (origin-form, absolute-form or asterisk-form). */
export interface RequestTarget {
  /** Raw path, escapes kept; '/' for an absolute-form target without a path; '*' for `OPTIONS *`. */
  readonly path: string;
  /** Raw query without '?', or null when the target had none. */
  readonly query: string | null;
  /** Authority of an absolute-form target (userinfo dropped), or null for origin-form. */
  readonly authority: string | null;
}

/**
 * Split a request target. Returns null for a target that is neither origin-form (`/p?q`),
 * absolute-form (`http://host/p?q`) nor `*` — the caller answers 400.
 */
export function splitTarget(target: string): RequestTarget | null {
  const c0 = target.charCodeAt(0);
  if (c0 === 47 /* / */) {
    const q = target.indexOf('?');
    if (q < 0) return { path: target, query: null, authority: null };
    return { path: target.slice(0, q), query: target.slice(q + 1), authority: null };
  }
  if (target === '*') return { path: '*', query: null, authority: null };
  const sep = target.indexOf('://');
  if (sep <= 0 || !isScheme(target, sep)) return null;
  const authStart = sep + 3;
  let end = authStart;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  let authority = target.slice(authStart, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  const rest = target.slice(end);
  const q = rest.indexOf('?');
  let path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? null : rest.slice(q + 1);
  if (path === '') path = '/';
  else if (path.charCodeAt(0) !== 47) return null; // '#...' right after the authority
  return { path, query, authority };
}

function isScheme(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const alpha = c >= 97 && c <= 122;
    if (alpha) continue;
    if (i === 0) return false;
    const d = s.charCodeAt(i);
    if ((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46) continue;
    return false;
  }
  return true;
}

const HEX_UPPER = '0123456789ABCDEF';

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** RFC 3986 §2.3 unreserved characters (ALPHA / DIGIT / `-` `.` `_` `~`), indexed by byte. */
const UNRESERVED = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[ch.charCodeAt(0)] = 1;

/**
 * Traefik's entry-point `normalizePath` (runs before `sanitizePath`): every percent-escape of an
 * unreserved character is decoded (`%2e` -> `.`, `%41` -> `A`, RFC 3986 §2.3) and every other
 * escape gets upper-case hex (`%2f` -> `%2F`, §6.2.2.1). The result is both the path routed on and
 * the path sent upstream, so `/a/%2e%2e/b` cannot route as `/a/...` and reach the backend's `/b`.
 * Returns null for a bad escape (`%`, `%4`, `%zz`): the caller answers 400. A path without `%`,
 * or whose escapes are already normal, is returned as is (no allocation).
 */
export function normalizePath(path: string): string | null {
  let pct = path.indexOf('%');
  if (pct < 0) return path;
  const n = path.length;
  let out: string | null = null;
  let copied = 0; // input before this index is already in `out`
  while (pct >= 0) {
    if (pct + 2 >= n) return null;
    const a = path.charCodeAt(pct + 1);
    const b = path.charCodeAt(pct + 2);
    const hi = hexVal(a);
    const lo = hexVal(b);
    if (hi < 0 || lo < 0) return null;
    const v = (hi << 4) | lo;
    let replacement: string | null = null;
    if (v < 128 && UNRESERVED[v] === 1) replacement = String.fromCharCode(v);
    else if (a >= 97 || b >= 97) replacement = '%' + HEX_UPPER.charAt(hi) + HEX_UPPER.charAt(lo); // lower-case hex
    if (replacement !== null) {
      out = (out ?? '') + path.slice(copied, pct) + replacement;
      copied = pct + 3;
    }
    pct = path.indexOf('%', pct + 3);
  }
  return out === null ? path : out + path.slice(copied);
}

/**
 * `http.sanitizePath`: remove `.` and `..` segments and duplicate slashes from the escaped path,
 * keeping one trailing slash when the input had one (`/./foo/../bar//` -> `/bar/`), as Go's
 * `URL.JoinPath()` does for Traefik. Percent-escapes are left alone here (`%2e%2e` is not a dot
 * segment): `normalizePath` runs first and has already turned escaped dots into dots.
 * `*` and paths that are already clean are returned as is.
 */
export function sanitizePath(path: string): string {
  if (path === '*' || isClean(path)) return path;
  const trailing = path.charCodeAt(path.length - 1) === 47;
  const out: string[] = [];
  let i = 0;
  const n = path.length;
  while (i < n) {
    while (i < n && path.charCodeAt(i) === 47) i++;
    if (i >= n) break;
    let j = path.indexOf('/', i);
    if (j < 0) j = n;
    const seg = path.slice(i, j);
    if (seg === '..') out.pop();
    else if (seg !== '.') out.push(seg);
    i = j;
  }
  let res = '/' + out.join('/');
  if (trailing && res.length > 1) res += '/';
  return res;
}

/** True when `path` starts with '/' and has no empty, `.` or `..` segment (but may end with '/'). */
function isClean(path: string): boolean {
  const n = path.length;
  if (n === 0 || path.charCodeAt(0) !== 47) return false;
  for (let i = 0; i < n; i++) {
    if (path.charCodeAt(i) !== 47) continue;
    // i is a slash: look at the segment that follows
    const next = i + 1 < n ? path.charCodeAt(i + 1) : -1;
    if (next === 47) return false; // '//'
    if (next === 46 /* . */) {
      const a = i + 2 < n ? path.charCodeAt(i + 2) : -1;
      if (a === -1 || a === 47) return false; // '/.' or '/./'
      if (a === 46) {
        const b = i + 3 < n ? path.charCodeAt(i + 3) : -1;
        if (b === -1 || b === 47) return false; // '/..' or '/../'
      }
    }
  }
  return true;
}

/**
 * `http.encodeQuerySemicolons`: false (Traefik's default) turns `;` into `&`, true sends it as
 * `%3B`. Returns the input itself when it has no `;`.
 */
export function rewriteQuerySemicolons(query: string, encode: boolean): string {
  if (query.indexOf(';') < 0) return query;
  return query.replaceAll(';', encode ? '%3B' : '&');
}

/**
 * Percent-escapes that stay encoded in the routing path (RFC 3986 reserved characters plus `%`),
 * indexed by the decoded byte.
 */
const RESERVED = new Uint8Array(128);
for (const ch of ":/?#[]@!$&'()*+,;=%") RESERVED[ch.charCodeAt(0)] = 1;

/**
 * The routing path (traefik-reference §3): every `%XX` decoded except the reserved ones, which
 * stay encoded with upper-case hex (`%2f` -> `%2F`). Decoded bytes are read as UTF-8
 * (`/caf%C3%A9` -> `/café`). Returns null for a bad escape (`%`, `%4`, `%zz`): the caller answers 400.
 * A path without `%` is returned as is.
 */
export function computeRoutingPath(path: string): string | null {
  const pct = path.indexOf('%');
  if (pct < 0) return path;
  // Slow path: gather bytes (escapes decoded, raw chars as latin1 bytes off the wire) and
  // decode the result as UTF-8 once.
  const bytes = Buffer.allocUnsafe(path.length * 3);
  let len = bytes.write(path.slice(0, pct), 0, 'latin1');
  let i = pct;
  const n = path.length;
  while (i < n) {
    const c = path.charCodeAt(i);
    if (c !== 37) {
      bytes[len++] = c & 0xff;
      i++;
      continue;
    }
    if (i + 2 >= n) return null;
    const hi = hexVal(path.charCodeAt(i + 1));
    const lo = hexVal(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return null;
    const v = (hi << 4) | lo;
    if (v < 128 && RESERVED[v] === 1) {
      bytes[len++] = 37;
      bytes[len++] = HEX_UPPER.charCodeAt(hi);
      bytes[len++] = HEX_UPPER.charCodeAt(lo);
    } else {
      bytes[len++] = v;
    }
    i += 3;
  }
  return bytes.toString('utf8', 0, len);
}

/** What the entry point derives from a request head before routing. */
export interface PreparedTarget {
  readonly path: string;
  readonly query: string | null;
  readonly routingPath: string;
  /** Authority of an absolute-form target, else the Host header, else ''. */
  readonly host: string;
}

export interface TargetOptions {
  readonly sanitizePath: boolean;
  readonly encodeQuerySemicolons: boolean;
}

/**
 * Check and prepare a request target and its Host header as Go's server and Traefik's entry
 * point do before routing: `normalizePath`, then `sanitizePath` (when on); the result is both
 * `path` (sent upstream) and the source of `routingPath`. Returns a status (400) instead when the
 * request must be refused: a `#` anywhere in the target (Traefik's denyFragment; it only looks at
 * the path, we refuse a `#` in the query too: no request-target may hold one), a target that is
 * not origin/absolute/asterisk form, a bad percent-escape in the path, a missing Host header on
 * HTTP/1.1, several Host headers, or a malformed Host value.
 *
 * `hostHeaders` is the number of Host header fields and `hostHeader` the first one's value.
 */
export function prepareTarget(
  target: string,
  hostHeader: string | undefined,
  hostHeaders: number,
  http11: boolean,
  opts: TargetOptions,
): PreparedTarget | number {
  if (hostHeaders > 1) return 400;
  if (hostHeaders === 0 && http11) return 400;
  if (hostHeader !== undefined && !isValidHost(hostHeader)) return 400;
  if (target.indexOf('#') >= 0) return 400;
  const t = splitTarget(target);
  if (t === null) return 400;
  const normalized = normalizePath(t.path);
  if (normalized === null) return 400;
  const path = opts.sanitizePath ? sanitizePath(normalized) : normalized;
  const routingPath = computeRoutingPath(path);
  if (routingPath === null) return 400;
  const query = t.query === null ? null : rewriteQuerySemicolons(t.query, opts.encodeQuerySemicolons);
  const host = t.authority ?? hostHeader ?? '';
  return { path, query, routingPath, host };
}

/** Bytes Go accepts in a Host header (httpguts.ValidHostHeader): a lenient superset of RFC 3986. */
const HOST_OK = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%&'()*+,-.:;=[]_~") {
  HOST_OK[ch.charCodeAt(0)] = 1;
}

/** True when every byte of `host` may appear in a Host header (ASCII only, as Go). */
export function isValidHost(host: string): boolean {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= 128 || HOST_OK[c] !== 1) return false;
  }
  return true;
}
