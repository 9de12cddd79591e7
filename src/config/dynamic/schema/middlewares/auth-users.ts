/**
 * What basicAuth and digestAuth share in configuration: the inline `users` list (each entry checked
 * for its number of `:`-separated parts, as Traefik's user parsers do), `realm` and `headerField`.
 * Messages name a user but never repeat a password hash.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import { type Field, type Scope, readString, readStringList } from '../fields.js';

/** Traefik's realm when `realm` is unset or empty. */
export const DEFAULT_REALM = 'traefik';

/** RFC 9110 token: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `users`: each entry must split on `:` into exactly `parts` pieces (`user:hash` for basicAuth,
 * `user:realm:hash` for digestAuth), none empty. `format` is shown in the error.
 */
export function readUsers(scope: Scope, f: Field | undefined, parts: number, format: string): string[] {
  const users = readStringList(scope, f) ?? [];
  if (f === undefined) return users;
  users.forEach((entry, i) => {
    const pieces = entry.split(':');
    const path = Array.isArray(f.value) ? [...f.path, i] : f.path;
    if (pieces.length !== parts || pieces.some((p) => p === '')) {
      const who = pieces.length > 1 && pieces[0] !== '' ? ` (user "${pieces[0]}")` : '';
      scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `expected "${format}"${who}, got an entry with ${pieces.length - 1} ":"${scope.leftOut}`);
    }
  });
  return users;
}

/** `realm`: printed inside a quoted challenge parameter, so no `"`, `\` or line break. */
export function readRealm(scope: Scope, f: Field | undefined): string {
  const realm = readString(scope, f) ?? '';
  if (f !== undefined && /["\\\r\n]/.test(realm)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `the realm must not contain a double quote, a backslash or a line break${scope.leftOut}`);
  }
  return realm === '' ? DEFAULT_REALM : realm;
}

/** `headerField`: a header name, or '' for none. */
export function readHeaderField(scope: Scope, f: Field | undefined): string {
  const name = readString(scope, f) ?? '';
  if (f !== undefined && name !== '' && !HEADER_NAME.test(name)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `"${name}" is not a valid header name${scope.leftOut}`);
  }
  return name;
}
