/**
 * Sticky sessions by cookie (`sticky.cookie`), as Traefik does them, for the loadBalancer service
 * and (reused by) the weighted service.
 *
 * - Cookie name: the configured one (already sanitized by the config reader), else Traefik's
 *   derived default `_` + the first 5 hex digits of SHA-1("_TRAEFIK_BACKEND_" + qualified service
 *   name), e.g. `_1d52e`.
 * - Cookie value: `stickyValue(key)` = the first 16 hex digits of SHA-256(key), where the key is
 *   the server URL (loadBalancer) or the child service name (weighted). Older Traefik versions
 *   wrote the key itself or its FNV-64 hex (once or twice hashed): `StickyIndex` still finds those
 *   and tells the caller to rewrite them.
 * - The Set-Cookie line is written the way Go's http.Cookie serialises it (Path, Domain, Max-Age,
 *   HttpOnly, Secure, SameSite, in that order), added to the response head through
 *   `ex.response.onHead`. Each distinct value's hook is built once, so writing costs no allocation.
 *
 * Use (one per service, built with it):
 *
 *     const sticky = new StickyCookie(cfg.sticky.cookie, 'svc@file');
 *     const index = new StickyIndex(children.map((c) => [c.name, c]));
 *     const value = sticky.lookup(ex);              // the cookie's value, or undefined
 *     const hit = value === undefined ? undefined : index.find(value);
 *     if (hit !== undefined && isUp(hit)) { if (value !== index.valueOf(hit)) sticky.write(ex, index.valueOf(hit)); ... }
 *     else { const pick = ...; sticky.write(ex, index.valueOf(pick)); ... }
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { StickyCookieConfig } from '../../config/dynamic/types.js';
import type { Exchange, HeadHook } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';

/** The sticky cookie value for `key` (a server URL or a child service name): 16 hex of SHA-256. */
export function stickyValue(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Traefik's default cookie name for a (qualified) service name. */
export function defaultCookieName(serviceName: string): string {
  return '_' + createHash('sha1').update('_TRAEFIK_BACKEND_' + serviceName).digest('hex').slice(0, 5);
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** Go's hash/fnv New64 (FNV-1, not 1a) of the UTF-8 bytes, as lower-case hex without leading zeros. */
export function fnv64Hex(input: string): string {
  let h = FNV64_OFFSET;
  for (const byte of Buffer.from(input, 'utf8')) {
    h = (h * FNV64_PRIME) & MASK64;
    h ^= BigInt(byte);
  }
  return h.toString(16);
}

/**
 * Cookie value -> item, for the items (servers or child services) of one sticky service. Knows
 * the current value of each item and the legacy values Traefik accepted (the key itself, its
 * FNV-64 hex and that hashed again).
 */
export class StickyIndex<T> {
  readonly #current = new Map<string, T>();
  readonly #legacy = new Map<string, T>();
  readonly #valueOf = new Map<T, string>();

  /** `entries`: [key, item]; the key is what the value hashes (server URL, child service name). */
  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [key, item] of entries) {
      const value = stickyValue(key);
      if (!this.#current.has(value)) this.#current.set(value, item);
      if (!this.#valueOf.has(item)) this.#valueOf.set(item, value);
      const fnv = fnv64Hex(key);
      for (const legacy of [key, fnv, fnv64Hex(fnv)]) if (!this.#legacy.has(legacy)) this.#legacy.set(legacy, item);
    }
  }

  /** The item a cookie value points to (current or legacy value), or undefined. */
  find(value: string): T | undefined {
    return this.#current.get(value) ?? this.#legacy.get(value);
  }

  /** The current cookie value of `item` (throws for an item not given to the constructor). */
  valueOf(item: T): string {
    const v = this.#valueOf.get(item);
    if (v === undefined) throw new Error('sticky: unknown item');
    return v;
  }
}

/** One service's sticky cookie: reads it off requests and writes it on responses. */
export class StickyCookie {
  /** The cookie name in use (configured or derived). */
  readonly name: string;
  readonly #prefix: string;
  readonly #attributes: string;
  readonly #hooks = new Map<string, HeadHook>();

  /** `serviceName`: the qualified service name (e.g. `svc@file`), for the default cookie name. */
  constructor(cfg: StickyCookieConfig, serviceName: string) {
    this.name = cfg.name ?? defaultCookieName(serviceName);
    this.#prefix = this.name + '=';
    this.#attributes = cookieAttributes(cfg);
  }

  /**
   * The value of this cookie in the request's Cookie header(s) (the first one with that name, as
   * Go's Request.Cookie), surrounding double quotes removed; undefined when absent.
   */
  lookup(ex: Exchange): string | undefined {
    const raw = ex.headers.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.length !== 6 || name.toLowerCase() !== 'cookie') continue;
      const v = findCookie(raw[i + 1] as string, this.#prefix);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Add `Set-Cookie: <name>=<value>; <attributes>` to the response head. */
  write(ex: Exchange, value: string): void {
    let hook = this.#hooks.get(value);
    if (hook === undefined) {
      const line = this.setCookie(value);
      hook = (_status: number, headers: HeaderList): void => headers.add('Set-Cookie', line);
      this.#hooks.set(value, hook);
    }
    ex.response.onHead(hook);
  }

  /** The Set-Cookie header value for `value` (Go's http.Cookie.String()). */
  setCookie(value: string): string {
    return this.#prefix + value + this.#attributes;
  }
}

/** `name=value` pairs separated by `;` (Go's readCookies, simplified to one name). */
function findCookie(header: string, prefix: string): string | undefined {
  let start = 0;
  const n = header.length;
  while (start < n) {
    while (start < n && (header.charCodeAt(start) === 0x20 || header.charCodeAt(start) === 0x09)) start++;
    let end = header.indexOf(';', start);
    if (end < 0) end = n;
    if (header.startsWith(prefix, start)) {
      let value = header.slice(start + prefix.length, end).trimEnd();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
    start = end + 1;
  }
  return undefined;
}

/** Everything after `name=value`, as Go writes it. */
function cookieAttributes(cfg: StickyCookieConfig): string {
  let out = '';
  const path = sanitizeCookiePath(cfg.path);
  if (path !== '') out += '; Path=' + path;
  const domain = cookieDomain(cfg.domain);
  if (domain !== '') out += '; Domain=' + domain;
  if (cfg.maxAge > 0) out += '; Max-Age=' + String(cfg.maxAge);
  else if (cfg.maxAge < 0) out += '; Max-Age=0';
  if (cfg.httpOnly) out += '; HttpOnly';
  if (cfg.secure) out += '; Secure';
  if (cfg.sameSite === 'none') out += '; SameSite=None';
  else if (cfg.sameSite === 'lax') out += '; SameSite=Lax';
  else if (cfg.sameSite === 'strict') out += '; SameSite=Strict';
  return out;
}

/** Go drops control characters, DEL and `;` from a cookie path. */
function sanitizeCookiePath(path: string): string {
  let out = '';
  for (const ch of path) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x20 && c < 0x7f && ch !== ';') out += ch;
  }
  return out;
}

const DOMAIN_LABELS = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/;

/**
 * Go writes a Domain attribute only for a valid cookie domain (a host name or an IP address, a
 * leading dot dropped); anything else is left out (Go logs it).
 */
function cookieDomain(domain: string): string {
  if (domain === '') return '';
  const d = domain.startsWith('.') ? domain.slice(1) : domain;
  if (isIP(d) === 4) return d;
  if (d.length > 255 || !DOMAIN_LABELS.test(d)) return '';
  return d;
}
