/**
 * grpcWeb: lets browsers (HTTP/1.1, no trailers) call gRPC backends, as Traefik's grpcWeb
 * (improbable-eng/grpc-web behind rs/cors) does. Handled here:
 * - a gRPC-Web request: POST whose Content-Type starts with `application/grpc-web`
 *   (`application/grpc-web`, `application/grpc-web+proto`, `application/grpc-web-text`,
 *   `application/grpc-web-text+proto`, ...);
 * - a CORS request for one: OPTIONS whose Access-Control-Request-Headers mentions `x-grpc-web`
 *   (a preflight is answered here, see cors.ts).
 * Anything else passes untouched.
 *
 * The request becomes a gRPC request: Content-Type `application/grpc...` (the `-web`/`-web-text`
 * part removed, a `+proto` suffix kept), `TE: trailers`, no Content-Length, and for -text the
 * body base64-decoded as it streams. Speaking HTTP/2 to the backend is the load balancer's
 * business (an `h2c://` or https server). The response is turned back into gRPC-Web by
 * GrpcWebResponseWriter (trailers as a final 0x80 frame, base64 again for -text).
 */
import { pipeline } from 'node:stream';
import type { GrpcWebOptions } from '../../config/dynamic/schema/middlewares/grpc-web.js';
import type { Exchange, Handler, Middleware } from '../../exchange/exchange.js';
import type { MiddlewareFactory } from '../registry.js';
import { Base64BodyDecoder } from './base64-decoder.js';
import { GrpcWebCors } from './cors.js';
import { GrpcWebResponseWriter } from './grpc-web-writer.js';

const GRPC_WEB = 'application/grpc-web';
const GRPC_WEB_TEXT = 'application/grpc-web-text';
const GRPC = 'application/grpc';

/** improbable-eng IsGrpcWebRequest: POST with a Content-Type starting with application/grpc-web. */
export function isGrpcWebRequest(ex: Exchange): boolean {
  return ex.method === 'POST' && (ex.headers.get('content-type') ?? '').startsWith(GRPC_WEB);
}

/** improbable-eng IsAcceptableGrpcCorsRequest: OPTIONS asking to send x-grpc-web. */
export function isGrpcWebCorsRequest(ex: Exchange): boolean {
  return ex.method === 'OPTIONS' && (ex.headers.get('access-control-request-headers') ?? '').toLowerCase().includes('x-grpc-web');
}

function ignoreStreamEnd(): void {
  // pipeline's callback: errors already destroyed both streams, the forwarder sees that.
}

/** Rewrites the request in place into gRPC; returns whether the body (and answer) is base64 text. */
export function toGrpcRequest(ex: Exchange): boolean {
  const contentType = ex.headers.get('content-type') ?? '';
  const text = contentType.startsWith(GRPC_WEB_TEXT);
  ex.headers.set('Content-Type', contentType.replace(text ? GRPC_WEB_TEXT : GRPC_WEB, GRPC));
  ex.headers.delete('content-length');
  ex.headers.set('TE', 'trailers');
  if (text && ex.body !== null) {
    const decoder = new Base64BodyDecoder();
    pipeline(ex.body, decoder, ignoreStreamEnd);
    ex.body = decoder;
  }
  return text;
}

export const grpcWeb: MiddlewareFactory<'grpcWeb'> = {
  kind: 'grpcWeb',
  create(options: GrpcWebOptions): Middleware {
    const cors = new GrpcWebCors(options.allowOrigins);
    return (next: Handler): Handler =>
      function grpcWebHandler(ex: Exchange) {
        if (!isGrpcWebRequest(ex) && !isGrpcWebCorsRequest(ex)) return next(ex);
        if (GrpcWebCors.isPreflight(ex)) {
          cors.answerPreflight(ex);
          return;
        }
        const corsHeaders = cors.actualHeaders(ex);
        const text = toGrpcRequest(ex);
        ex.response = new GrpcWebResponseWriter(ex.response, text, corsHeaders);
        return next(ex);
      };
  },
};
