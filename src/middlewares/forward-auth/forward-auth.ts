/**
 * forwardAuth: asks an authentication server about every request, as Traefik v3 does.
 * - The auth request is a GET (or the request's method with preserveRequestMethod) to `address`,
 *   with the client's headers and X-Forwarded-* (see auth-request.ts), and with the body when
 *   forwardBody (read whole, then replayed to the upstream; over maxBodySize -> 401).
 * - 2xx: the request continues; authResponseHeaders (and headers matching
 *   authResponseHeadersRegex) are copied from the auth answer onto it, replacing; Set-Cookie of
 *   the names in addAuthCookiesToResponse go onto the final response.
 * - Any other status: the auth server's answer (status, headers minus hop-by-hop, body) is the
 *   response; a relative Location is made absolute against `address` unless
 *   preserveLocationHeader; a 401 with authSigninURL set becomes a 302 to it.
 * - Auth server unreachable, failing or slower than 30 s: 500 with an empty body; the client
 *   leaving first: the auth request is abandoned (499).
 */
import { Readable } from 'node:stream';
import type { ForwardAuthOptions } from '../../config/dynamic/schema/middlewares/forward-auth.js';
import { ProxyError } from '../../errors/codes.js';
import type { Exchange, Handler, HeadHook, Middleware } from '../../exchange/exchange.js';
import { HeaderList, equalsLower } from '../../exchange/headers.js';
import { translateRe2 } from '../../rules/re2.js';
import type { MiddlewareFactory } from '../registry.js';
import { AuthClient, type AuthResponse } from './auth-client.js';
import { type AuthRequestHeaderOptions, allowedHeaders, buildAuthRequestHeaders, canonicalHeaderKey } from './auth-request.js';
import { readRequestBody, replaceRequestBody } from './request-body.js';

/**
 * Headers an auth answer may never put on the forwarded request, whatever the configuration
 * says: they frame or route the request, and the forwarder trusts them.
 */
const PROTECTED = ['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];
/** Headers of a non-2xx auth answer not passed to the client (Traefik's hop-by-hop list). */
const HOP = ['connection', 'keep-alive', 'te', 'trailers', 'transfer-encoding', 'upgrade'];

function inList(name: string, list: readonly string[]): boolean {
  for (const l of list) if (equalsLower(name, l)) return true;
  return false;
}

/** The cookie name of a Set-Cookie value (text before the first `=`, trimmed), or ''. */
export function cookieName(setCookie: string): string {
  const semi = setCookie.indexOf(';');
  const pair = semi < 0 ? setCookie : setCookie.slice(0, semi);
  const eq = pair.indexOf('=');
  return eq < 0 ? '' : pair.slice(0, eq).trim();
}

/** Location of a non-2xx answer: absolute against the auth address (Go's Response.Location). */
export function resolveLocation(location: string, address: string, preserve: boolean): string | undefined {
  if (preserve || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(location)) return location;
  try {
    return new URL(location, address).href;
  } catch {
    return undefined;
  }
}

function sendEmpty(ex: Exchange, status: number): void {
  if (ex.response.clientGone) return;
  ex.response.writeHead(status, new HeaderList(['Content-Length', '0']));
  ex.response.end();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Go's http.Redirect(302): Location, and for GET a tiny HTML body. */
function redirectToSignin(ex: Exchange, url: string): void {
  if (ex.response.clientGone) return;
  const h = new HeaderList(['Location', url]);
  const getOrHead = ex.method === 'GET' || ex.method === 'HEAD';
  if (getOrHead) h.add('Content-Type', 'text/html; charset=utf-8');
  const body = ex.method === 'GET' ? Buffer.from(`<a href="${escapeHtml(url)}">Found</a>.\n\n`) : Buffer.alloc(0);
  h.add('Content-Length', String(body.length));
  ex.response.writeHead(302, h);
  ex.response.end(body);
}

interface Compiled {
  readonly client: AuthClient;
  readonly headerOptions: AuthRequestHeaderOptions;
  readonly responseHeaders: readonly string[];
  readonly responseRegex: RegExp | null;
  readonly cookieNames: ReadonlySet<string>;
  readonly options: ForwardAuthOptions;
}

/** A non-2xx answer goes back to the client as it is. */
function passBack(ex: Exchange, c: Compiled, res: AuthResponse): void {
  if (ex.response.clientGone) return;
  const h = new HeaderList();
  res.headers.forEach((name, value) => {
    if (!inList(name, HOP)) h.add(name, value);
  });
  const location = h.get('location');
  if (location !== undefined && location !== '') {
    const resolved = resolveLocation(location, c.client.address, c.options.preserveLocationHeader);
    if (resolved === undefined) {
      sendEmpty(ex, 500);
      return;
    }
    h.set('Location', resolved);
  }
  if (!h.has('content-length') && res.status !== 204 && res.status !== 304) h.set('Content-Length', String(res.body.length));
  ex.response.writeHead(res.status, h);
  ex.response.end(res.body.length > 0 ? res.body : undefined);
}

/** 2xx: copy the configured auth answer headers onto the request. */
function applyAuthHeaders(ex: Exchange, c: Compiled, res: AuthResponse): void {
  for (const name of c.responseHeaders) {
    if (inList(name, PROTECTED)) continue;
    ex.headers.delete(name);
    const canonical = canonicalHeaderKey(name);
    for (const v of res.headers.getAll(name.toLowerCase())) ex.headers.add(canonical, v);
  }
  const re = c.responseRegex;
  if (re === null) return;
  const raw = ex.headers.raw;
  for (let i = 0; i < raw.length; ) {
    const name = raw[i] as string;
    if (!inList(name, PROTECTED) && re.test(canonicalHeaderKey(name))) raw.splice(i, 2);
    else i += 2;
  }
  res.headers.forEach((name, value) => {
    const canonical = canonicalHeaderKey(name);
    if (!inList(name, PROTECTED) && re.test(canonical)) ex.headers.add(canonical, value);
  });
}

/** Set-Cookie of the listed names: the auth server's replace the upstream's on the final response. */
function cookieHook(names: ReadonlySet<string>, authCookies: readonly string[]): HeadHook {
  return (_status, headers) => {
    const raw = headers.raw;
    for (let i = 0; i < raw.length; ) {
      if (equalsLower(raw[i] as string, 'set-cookie') && names.has(cookieName(raw[i + 1] as string))) raw.splice(i, 2);
      else i += 2;
    }
    for (const c of authCookies) headers.add('Set-Cookie', c);
  };
}

async function authenticate(ex: Exchange, c: Compiled, next: Handler): Promise<void> {
  const o = c.options;
  let body: Buffer | null = null;
  const unknownLengthConnect = ex.method === 'CONNECT' && !ex.headers.has('content-length');
  if (o.forwardBody && ex.body !== null && !unknownLengthConnect) {
    const read = await readRequestBody(ex.body, o.maxBodySize);
    if (read === 'tooLarge') return sendEmpty(ex, 401);
    if (read === 'failed') {
      if (ex.response.clientGone) throw new ProxyError('TPK_ERR_CLIENT_GONE', 'client left while forwardAuth read the request body');
      return sendEmpty(ex, 500);
    }
    if (read.length > 0) {
      body = read;
      replaceRequestBody(ex, Readable.from([read]));
    }
  }

  const headers = buildAuthRequestHeaders(ex, c.headerOptions);
  const abort = new AbortController();
  ex.response.onClientGone(() => abort.abort());
  let res;
  try {
    res = await c.client.call(o.preserveRequestMethod ? ex.method : 'GET', headers, body, o.maxResponseBodySize, abort.signal);
  } catch (err) {
    if (abort.signal.aborted || ex.response.clientGone) throw new ProxyError('TPK_ERR_CLIENT_GONE', 'client left during the forwardAuth request', { cause: err });
    return sendEmpty(ex, 500);
  }
  if (res === 'tooLarge') return sendEmpty(ex, 401);
  if (o.authSigninURL !== '' && res.status === 401) return redirectToSignin(ex, o.authSigninURL);
  if (res.status < 200 || res.status >= 300) return passBack(ex, c, res);

  applyAuthHeaders(ex, c, res);
  if (c.cookieNames.size > 0) {
    const all = res.headers.getAll('set-cookie');
    if (all.length > 0) ex.response.onHead(cookieHook(c.cookieNames, all.filter((s) => c.cookieNames.has(cookieName(s)))));
  }
  return next(ex);
}

export const forwardAuth: MiddlewareFactory<'forwardAuth'> = {
  kind: 'forwardAuth',
  create(options: ForwardAuthOptions): Middleware {
    let responseRegex: RegExp | null = null;
    if (options.authResponseHeadersRegex !== '') {
      const t = translateRe2(options.authResponseHeadersRegex);
      responseRegex = new RegExp(t.source, t.flags.replace(/[gy]/g, ''));
    }
    const c: Compiled = {
      client: new AuthClient(options.address, options.tls),
      headerOptions: { trustForwardHeader: options.trustForwardHeader, ...allowedHeaders(options.authRequestHeaders, options.trustForwardHeader) },
      responseHeaders: options.authResponseHeaders,
      responseRegex,
      cookieNames: new Set(options.addAuthCookiesToResponse),
      options,
    };
    return (next: Handler): Handler =>
      function forwardAuthHandler(ex: Exchange) {
        return authenticate(ex, c, next);
      };
  },
};
