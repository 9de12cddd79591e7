/**
 * `http.middlewares.<name>.basicAuth`: users (`user:hash`, htpasswd hashes), a users file read when
 * the middleware is built, realm, headerField and removeHeader. A hash Traefik can never verify
 * (plain text, SHA-crypt...) is a warning naming the user: that user can never log in.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readFields, readString } from '../fields.js';
import { readHeaderField, readRealm, readUsers } from './auth-users.js';

export interface BasicAuthOptions {
  /** `user:hash` entries, in order; they win over the file's entries for the same user. */
  readonly users: readonly string[];
  /** Path of an htpasswd file ('' = none), read when the middleware is built. */
  readonly usersFile: string;
  /** Challenge realm (Traefik's default `traefik` filled in). */
  readonly realm: string;
  /** Request header set to the authenticated user name ('' = none). */
  readonly headerField: string;
  /** Remove the Authorization header before forwarding. */
  readonly removeHeader: boolean;
}

/** The htpasswd hash forms Traefik verifies: apr1/MD5-crypt, `{SHA}` and bcrypt. */
export function isKnownHtpasswdHash(hash: string): boolean {
  return /^(\$apr1\$|\$1\$)[^$]*\$/.test(hash) || hash.startsWith('{SHA}') || /^\$2[abxy]\$/.test(hash);
}

export function readBasicAuth(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['users', 'usersFile', 'realm', 'headerField', 'removeHeader'] });
  if (fields === undefined) return undefined;
  const usersField = fields.get('users');
  const users = readUsers(scope, usersField, 2, 'user:hash');
  if (scope.ok && usersField !== undefined) {
    users.forEach((entry, i) => {
      const [user = '', hash = ''] = entry.split(':');
      if (!isKnownHtpasswdHash(hash)) {
        scope.warn(
          DYNAMIC_CODES.INVALID_VALUE,
          Array.isArray(usersField.value) ? [...usersField.path, i] : usersField.path,
          `the password hash of user "${user}" is not an htpasswd hash Traefik verifies (apr1 MD5, {SHA} or bcrypt): this user can never log in`,
        );
      }
    });
  }
  const usersFile = readString(scope, fields.get('usersFile')) ?? '';
  const realm = readRealm(scope, fields.get('realm'));
  const headerField = readHeaderField(scope, fields.get('headerField'));
  const removeHeader = readBool(scope, fields.get('removeHeader')) ?? false;
  if (!scope.ok) return undefined;
  const options: BasicAuthOptions = { users, usersFile, realm, headerField, removeHeader };
  return { kind: 'basicAuth', options };
}
