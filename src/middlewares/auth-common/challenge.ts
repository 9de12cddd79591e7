/**
 * The 401 answer of Traefik's basicAuth and digestAuth (go-http-auth): `Content-Type: text/plain`,
 * the `WWW-Authenticate` challenge and the body `401 Unauthorized\n`.
 */
import type { ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';

const BODY = Buffer.from('401 Unauthorized\n');
const LENGTH = String(BODY.length);

export function sendUnauthorized(res: ResponseWriter, challenge: string): void {
  if (res.clientGone) return;
  res.writeHead(401, new HeaderList(['Content-Type', 'text/plain', 'WWW-Authenticate', challenge, 'Content-Length', LENGTH]));
  res.end(BODY);
}
