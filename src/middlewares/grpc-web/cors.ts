/**
 * The CORS side of grpcWeb. Traefik wraps the gRPC-Web handler of improbable-eng/grpc-web in
 * rs/cors (v1.7) configured with: the origin check `allowOrigins` (exact, case-sensitive match or
 * `*`), every request header allowed, credentials allowed, max age 600 s, methods GET/POST/HEAD
 * (OPTIONS always). What that produces, reproduced here:
 * - preflight (OPTIONS with Access-Control-Request-Method): 200, empty body, never forwarded;
 *   `Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers` always; when the
 *   origin is allowed and the requested method is allowed: `Access-Control-Allow-Origin: <origin>`
 *   (the origin itself even for `*`), `Access-Control-Allow-Methods: <METHOD>`,
 *   `Access-Control-Allow-Headers: <requested names, Go canonical case, ", "-joined>`,
 *   `Access-Control-Allow-Credentials: true`, `Access-Control-Max-Age: 600`;
 * - actual request: `Vary: Origin` always; when the origin is allowed (and the method is GET,
 *   POST or HEAD): `Access-Control-Allow-Origin: <origin>` and `Access-Control-Allow-Credentials: true`.
 */
import type { Exchange } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';

const MAX_AGE = '600';

/** rs/cors v1.7 parseHeaderList: split on space/comma, keep [A-Za-z0-9-_.], Go canonical case. */
export function corsHeaderList(list: string): string[] {
  const out: string[] = [];
  let h = '';
  let upper = true;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c >= 97 && c <= 122) h += String.fromCharCode(upper ? c - 32 : c);
    else if (c >= 65 && c <= 90) h += String.fromCharCode(upper ? c : c + 32);
    else if (c === 45 || c === 95 || c === 46 || (c >= 48 && c <= 57)) h += list[i] as string;
    if (c === 32 || c === 44 || i === list.length - 1) {
      if (h !== '') {
        out.push(h);
        h = '';
        upper = true;
      }
    } else upper = c === 45;
  }
  return out;
}

function methodAllowed(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'OPTIONS' || m === 'GET' || m === 'POST' || m === 'HEAD';
}

export class GrpcWebCors {
  readonly #all: boolean;
  readonly #origins: ReadonlySet<string>;

  constructor(allowOrigins: readonly string[]) {
    this.#all = allowOrigins.includes('*');
    this.#origins = new Set(allowOrigins);
  }

  originAllowed(origin: string): boolean {
    return this.#all || this.#origins.has(origin);
  }

  /** An OPTIONS request rs/cors treats as a preflight. */
  static isPreflight(ex: Exchange): boolean {
    return ex.method === 'OPTIONS' && (ex.headers.get('access-control-request-method') ?? '') !== '';
  }

  /** Answers a preflight: 200 with no body; the CORS grant only for an allowed origin and method. */
  answerPreflight(ex: Exchange): void {
    const h = new HeaderList(['Vary', 'Origin', 'Vary', 'Access-Control-Request-Method', 'Vary', 'Access-Control-Request-Headers']);
    const origin = ex.headers.get('origin') ?? '';
    const method = ex.headers.get('access-control-request-method') ?? '';
    if (origin !== '' && this.originAllowed(origin) && methodAllowed(method)) {
      h.add('Access-Control-Allow-Origin', origin);
      h.add('Access-Control-Allow-Methods', method.toUpperCase());
      const requested = corsHeaderList(ex.headers.get('access-control-request-headers') ?? '');
      if (requested.length > 0) h.add('Access-Control-Allow-Headers', requested.join(', '));
      h.add('Access-Control-Allow-Credentials', 'true');
      h.add('Access-Control-Max-Age', MAX_AGE);
    }
    h.add('Content-Length', '0');
    ex.response.writeHead(200, h);
    ex.response.end();
  }

  /**
   * The CORS headers of an actual (non-preflight) request, as [name, value, ...] to put first in
   * the response head.
   */
  actualHeaders(ex: Exchange): string[] {
    const out = ['Vary', 'Origin'];
    if (ex.method === 'OPTIONS') return out;
    const origin = ex.headers.get('origin') ?? '';
    if (origin === '' || !this.originAllowed(origin) || !methodAllowed(ex.method)) return out;
    out.push('Access-Control-Allow-Origin', origin, 'Access-Control-Allow-Credentials', 'true');
    return out;
  }
}
