/**
 * basicAuth: `Authorization: Basic base64(user:password)` checked against htpasswd hashes (users
 * and usersFile). Failure: 401 with `WWW-Authenticate: Basic realm="<realm>"`. Success: the user
 * name goes into `headerField` (if set), Authorization is removed if `removeHeader`, and the request
 * continues.
 *
 * Hashing is slow by design (bcrypt: tens of ms), so credentials that verified are remembered:
 * a bounded LRU keyed by a SHA-256 of the Authorization value (never the password itself) makes
 * later requests a map look-up, and concurrent checks of the same credentials share one
 * verification (Traefik's singleflight). The users are fixed for the life of the instance, so a
 * remembered success cannot go stale.
 */
import { createHash } from 'node:crypto';
import type { BasicAuthOptions } from '../../config/dynamic/schema/middlewares/basic-auth.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import { sendUnauthorized } from '../auth-common/challenge.js';
import { loadUsers } from '../auth-common/users.js';
import type { MiddlewareFactory } from '../registry.js';
import { loadBcrypt } from './bcrypt.js';
import { hashScheme, parseBasicUser, verifyPassword } from './htpasswd.js';

/** Successful credentials remembered per middleware instance. */
const CACHE_SIZE = 1024;
/** Strict base64 (Go's StdEncoding: padded, no stray characters). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface BasicCredentials {
  readonly user: string;
  readonly password: Buffer;
}

/**
 * The credentials of an Authorization value, as Go's Request.BasicAuth reads them: scheme `Basic`
 * (any case) and one space, strict base64, user and password split at the first `:`.
 */
export function parseBasicAuthorization(value: string | undefined): BasicCredentials | undefined {
  if (value === undefined || value.length < 6 || value.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const encoded = value.slice(6);
  if (!BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon < 0) return undefined;
  return { user: decoded.subarray(0, colon).toString('utf8'), password: decoded.subarray(colon + 1) };
}

/** Checks credentials against the users; remembers successes. Exported for tests. */
export class BasicVerifier {
  readonly #users: ReadonlyMap<string, string>;
  readonly #bcrypt: ReturnType<typeof loadBcrypt>;
  /** sha256(Authorization value) -> user name, in least-recently-used order. */
  readonly #verified = new Map<string, string>();
  readonly #inFlight = new Map<string, Promise<string | null>>();

  constructor(users: ReadonlyMap<string, string>, bcrypt: ReturnType<typeof loadBcrypt>) {
    this.#users = users;
    this.#bcrypt = bcrypt;
  }

  /** The authenticated user name, or null; a promise only when a slow hash must be computed. */
  check(authorization: string | undefined): string | null | Promise<string | null> {
    if (authorization === undefined) return null;
    const key = createHash('sha256').update(authorization).digest('base64');
    const known = this.#verified.get(key);
    if (known !== undefined) {
      this.#verified.delete(key);
      this.#verified.set(key, known);
      return known;
    }
    const creds = parseBasicAuthorization(authorization);
    if (creds === undefined) return null;
    const secret = this.#users.get(creds.user);
    if (secret === undefined || secret === '') return null;
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    const result = verifyPassword(creds.password, secret, this.#bcrypt);
    if (typeof result === 'boolean') return this.#settle(key, creds.user, result);
    const p = result.then(
      (ok) => this.#settle(key, creds.user, ok),
      () => null,
    );
    this.#inFlight.set(key, p);
    void p.finally(() => this.#inFlight.delete(key));
    return p;
  }

  #settle(key: string, user: string, ok: boolean): string | null {
    if (!ok) return null;
    if (this.#verified.size >= CACHE_SIZE) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(key, user);
    return user;
  }
}

export const basicAuth: MiddlewareFactory<'basicAuth'> = {
  kind: 'basicAuth',
  create(options: BasicAuthOptions): Middleware {
    const users = loadUsers(options.usersFile, options.users, parseBasicUser, 'user:hash');
    let bcrypt: ReturnType<typeof loadBcrypt> = null;
    for (const [user, secret] of users) {
      if (hashScheme(secret) !== 'bcrypt') continue;
      bcrypt = loadBcrypt();
      if (bcrypt === null) {
        throw new Error(`user "${user}" has a bcrypt hash, which needs the "bcryptjs" package (npm install bcryptjs)`);
      }
      break;
    }
    const verifier = new BasicVerifier(users, bcrypt);
    const challenge = `Basic realm="${options.realm}"`;
    const headerField = options.headerField;
    const removeHeader = options.removeHeader;

    return (next: Handler): Handler => {
      const pass = (ex: Exchange, user: string | null): void | Promise<void> => {
        // Traefik's ClientUsername (access log): the user named, even when refused.
        if (ex.record !== null) ex.record.clientUsername = user ?? parseBasicAuthorization(ex.headers.get('authorization'))?.user ?? '';
        if (user === null) {
          sendUnauthorized(ex.response, challenge);
          return;
        }
        if (headerField !== '') ex.headers.set(headerField, user);
        if (removeHeader) ex.headers.delete('authorization');
        return next(ex);
      };
      return function basicAuthHandler(ex: Exchange) {
        const user = verifier.check(ex.headers.get('authorization'));
        if (user === null || typeof user === 'string') return pass(ex, user);
        return user.then((u) => pass(ex, u));
      };
    };
  },
};
