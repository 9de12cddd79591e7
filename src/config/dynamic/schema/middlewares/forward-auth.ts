/**
 * `http.middlewares.<name>.forwardAuth`: delegate authentication to an HTTP(S) server. Checked at
 * configuration time: the address is an http(s) URL, the header regex compiles (Go RE2 syntax),
 * header names are valid, sizes are integers >= -1, and tls cert and key come together.
 * Files named in `tls` are read when the middleware is built.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { Re2Error, translateRe2 } from '../../../../rules/re2.js';
import { type Field, type Fields, type KeyPath, type Scope, readBool, readFields, readInt, readSection, readString, readStringList } from '../fields.js';

export interface ForwardAuthTlsOptions {
  /** CA certificates (a PEM file path or inline PEM; '' = Node's default trust store). */
  readonly ca: string;
  /** Client certificate and key (file path or inline PEM; both '' = none). */
  readonly cert: string;
  readonly key: string;
  readonly insecureSkipVerify: boolean;
}

export interface ForwardAuthOptions {
  /** http:// or https:// URL of the authentication server. */
  readonly address: string;
  /**
   * true: X-Forwarded-* headers of the request are kept and completed; false: they are removed
   * and set from the request; undefined (unset): Traefik's legacy behaviour (see the factory).
   */
  readonly trustForwardHeader: boolean | undefined;
  /** Headers copied from a 2xx auth response onto the forwarded request (replacing). */
  readonly authResponseHeaders: readonly string[];
  /** RE2 pattern ('' = none): matching request headers are removed, matching auth response headers copied. */
  readonly authResponseHeadersRegex: string;
  /** Request headers sent to the auth server; empty = all. */
  readonly authRequestHeaders: readonly string[];
  /** Cookie names whose Set-Cookie from a 2xx auth response is added to the final response. */
  readonly addAuthCookiesToResponse: readonly string[];
  /** Send the request body to the auth server (it is buffered, then forwarded upstream too). */
  readonly forwardBody: boolean;
  /** Largest body read with forwardBody, in bytes; -1 = unlimited. Larger: 401. */
  readonly maxBodySize: number;
  /** Largest auth response body read, in bytes; -1 = unlimited. Larger: 401. */
  readonly maxResponseBodySize: number;
  /** Auth response header naming the user, for the access log ('' = none). */
  readonly headerField: string;
  /** Pass a relative Location of a non-2xx auth response as is instead of resolving it. */
  readonly preserveLocationHeader: boolean;
  /** Call the auth server with the request's method instead of GET. */
  readonly preserveRequestMethod: boolean;
  /** When set, a 401 from the auth server becomes a 302 to this URL. */
  readonly authSigninURL: string;
  /** undefined = no tls section (default client settings). */
  readonly tls: ForwardAuthTlsOptions | undefined;
}

const KEYS = {
  supported: [
    'address',
    'trustForwardHeader',
    'authResponseHeaders',
    'authResponseHeadersRegex',
    'authRequestHeaders',
    'addAuthCookiesToResponse',
    'forwardBody',
    'maxBodySize',
    'maxResponseBodySize',
    'headerField',
    'preserveLocationHeader',
    'preserveRequestMethod',
    'authSigninURL',
    'tls',
  ],
} as const;

const TLS_KEYS = {
  supported: ['ca', 'cert', 'key', 'insecureSkipVerify'],
  ignored: { caOptional: 'forwardAuth.tls.caOptional is deprecated in Traefik (client authentication is a server-side option) and has no effect; it is ignored' },
} as const;

/** RFC 9110 token: what a header (or cookie) name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function readForwardAuth(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, KEYS);
  if (fields === undefined) return undefined;
  const address = readHttpUrl(scope, fields.get('address'), true, f.path) ?? '';
  const trustForwardHeader = readBool(scope, fields.get('trustForwardHeader'));
  const authResponseHeaders = readTokens(scope, fields.get('authResponseHeaders'), 'header');
  const authRequestHeaders = readTokens(scope, fields.get('authRequestHeaders'), 'header');
  const addAuthCookiesToResponse = readTokens(scope, fields.get('addAuthCookiesToResponse'), 'cookie');
  const authResponseHeadersRegex = readRegex(scope, fields.get('authResponseHeadersRegex'));
  const forwardBody = readBool(scope, fields.get('forwardBody')) ?? false;
  const maxBodySize = readInt(scope, fields.get('maxBodySize'), { min: -1n, max: BigInt(Number.MAX_SAFE_INTEGER) }) ?? -1;
  const maxResponseBodySize = readInt(scope, fields.get('maxResponseBodySize'), { min: -1n, max: BigInt(Number.MAX_SAFE_INTEGER) }) ?? -1;
  const headerField = readString(scope, fields.get('headerField')) ?? '';
  const preserveLocationHeader = readBool(scope, fields.get('preserveLocationHeader')) ?? false;
  const preserveRequestMethod = readBool(scope, fields.get('preserveRequestMethod')) ?? false;
  const authSigninURL = readString(scope, fields.get('authSigninURL')) ?? '';
  const signinField = fields.get('authSigninURL');
  if (signinField !== undefined && /[\r\n\0]/.test(authSigninURL)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, signinField.path, `authSigninURL must not contain a line break or NUL${scope.leftOut}`);
  }
  const tls = readTls(scope, fields);
  if (!scope.ok) return undefined;
  const options: ForwardAuthOptions = {
    address,
    trustForwardHeader,
    authResponseHeaders,
    authResponseHeadersRegex,
    authRequestHeaders,
    addAuthCookiesToResponse,
    forwardBody,
    maxBodySize,
    maxResponseBodySize,
    headerField,
    preserveLocationHeader,
    preserveRequestMethod,
    authSigninURL,
    tls,
  };
  return { kind: 'forwardAuth', options };
}

function readHttpUrl(scope: Scope, f: Field | undefined, required: boolean, parent: KeyPath): string | undefined {
  const text = readString(scope, f);
  if (f === undefined || text === undefined || text.trim() === '') {
    if (required && scope.ok) {
      scope.error(DYNAMIC_CODES.MISSING_KEY, f?.path ?? [...parent, 'address'], `"address" is required (the authentication server URL, e.g. http://auth:8080/verify)${scope.leftOut}`);
    }
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected an http:// or https:// URL of the authentication server, got "${text}"${scope.leftOut}`);
    return undefined;
  }
  if (url.username !== '' || url.password !== '') {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `the address must not carry user information (user:password@)${scope.leftOut}`);
    return undefined;
  }
  return text;
}

function readTokens(scope: Scope, f: Field | undefined, what: 'header' | 'cookie'): string[] {
  const list = readStringList(scope, f) ?? [];
  if (f === undefined) return list;
  list.forEach((name, i) => {
    if (!TOKEN.test(name)) {
      const path = Array.isArray(f.value) ? [...f.path, i] : f.path;
      scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `"${name}" is not a valid ${what} name${scope.leftOut}`);
    }
  });
  return list;
}

function readRegex(scope: Scope, f: Field | undefined): string {
  const pattern = readString(scope, f) ?? '';
  if (f === undefined || pattern === '') return pattern;
  try {
    const t = translateRe2(pattern);
    new RegExp(t.source, t.flags);
  } catch (err) {
    const reason = err instanceof Re2Error || err instanceof SyntaxError ? err.message : String(err);
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `invalid regular expression: ${reason}${scope.leftOut}`);
  }
  return pattern;
}

function readTls(scope: Scope, fields: Fields): ForwardAuthTlsOptions | undefined {
  const f = fields.get('tls');
  const section = readSection(scope, f);
  if (f === undefined || section === undefined || section === false) return undefined;
  const t = readFields(scope, section, f.path, TLS_KEYS);
  if (t === undefined) return undefined;
  const ca = readString(scope, t.get('ca')) ?? '';
  const cert = readString(scope, t.get('cert')) ?? '';
  const key = readString(scope, t.get('key')) ?? '';
  const insecureSkipVerify = readBool(scope, t.get('insecureSkipVerify')) ?? false;
  if ((cert === '') !== (key === '')) {
    const missing = cert === '' ? 'cert' : 'key';
    scope.error(DYNAMIC_CODES.MISSING_KEY, [...f.path, missing], `both TLS cert and key must be defined (a client certificate needs its key)${scope.leftOut}`);
  }
  return { ca, cert, key, insecureSkipVerify };
}
