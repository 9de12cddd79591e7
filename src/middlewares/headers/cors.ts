/**
 * The CORS part of the headers middleware, as Traefik does it:
 * - a preflight (OPTIONS with both `Origin` and `Access-Control-Request-Method`) is answered by
 *   the proxy itself with 200 and no body: Access-Control-Allow-Credentials (when on),
 *   -Allow-Headers and -Allow-Methods (comma-joined, when set), -Allow-Origin (when the origin is
 *   allowed) and -Max-Age (always, `0` included); it is never forwarded;
 * - on other responses, Access-Control-Allow-Origin is set (overwriting the backend's) when the
 *   request origin is allowed, -Allow-Credentials and -Expose-Headers when configured, and
 *   `Origin` is appended to Vary when addVaryHeader is on.
 * An origin is allowed by the first list entry equal to it (the answer is the origin) or equal to
 * `*` (the answer is `*`), else by the first regex found in it (the answer is the origin).
 */
import type { HeadersOptions } from '../../config/dynamic/schema/middlewares/headers.js';
import type { Exchange } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { translateRe2 } from '../../rules/re2.js';

/** Result of matching an origin: no Access-Control-Allow-Origin, `*`, or the origin itself. */
export const enum OriginMatch {
  None,
  Star,
  Origin,
}

export class CorsPolicy {
  readonly #list: readonly string[];
  readonly #regexes: readonly RegExp[];
  readonly #credentials: boolean;
  readonly #allowHeaders: string;
  readonly #allowMethods: string;
  readonly #exposeHeaders: string;
  readonly #maxAge: string;
  readonly #vary: boolean;

  /** Throws when an origin regex does not compile (the reader already checked them). */
  constructor(o: HeadersOptions) {
    this.#list = o.accessControlAllowOriginList;
    this.#regexes = o.accessControlAllowOriginListRegex.map((p) => {
      const t = translateRe2(p);
      return new RegExp(t.source, t.flags);
    });
    this.#credentials = o.accessControlAllowCredentials;
    this.#allowHeaders = o.accessControlAllowHeaders.join(',');
    this.#allowMethods = o.accessControlAllowMethods.join(',');
    this.#exposeHeaders = o.accessControlExposeHeaders.join(',');
    this.#maxAge = String(o.accessControlMaxAge);
    this.#vary = o.addVaryHeader;
  }

  /** OPTIONS with a non-empty Origin and Access-Control-Request-Method. */
  isPreflight(ex: Exchange): boolean {
    if (ex.method !== 'OPTIONS') return false;
    const origin = ex.headers.get('origin');
    if (origin === undefined || origin === '') return false;
    const method = ex.headers.get('access-control-request-method');
    return method !== undefined && method !== '';
  }

  /** How `origin` ('' when the request has none) is allowed. */
  match(origin: string): OriginMatch {
    for (const item of this.#list) {
      if (item === '*') return OriginMatch.Star;
      if (item === origin) return OriginMatch.Origin;
    }
    for (const re of this.#regexes) if (re.test(origin)) return OriginMatch.Origin;
    return OriginMatch.None;
  }

  /** Answers a preflight request (200, empty body); the request goes no further. */
  answerPreflight(ex: Exchange): void {
    const h = new HeaderList();
    if (this.#credentials) h.add('Access-Control-Allow-Credentials', 'true');
    if (this.#allowHeaders !== '') h.add('Access-Control-Allow-Headers', this.#allowHeaders);
    if (this.#allowMethods !== '') h.add('Access-Control-Allow-Methods', this.#allowMethods);
    const origin = ex.headers.get('origin') ?? '';
    const m = this.match(origin);
    if (m !== OriginMatch.None) h.add('Access-Control-Allow-Origin', m === OriginMatch.Star ? '*' : origin);
    h.add('Access-Control-Max-Age', this.#maxAge);
    h.add('Content-Length', '0');
    ex.response.writeHead(200, h);
    ex.response.end();
  }

  /** Response side; `allowOrigin` is the Access-Control-Allow-Origin value, or null for none. */
  applyResponse(h: HeaderList, allowOrigin: string | null): void {
    if (allowOrigin !== null) h.set('Access-Control-Allow-Origin', allowOrigin);
    if (this.#credentials) h.set('Access-Control-Allow-Credentials', 'true');
    if (this.#exposeHeaders !== '') h.set('Access-Control-Expose-Headers', this.#exposeHeaders);
    if (!this.#vary) return;
    // Traefik reads the first Vary value and replaces every Vary line with it plus ",Origin".
    const vary = h.get('vary');
    if (vary === 'Origin') return;
    h.set('Vary', vary === undefined || vary === '' ? 'Origin' : vary + ',Origin');
  }
}
