/**
 * headers: Traefik's headers middleware. Per request, in Traefik's order:
 * 1. with CORS options, a preflight is answered here (see cors.ts) and goes no further;
 * 2. customRequestHeaders are applied: an empty value deletes the header, `Host` rewrites the
 *    request host, any other value replaces the header;
 * 3. with security options, a host outside allowedHosts gets 500 `Bad Host` (see secure.ts);
 * 4. just before the response head goes out: the security headers are set, then
 *    customResponseHeaders (so they can override or delete a security header), then the CORS
 *    response headers.
 * Everything is computed once per configuration: a request allocates nothing, except one small
 * closure when the response must echo an allowed origin.
 */
import { type HeadersOptions, hasCorsHeaders, hasSecureHeaders } from '../../config/dynamic/schema/middlewares/headers.js';
import type { Exchange, Handler, HeadHook, Middleware } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { MiddlewareFactory } from '../registry.js';
import { CorsPolicy, OriginMatch } from './cors.js';
import { type HeaderPairs, SecurePolicy } from './secure.js';

interface HeaderEdit {
  readonly name: string;
  /** null = delete */
  readonly value: string | null;
}

function toEdits(map: Readonly<Record<string, string>>): HeaderEdit[] {
  return Object.entries(map).map(([name, value]) => ({ name, value: value === '' ? null : value }));
}

function applyEdits(edits: readonly HeaderEdit[], headers: HeaderList): void {
  for (const e of edits) {
    if (e.value === null) headers.delete(e.name);
    else headers.set(e.name, e.value);
  }
}

const NO_PAIRS: HeaderPairs = [];

/** Everything the response side does, given the request's security headers and allowed origin. */
class ResponsePlan {
  constructor(
    readonly custom: readonly HeaderEdit[],
    readonly cors: CorsPolicy | null,
  ) {}

  apply(h: HeaderList, pairs: HeaderPairs, allowOrigin: string | null): void {
    for (let i = 0; i < pairs.length; i += 2) h.set(pairs[i] as string, pairs[i + 1] as string);
    if (this.custom.length !== 0) applyEdits(this.custom, h);
    if (this.cors !== null) this.cors.applyResponse(h, allowOrigin);
  }

  hook(pairs: HeaderPairs, allowOrigin: string | null): HeadHook {
    return (_status, h) => this.apply(h, pairs, allowOrigin);
  }
}

export const headers: MiddlewareFactory<'headers'> = {
  kind: 'headers',
  create(options: HeadersOptions): Middleware {
    const cors = hasCorsHeaders(options) ? new CorsPolicy(options) : null;
    const secure = hasSecureHeaders(options) ? new SecurePolicy(options) : null;
    const all = toEdits(options.customRequestHeaders);
    const hostEdit = all.find((e) => e.name.toLowerCase() === 'host');
    const hostValue = hostEdit?.value ?? null;
    const requestEdits = all.filter((e) => e !== hostEdit);
    const plan = new ResponsePlan(toEdits(options.customResponseHeaders), cors);
    const plainPairs = secure?.plainHeaders ?? NO_PAIRS;
    const sslPairs = secure?.sslHeaders ?? NO_PAIRS;
    const needsHook = plan.custom.length !== 0 || cors !== null || plainPairs.length !== 0 || sslPairs.length !== 0;
    // The hooks that do not depend on the origin's text, built once: [no security headers (Bad
    // Host), plain, HTTPS] x [no Access-Control-Allow-Origin, `*`].
    const fixed: readonly (readonly [HeadHook, HeadHook])[] = [NO_PAIRS, plainPairs, sslPairs].map((p) => [plan.hook(p, null), plan.hook(p, '*')] as const);
    const checkSsl = secure?.dependsOnSsl === true;

    function hookFor(pairs: HeaderPairs, match: OriginMatch, origin: string): HeadHook {
      if (match === OriginMatch.Origin) return plan.hook(pairs, origin);
      const row = fixed[pairs === NO_PAIRS ? 0 : pairs === plainPairs ? 1 : 2] as readonly [HeadHook, HeadHook];
      return row[match === OriginMatch.Star ? 1 : 0];
    }

    return (next: Handler): Handler =>
      function headersHandler(ex: Exchange) {
        if (cors !== null && cors.isPreflight(ex)) {
          cors.answerPreflight(ex);
          return;
        }
        if (requestEdits.length !== 0) applyEdits(requestEdits, ex.headers);
        if (hostValue !== null) {
          ex.host = hostValue;
          ex.headers.set('Host', hostValue);
        }
        let origin = '';
        let match = OriginMatch.None;
        if (cors !== null) {
          origin = ex.headers.get('origin') ?? '';
          match = cors.match(origin);
        }
        let pairs = NO_PAIRS;
        if (secure !== null) {
          if (!secure.hostAllowed(ex)) {
            // unrolled/secure's bad-host answer; the custom and CORS response headers still apply.
            if (needsHook) ex.response.onHead(hookFor(NO_PAIRS, match, origin));
            ex.response.sendText(500, 'Bad Host\n');
            return;
          }
          pairs = checkSsl && secure.isSsl(ex) ? sslPairs : plainPairs;
        }
        if (needsHook) ex.response.onHead(hookFor(pairs, match, origin));
        return next(ex);
      };
  },
};
