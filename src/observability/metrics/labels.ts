/**
 * Label values as Traefik derives them (pkg/middlewares/metrics): the method (a known verb, else
 * `EXTENSION_METHOD`), the protocol (`websocket`, `sse`, `grpc-web`, `grpc`, `http`), TLS version
 * (`1.2`) and cipher (Go's suite name; both in ../tls-names.ts). Everything a request needs is an
 * index into a fixed table or a cached string: no string is built per request.
 */
import type { Exchange } from '../../exchange/exchange.js';

/** Method label values; the last one stands for every other method. */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PRI', 'EXTENSION_METHOD'] as const;
const METHOD_INDEX = new Map<string, number>(METHODS.map((m, i) => [m, i]));
const EXTENSION_METHOD = METHODS.length - 1;

/** Index into METHODS. */
export function methodIndex(method: string): number {
  return METHOD_INDEX.get(method) ?? EXTENSION_METHOD;
}

export const PROTOCOLS = ['http', 'websocket', 'sse', 'grpc-web', 'grpc'] as const;
export const PROTO_HTTP = 0;
export const PROTO_WEBSOCKET = 1;
export const PROTO_SSE = 2;
export const PROTO_GRPC_WEB = 3;
export const PROTO_GRPC = 4;

/** True when the comma-separated `list` has `token` as one item (trimmed, case-insensitive). */
export function hasToken(list: string | undefined, token: string): boolean {
  if (list === undefined) return false;
  const lower = list.toLowerCase();
  let at = lower.indexOf(token);
  while (at >= 0) {
    let s = at - 1;
    while (s >= 0 && (lower.charCodeAt(s) === 32 || lower.charCodeAt(s) === 9)) s--;
    let e = at + token.length;
    while (e < lower.length && (lower.charCodeAt(e) === 32 || lower.charCodeAt(e) === 9)) e++;
    if ((s < 0 || lower.charCodeAt(s) === 44) && (e >= lower.length || lower.charCodeAt(e) === 44)) return true;
    at = lower.indexOf(token, at + 1);
  }
  return false;
}

/**
 * Traefik's order: a WebSocket handshake (`Connection: upgrade` and `Upgrade: websocket`), an
 * event-stream subscription (`Accept: text/event-stream`), gRPC-Web, gRPC (by Content-Type), else http.
 */
export function protocolIndex(ex: Exchange): number {
  const h = ex.headers;
  if (ex.upgrade !== null && hasToken(h.get('connection'), 'upgrade') && hasToken(h.get('upgrade'), 'websocket')) return PROTO_WEBSOCKET;
  const accept = h.get('accept');
  if (accept !== undefined && accept.length >= 17 && hasToken(accept, 'text/event-stream')) return PROTO_SSE;
  const type = h.get('content-type');
  if (type !== undefined && type.startsWith('application/grpc')) return type.startsWith('application/grpc-web') ? PROTO_GRPC_WEB : PROTO_GRPC;
  return PROTO_HTTP;
}

/** The TLS labels (`tls_version`, `tls_cipher`), shared with the access log. */
export { tlsVersionName as tlsVersionLabel, goCipherName as tlsCipherLabel } from '../tls-names.js';

/** gRPC's status from a `grpc-status` value; 2 (Unknown) when absent or not a number, as Traefik. */
export function grpcCode(value: string | undefined): number {
  if (value === undefined) return 2;
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 0 && n <= 16 ? n : 2;
}
