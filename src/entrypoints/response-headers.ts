/**
 * Response-side helpers shared by the response writers: framing headers that belong to the
 * connection, not to the message, and the fixed plain-text error responses.
 */
import { equalsLower, HeaderList } from '../exchange/headers.js';
import { goStatusText } from '../exchange/status-text.js';

/**
 * Headers the writer owns on an HTTP/1.1 connection: they describe the hop, not the message,
 * so an upstream's values must not reach the client (RFC 9110 §7.6.1).
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade'];

function isHopByHop(name: string): boolean {
  for (const h of HOP_BY_HOP) if (equalsLower(name, h)) return true;
  return false;
}

/**
 * `raw` without hop-by-hop framing headers. Returns `raw` itself when there is nothing to drop
 * (the usual case), else a filtered copy; the caller's list is never modified.
 */
export function withoutHopByHop(raw: string[]): string[] {
  let i = 0;
  for (; i < raw.length; i += 2) if (isHopByHop(raw[i] as string)) break;
  if (i >= raw.length) return raw;
  const out = raw.slice(0, i);
  for (; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!isHopByHop(name)) out.push(name, raw[i + 1] as string);
  }
  return out;
}

/** The reason phrase Go writes on a status line (`Unknown` for a code it has no text for). */
export function reasonPhrase(status: number): string {
  return goStatusText(status) || 'Unknown';
}

/**
 * A complete `Connection: close` response with a text body, as raw HTTP/1.1 bytes: what Go's
 * server writes for requests it cannot parse (`400 Bad Request` etc.).
 */
export function rawErrorResponse(status: number, body: string = `${status} ${reasonPhrase(status)}`): string {
  return (
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

const TEXT_PLAIN = 'text/plain; charset=utf-8';

/**
 * The headers of a small text answer (errors, ping, redirects), as Go's http.Error sends them:
 * a text/plain Content-Type unless one is set, nosniff, and the body's Content-Length.
 */
export function textResponseHeaders(text: string, headers?: HeaderList): { headers: HeaderList; body: Buffer } {
  const h = headers ?? new HeaderList();
  if (!h.has('content-type')) h.set('Content-Type', TEXT_PLAIN);
  h.set('X-Content-Type-Options', 'nosniff');
  const body = Buffer.from(text);
  h.set('Content-Length', String(body.length));
  return { headers: h, body };
}
