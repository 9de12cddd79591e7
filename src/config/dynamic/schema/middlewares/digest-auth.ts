/**
 * `http.middlewares.<name>.digestAuth`: users as htdigest lines (`user:realm:HA1`, HA1 being
 * md5(`user:realm:password`) in hex), a users file read when the middleware is built, realm,
 * headerField and removeHeader.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readFields, readString } from '../fields.js';
import { readHeaderField, readRealm, readUsers } from './auth-users.js';

export interface DigestAuthOptions {
  /** `user:realm:HA1` entries; they win over the file's entries for the same user and realm. */
  readonly users: readonly string[];
  /** Path of an htdigest file ('' = none), read when the middleware is built. */
  readonly usersFile: string;
  /** Challenge realm (default `traefik`); only users of this realm can log in. */
  readonly realm: string;
  /** Request header set to the authenticated user name ('' = none). */
  readonly headerField: string;
  /** Remove the Authorization header before forwarding. */
  readonly removeHeader: boolean;
}

const HEX_MD5 = /^[0-9a-f]{32}$/;

export function readDigestAuth(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['users', 'usersFile', 'realm', 'headerField', 'removeHeader'] });
  if (fields === undefined) return undefined;
  const usersField = fields.get('users');
  const users = readUsers(scope, usersField, 3, 'user:realm:md5(user:realm:password)');
  const realm = readRealm(scope, fields.get('realm'));
  if (scope.ok && usersField !== undefined) {
    users.forEach((entry, i) => {
      const [user = '', userRealm = '', ha1 = ''] = entry.split(':');
      const path = Array.isArray(usersField.value) ? [...usersField.path, i] : usersField.path;
      if (!HEX_MD5.test(ha1)) {
        scope.warn(DYNAMIC_CODES.INVALID_VALUE, path, `the hash of user "${user}" is not 32 lower-case hex digits (md5 of "user:realm:password"): this user can never log in`);
      } else if (userRealm !== realm) {
        scope.warn(DYNAMIC_CODES.INVALID_VALUE, path, `user "${user}" belongs to realm "${userRealm}", not to this middleware's realm "${realm}": this user can never log in`);
      }
    });
  }
  const usersFile = readString(scope, fields.get('usersFile')) ?? '';
  const headerField = readHeaderField(scope, fields.get('headerField'));
  const removeHeader = readBool(scope, fields.get('removeHeader')) ?? false;
  if (!scope.ok) return undefined;
  const options: DigestAuthOptions = { users, usersFile, realm, headerField, removeHeader };
  return { kind: 'digestAuth', options };
}
