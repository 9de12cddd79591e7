/**
 * htpasswd entries and password verification, as Traefik's basicAuth (go-http-auth) does it:
 * - `{SHA}` + base64(sha1(password));
 * - `$2a$`, `$2b$`, `$2x$`, `$2y$`: bcrypt (through bcryptjs, asynchronous);
 * - anything else is read as MD5-crypt `$magic$salt$hash` (`$apr1$` from `htpasswd -m`, `$1$`
 *   from crypt(3)); a secret that is not of that shape (plain text...) never matches.
 * Comparisons of computed hashes are constant-time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { BcryptVerifier } from './bcrypt.js';

export type HashScheme = 'sha1' | 'bcrypt' | 'md5crypt';

/** Which verification a stored secret gets (Traefik's prefix order). */
export function hashScheme(secret: string): HashScheme {
  if (secret.startsWith('{SHA}')) return 'sha1';
  if (/^\$2[abxy]\$/.test(secret)) return 'bcrypt';
  return 'md5crypt';
}

/** `user:hash` -> {key: user, secret: hash}; exactly one `:` as Traefik requires. */
export function parseBasicUser(line: string): { key: string; secret: string } | undefined {
  const colon = line.indexOf(':');
  if (colon < 0 || line.indexOf(':', colon + 1) >= 0) return undefined;
  return { key: line.slice(0, colon), secret: line.slice(colon + 1) };
}

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Byte order of the final MD5 digest in the crypt output (groups of three, then the last byte). */
const MD5_CRYPT_ORDER = [12, 6, 0, 13, 7, 1, 14, 8, 2, 15, 9, 3, 5, 10, 4, 11];

/**
 * MD5-crypt (Poul-Henning Kamp's algorithm; `$apr1$` is the same with another magic): returns the
 * full `magic + salt + '$' + 22 characters` string. `magic` includes both dollars (`$apr1$`).
 */
export function md5Crypt(password: Buffer, salt: Buffer, magic: string): string {
  const magicBytes = Buffer.from(magic, 'latin1');
  const alt = createHash('md5').update(password).update(salt).update(password).digest();
  const ctx = createHash('md5').update(password).update(magicBytes).update(salt);
  for (let left = password.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(16, left)));
  const zero = Buffer.alloc(1);
  const first = password.subarray(0, 1);
  for (let i = password.length; i !== 0; i >>= 1) ctx.update((i & 1) === 0 ? first : zero);
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const h = createHash('md5');
    h.update((i & 1) === 0 ? final : password);
    if (i % 3 !== 0) h.update(salt);
    if (i % 7 !== 0) h.update(password);
    h.update((i & 1) === 0 ? password : final);
    final = h.digest();
  }
  let out = '';
  let v = 0;
  let bits = 0;
  for (const index of MD5_CRYPT_ORDER) {
    v |= (final[index] as number) << bits;
    for (bits += 8; bits > 6; bits -= 6) {
      out += ITOA64[v & 0x3f];
      v >>>= 6;
    }
  }
  out += ITOA64[v & 0x3f];
  return magic + salt.toString('latin1') + '$' + out;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `{SHA}` secrets: base64 of the SHA-1 of the password. */
export function verifySha1(password: Buffer, secret: string): boolean {
  return sameText(secret.slice(5), createHash('sha1').update(password).digest('base64'));
}

/** MD5-crypt secrets of any magic (`$apr1$`, `$1$`); false when the secret is not `$magic$salt$hash`. */
export function verifyMd5Crypt(password: Buffer, secret: string): boolean {
  const parts = secret.split('$');
  if (parts.length < 4 || parts[0] !== '') return false;
  const magic = '$' + (parts[1] as string) + '$';
  const salt = Buffer.from(parts[2] as string, 'latin1');
  return sameText(secret, md5Crypt(password, salt, magic));
}

/**
 * Verify `password` against a stored htpasswd secret. Synchronous for SHA-1 and MD5-crypt, a
 * promise for bcrypt (`bcrypt` must then be given; without it, bcrypt secrets never match).
 */
export function verifyPassword(password: Buffer, secret: string, bcrypt: BcryptVerifier | null): boolean | Promise<boolean> {
  switch (hashScheme(secret)) {
    case 'sha1':
      return verifySha1(password, secret);
    case 'bcrypt':
      return bcrypt === null ? false : bcrypt.compare(password.toString('utf8'), secret);
    case 'md5crypt':
      return verifyMd5Crypt(password, secret);
  }
}
