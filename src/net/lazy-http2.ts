/**
 * node:http2, loaded on first use: the module (and the TLS stack it pulls in) adds about 5 MB of
 * RSS to a process that never sees an HTTP/2 connection or an h2c upstream. Builtins load
 * synchronously through createRequire, so the callers stay synchronous.
 */
import { createRequire } from 'node:module';
import type * as Http2 from 'node:http2';

let loaded: typeof Http2 | undefined;

export function http2(): typeof Http2 {
  return (loaded ??= createRequire(import.meta.url)('node:http2') as typeof Http2);
}

/** nghttp2 error codes used on the data path (RFC 9113 §7), without loading node:http2 for them. */
export const NGHTTP2_NO_ERROR = 0x0;
export const NGHTTP2_INTERNAL_ERROR = 0x2;
export const NGHTTP2_REFUSED_STREAM = 0x7;
export const NGHTTP2_CANCEL = 0x8;
