/**
 * How upstream failures become ProxyErrors, and how the forwarder reports them by default.
 *
 * Mapping (Traefik, traefik-reference §5): dial or response-header timeout -> 504; refused, reset,
 * DNS failure, TLS failure -> 502; the upstream closing or answering garbage -> 502; the client
 * going away -> 499 (nothing can be written any more).
 */
import type { Exchange } from '../exchange/exchange.js';
import { ProxyError } from '../errors/codes.js';

/**
 * Receives every failure of a forwarded exchange. The forwarder is asynchronous and returns
 * nothing (no promise per request), so errors arrive here instead of as a rejection.
 */
export type ForwardErrorHandler = (ex: Exchange, err: ProxyError) => void;

/**
 * Traefik's behaviour: before the response head went out, answer with the error's status and
 * status text; after it, abort the client connection; when the client is gone, do nothing.
 */
export function writeProxyError(ex: Exchange, err: ProxyError): void {
  const res = ex.response;
  if (res.clientGone) return;
  if (res.headersSent) res.abort();
  else res.sendText(err.status, err.body);
}

/**
 * A failure while connecting: no byte of the request reached the server, so sending it again
 * (retry) cannot repeat anything. Same codes and statuses as any ProxyError.
 */
export class DialError extends ProxyError {}

/** A failure while connecting (TCP connect or TLS handshake). */
export function dialError(origin: string, err: Error | null, timedOut: boolean): ProxyError {
  if (timedOut) {
    return new DialError('TPK_ERR_UPSTREAM_TIMEOUT', `dial ${origin}: timeout`, err === null ? undefined : { cause: err });
  }
  const detail = err === null ? 'connection closed' : describe(err);
  return new DialError('TPK_ERR_UPSTREAM_UNREACHABLE', `dial ${origin}: ${detail}`, err === null ? undefined : { cause: err });
}

/** The connection failed or closed after the request was (partly) sent. */
export function exchangeError(origin: string, err: Error | null, detail: string): ProxyError {
  const why = err === null ? detail : `${detail}: ${describe(err)}`;
  return new ProxyError('TPK_ERR_UPSTREAM_BAD_RESPONSE', `${origin}: ${why}`, err === null ? undefined : { cause: err });
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? err.message : `${code} ${err.message}`;
}
