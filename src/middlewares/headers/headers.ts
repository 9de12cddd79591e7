/**
 * headers: custom request and response headers (the rest of Traefik's headers options — CORS,
 * security headers — come with the middleware issue). An empty value deletes the header;
 * a request header named Host rewrites the request host.
 */
import type { HeadersOptions } from '../../config/dynamic/types.js';
import type { Exchange, Handler, HeadHook, Middleware } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { MiddlewareFactory } from '../registry.js';

interface HeaderEdit {
  readonly name: string;
  /** null = delete */
  readonly value: string | null;
}

function toEdits(map: Readonly<Record<string, string>>): HeaderEdit[] {
  return Object.entries(map).map(([name, value]) => ({ name, value: value === '' ? null : value }));
}

function apply(edits: readonly HeaderEdit[], headers: HeaderList): void {
  for (const e of edits) {
    if (e.value === null) headers.delete(e.name);
    else headers.set(e.name, e.value);
  }
}

export const headers: MiddlewareFactory<'headers'> = {
  kind: 'headers',
  create(options: HeadersOptions): Middleware {
    const all = toEdits(options.customRequestHeaders);
    const hostEdit = all.find((e) => e.name.toLowerCase() === 'host');
    const requestEdits = all.filter((e) => e !== hostEdit);
    const responseEdits = toEdits(options.customResponseHeaders);
    // One hook per middleware instance, not per request.
    const responseHook: HeadHook | null =
      responseEdits.length === 0 ? null : (_status, h) => apply(responseEdits, h);
    return (next: Handler): Handler =>
      function headersHandler(ex: Exchange) {
        if (requestEdits.length !== 0) apply(requestEdits, ex.headers);
        if (hostEdit?.value) {
          ex.host = hostEdit.value;
          ex.headers.set('Host', hostEdit.value);
        }
        if (responseHook !== null) ex.response.onHead(responseHook);
        return next(ex);
      };
  },
};
