/**
 * digestAuth: HTTP Digest authentication (MD5, qop=auth) against htdigest users, as Traefik's
 * digestAuth. A request without valid credentials gets 401 with
 * `WWW-Authenticate: Digest realm="<realm>", nonce="...", opaque="...", algorithm="MD5", qop="auth"`
 * (`, stale=true` added when the credentials were right but the nonce is unknown or its count was
 * replayed, so clients retry without asking the user again). Success: `headerField` gets the user
 * name, Authorization is removed if `removeHeader`.
 *
 * Nonces live in the middleware instance, so they survive reloads that keep its configuration.
 */
import { timingSafeEqual } from 'node:crypto';
import type { DigestAuthOptions } from '../../config/dynamic/schema/middlewares/digest-auth.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import { sendUnauthorized } from '../auth-common/challenge.js';
import { loadUsers } from '../auth-common/users.js';
import type { MiddlewareFactory } from '../registry.js';
import { NonceStore, digestResponse, parseDigestAuthorization, parseDigestUser, parseNonceCount, randomKey } from './digest.js';

/** What the check reads of a request. */
export type DigestRequest = Pick<Exchange, 'headers' | 'method' | 'path' | 'query'>;

/** Outcome of checking one request's credentials. */
export type DigestCheck = { readonly user: string } | 'fail' | 'stale';

/** Scheme and authority of an absolute URI, which go-http-auth's path comparison ignores. */
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

function decodedPath(uri: string): string | undefined {
  let path = uri.replace(ABSOLUTE, '');
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/**
 * The `uri` parameter must be the request target, or (go-http-auth's historical leniency) a URI
 * whose decoded path is a prefix of the request's decoded path.
 */
function uriMatches(uri: string, ex: DigestRequest): boolean {
  const target = ex.query === null ? ex.path : ex.path + '?' + ex.query;
  if (uri === target) return true;
  const given = decodedPath(uri);
  const actual = decodedPath(ex.path);
  return given !== undefined && actual !== undefined && given.length <= actual.length && actual.startsWith(given);
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'latin1');
  const y = Buffer.from(b, 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Checks Digest credentials; exported for unit tests of the protocol without a server. */
export class DigestVerifier {
  readonly nonces = new NonceStore();
  readonly opaque = randomKey();

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    readonly realm: string,
  ) {}

  challenge(stale: boolean): string {
    const nonce = this.nonces.issue();
    const base = `Digest realm="${this.realm}", nonce="${nonce}", opaque="${this.opaque}", algorithm="MD5", qop="auth"`;
    return stale ? base + ', stale=true' : base;
  }

  check(ex: DigestRequest): DigestCheck {
    const auth = parseDigestAuthorization(ex.headers.get('authorization'));
    if (auth === undefined) return 'fail';
    const algorithm = auth.get('algorithm') ?? 'MD5';
    if (auth.get('opaque') !== this.opaque || algorithm !== 'MD5' || auth.get('qop') !== 'auth') return 'fail';
    const uri = auth.get('uri') ?? '';
    if (!uriMatches(uri, ex)) return 'fail';
    const user = auth.get('username') ?? '';
    const ha1 = this.users.get(user + ':' + this.realm);
    // Unknown users fail here: an empty HA1 must never be usable as a known secret.
    if (ha1 === undefined || ha1 === '') return 'fail';
    const nonce = auth.get('nonce') ?? '';
    const ncText = auth.get('nc') ?? '';
    const expected = digestResponse(ha1, nonce, ncText, auth.get('cnonce') ?? '', 'auth', ex.method, uri);
    if (!sameHex(expected, auth.get('response') ?? '')) return 'fail';
    const nc = parseNonceCount(ncText);
    if (nc === undefined) return 'fail';
    if (this.nonces.use(nonce, nc) === 'stale') return 'stale';
    return { user };
  }
}

export const digestAuth: MiddlewareFactory<'digestAuth'> = {
  kind: 'digestAuth',
  create(options: DigestAuthOptions): Middleware {
    const users = loadUsers(options.usersFile, options.users, parseDigestUser, 'user:realm:hash');
    const verifier = new DigestVerifier(users, options.realm);
    const headerField = options.headerField;
    const removeHeader = options.removeHeader;
    return (next: Handler): Handler =>
      function digestAuthHandler(ex: Exchange) {
        const result = verifier.check(ex);
        // Traefik's ClientUsername (access log): the user named, even when refused.
        if (ex.record !== null) {
          const named = typeof result === 'string' ? parseDigestAuthorization(ex.headers.get('authorization'))?.get('username') : result.user;
          if (named !== undefined && named !== '') ex.record.clientUsername = named;
        }
        if (typeof result === 'string') {
          sendUnauthorized(ex.response, verifier.challenge(result === 'stale'));
          return;
        }
        if (headerField !== '') ex.headers.set(headerField, result.user);
        if (removeHeader) ex.headers.delete('authorization');
        return next(ex);
      };
  },
};
