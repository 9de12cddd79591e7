/**
 * HTTP Digest authentication maths and bookkeeping (RFC 7616 with algorithm MD5 and qop `auth`,
 * the subset Traefik's digestAuth speaks):
 *   HA1      = MD5(user:realm:password)          (stored, htdigest format)
 *   HA2      = MD5(method:uri)
 *   response = MD5(HA1:nonce:nc:cnonce:qop:HA2)
 * plus the parameter parser of go-http-auth and a bounded store of issued nonces with the last
 * nonce count seen for each (a replayed or unknown nonce is "stale").
 */
import { createHash, randomBytes } from 'node:crypto';

/** Lower-case hex MD5 of a UTF-8 string. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** The expected `response` parameter. */
export function digestResponse(ha1: string, nonce: string, nc: string, cnonce: string, qop: string, method: string, uri: string): string {
  const ha2 = md5Hex(method + ':' + uri);
  return md5Hex(ha1 + ':' + nonce + ':' + nc + ':' + cnonce + ':' + qop + ':' + ha2);
}

/** HA1 as htdigest stores it. */
export function digestHa1(user: string, realm: string, password: string): string {
  return md5Hex(user + ':' + realm + ':' + password);
}

/** `user:realm:HA1` -> {key: `user:realm`, secret: HA1}; exactly two `:`. */
export function parseDigestUser(line: string): { key: string; secret: string } | undefined {
  const parts = line.split(':');
  if (parts.length !== 3) return undefined;
  return { key: (parts[0] as string) + ':' + (parts[1] as string), secret: parts[2] as string };
}

/**
 * Splits a comma-separated list where commas inside double quotes (with backslash escapes) do not
 * count; elements are trimmed, quotes kept (urllib2.parse_http_list, as go-http-auth).
 */
function splitList(value: string): string[] {
  const list: string[] = [];
  let current = '';
  let quote = false;
  let escape = false;
  for (const ch of value) {
    if (escape) {
      current += ch;
      escape = false;
    } else if (quote) {
      if (ch === '\\') escape = true;
      else {
        if (ch === '"') quote = false;
        current += ch;
      }
    } else if (ch === ',') {
      list.push(current.trim());
      current = '';
    } else {
      if (ch === '"') quote = true;
      current += ch;
    }
  }
  if (current !== '') list.push(current.trim());
  return list;
}

/**
 * The parameters of an `Authorization: Digest ...` value (scheme `Digest`, case-sensitive as in
 * go-http-auth), values unquoted; undefined when the value is not a Digest one.
 */
export function parseDigestAuthorization(value: string | undefined): Map<string, string> | undefined {
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space) !== 'Digest') return undefined;
  const params = new Map<string, string>();
  for (const pair of splitList(value.slice(space + 1).trim())) {
    const eq = pair.indexOf('=');
    if (eq < 0 || eq === pair.length - 1) {
      params.set(pair, '');
      continue;
    }
    let v = pair.slice(eq + 1);
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    params.set(pair.slice(0, eq), v);
  }
  return params;
}

/** A random 16-character base64 key (12 random bytes), for nonces and opaques. */
export function randomKey(): string {
  return randomBytes(12).toString('base64');
}

export type NonceCheck = 'ok' | 'stale';

/**
 * Nonces this middleware issued, each with the highest nonce count accepted so far. Bounded: past
 * `size + tolerance` entries, the `2 * tolerance` least recently used are dropped (go-http-auth's
 * ClientCacheSize 1000 and ClientCacheTolerance 100).
 */
export class NonceStore {
  readonly #nonces = new Map<string, { nc: bigint; seen: number }>();
  #tick = 0;

  constructor(
    private readonly size = 1000,
    private readonly tolerance = 100,
  ) {}

  get count(): number {
    return this.#nonces.size;
  }

  /** A fresh nonce, remembered with count 0. */
  issue(nonce: string = randomKey()): string {
    if (this.#nonces.size > this.size + this.tolerance) this.#purge(this.tolerance * 2);
    this.#nonces.set(nonce, { nc: 0n, seen: ++this.#tick });
    return nonce;
  }

  /** Accept `nc` (already parsed) for `nonce` if the nonce is known and the count moved forward. */
  use(nonce: string, nc: bigint): NonceCheck {
    const entry = this.#nonces.get(nonce);
    if (entry === undefined) return 'stale';
    if (entry.nc !== 0n && entry.nc >= nc) return 'stale';
    entry.nc = nc;
    entry.seen = ++this.#tick;
    return 'ok';
  }

  #purge(count: number): void {
    const oldest = [...this.#nonces.entries()].sort((a, b) => a[1].seen - b[1].seen).slice(0, count);
    for (const [nonce] of oldest) this.#nonces.delete(nonce);
  }
}

const HEX_COUNT = /^[0-9a-fA-F]{1,16}$/;

/** A nonce count (`nc`, hex) as Go's ParseUint(nc, 16, 64) reads it, or undefined. */
export function parseNonceCount(nc: string): bigint | undefined {
  return HEX_COUNT.test(nc) ? BigInt('0x' + nc) : undefined;
}
