/**
 * Which response trailer fields a front end sends (HTTP/1.1 chunked trailers, HTTP/2 trailing
 * HEADERS): valid field syntax, and not one of the fields that may not travel as a trailer
 * (framing, routing, authentication, request modifiers; Go's httpguts.ValidTrailerHeader list).
 */
import { equalsLower } from '../exchange/headers.js';

const FORBIDDEN = [
  'authorization', 'cache-control', 'connection', 'content-encoding', 'content-length', 'content-range',
  'content-type', 'expect', 'host', 'keep-alive', 'max-forwards', 'pragma', 'proxy-authenticate',
  'proxy-authorization', 'proxy-connection', 'range', 'realm', 'te', 'trailer', 'transfer-encoding',
  'www-authenticate',
];

/** token characters (RFC 9110 §5.6.2). */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[ch.charCodeAt(0)] = 1;

/** True when `name` may be sent as a trailer field (case-insensitive). */
export function allowedTrailerName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  for (const f of FORBIDDEN) if (equalsLower(name, f)) return false;
  return true;
}

/** True when `name: value` may be sent as a trailer: allowed name, no control bytes but HTAB in the value. */
export function validTrailer(name: string, value: string): boolean {
  if (!allowedTrailerName(name)) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}
