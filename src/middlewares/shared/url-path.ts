/**
 * Go `net/url` path semantics for the path middlewares (addPrefix, stripPrefix(Regex),
 * replacePath(Regex)). Traefik edits `URL.Path` (decoded) and `URL.RawPath` (escaped, kept only
 * when it differs from Go's own escaping) and the upstream gets `URL.EscapedPath()`; Turnpike
 * keeps one raw path (`ex.path`, what goes on the wire), so these helpers compute the wire path
 * Go would send after such an edit.
 *
 * Paths here are "byte strings": one char per byte (latin1), as the entry point reads the request
 * target off the wire. Configuration strings are UTF-8 text: convert them with `utf8Bytes` first.
 */

const HEX = '0123456789ABCDEF';

/** Bytes Go's escape(s, encodePath) leaves alone: unreserved plus `$&+,/:;=@`. */
const PATH_KEEP = new Uint8Array(256);
/** Bytes Go's validEncoded(s, encodePath) accepts as they are (PATH_KEEP plus sub-delims, `[]`, `%`). */
const VALID_ENCODED = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch)) PATH_KEEP[c] = 1;
  if (PATH_KEEP[c] === 1 || "!$&'()*+,;=:@[]%".includes(ch)) VALID_ENCODED[c] = 1;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** UTF-8 text (configuration) -> byte string. ASCII comes back as is. */
export function utf8Bytes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** Byte string -> text (UTF-8 decoded; invalid sequences become U+FFFD as in Go's regexp). */
export function bytesText(bytes: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Go's url.PathUnescape on a byte string: the decoded bytes, or null for a bad `%` escape. */
export function decodePath(raw: string): string | null {
  let pct = raw.indexOf('%');
  if (pct < 0) return raw;
  let out = '';
  let copied = 0;
  while (pct >= 0) {
    const hi = hexVal(raw.charCodeAt(pct + 1));
    const lo = hexVal(raw.charCodeAt(pct + 2));
    if (hi < 0 || lo < 0 || pct + 2 >= raw.length) return null;
    out += raw.slice(copied, pct) + String.fromCharCode((hi << 4) | lo);
    copied = pct + 3;
    pct = raw.indexOf('%', copied);
  }
  return out + raw.slice(copied);
}

/** Go's error text for a bad escape in `raw` (`invalid URL escape "%zz"`), for 500 answers. */
export function badEscapeMessage(raw: string): string {
  let pct = raw.indexOf('%');
  while (pct >= 0) {
    if (pct + 2 >= raw.length || hexVal(raw.charCodeAt(pct + 1)) < 0 || hexVal(raw.charCodeAt(pct + 2)) < 0) {
      return `invalid URL escape ${JSON.stringify(raw.slice(pct, pct + 3))}`;
    }
    pct = raw.indexOf('%', pct + 3);
  }
  return 'invalid URL escape';
}

/** Go's url escape(s, encodePath): every byte but unreserved and `$&+,/:;=@` as `%XX`. */
export function escapePath(bytes: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i) & 0xff;
    if (PATH_KEEP[c] === 1) continue;
    out += bytes.slice(copied, i) + '%' + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    copied = i + 1;
  }
  return copied === 0 ? bytes : out + bytes.slice(copied);
}

/** Go's validEncoded(s, encodePath): may `s` be sent as it is? */
export function isValidEncoded(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || VALID_ENCODED[c] !== 1) return false;
  }
  return true;
}

/** `s` with a leading '/', and '/' for ''. (Go keeps '' but sends it as '/': same request line.) */
export function ensureLeadingSlash(s: string): string {
  return s.charCodeAt(0) === 47 ? s : '/' + s;
}

/**
 * The wire path after Traefik sets `RawPath = raw` and `Path = PathUnescape(raw)` (replacePath,
 * replacePathRegex): `raw` itself when it is validly encoded, else Go's escaping of the decoded
 * path (`/a b` -> `/a%20b`, `/café` -> `/caf%C3%A9`). Null for a bad escape (Traefik answers 500).
 */
export function wirePathOfRaw(raw: string): string | null {
  const decoded = decodePath(raw);
  if (decoded === null) return null;
  if (raw === '') return '/';
  return isValidEncoded(raw) ? raw : escapePath(decoded);
}

/**
 * Index in `raw` after the escaped form of the first `decodedBytes` bytes of its decoded path
 * (`%XX` counts as one byte), as Traefik slices RawPath after stripping a prefix matched on Path.
 */
export function rawOffset(raw: string, decodedBytes: number): number {
  let i = 0;
  for (let n = 0; n < decodedBytes && i < raw.length; n++) i += raw.charCodeAt(i) === 37 ? 3 : 1;
  return i;
}

/**
 * The wire path once the first `n` bytes of the decoded path are removed (stripPrefix,
 * stripPrefixRegex): the raw remainder when it still decodes to the stripped decoded path (so
 * `%2F` and other kept escapes survive), else Go's escaping of the decoded remainder.
 */
export function stripDecodedBytes(raw: string, decoded: string, n: number): string {
  const restDecoded = ensureLeadingSlash(decoded.slice(n));
  if (raw === decoded) return restDecoded;
  const restRaw = ensureLeadingSlash(raw.slice(rawOffset(raw, n)));
  return decodePath(restRaw) === restDecoded ? restRaw : escapePath(restDecoded);
}
