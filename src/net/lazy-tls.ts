/**
 * node:tls (and node:https, which loads it), loaded on first use: node:tls adds about 1.7 MB of
 * RSS (beyond node:crypto, which the configuration hashes load anyway) to a process that serves
 * plain HTTP to plain HTTP upstreams. Builtins load synchronously through createRequire, so the
 * callers stay synchronous.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';

const load = createRequire(import.meta.url);
let loadedTls: typeof Tls | undefined;
let loadedHttps: typeof Https | undefined;

export function tls(): typeof Tls {
  return (loadedTls ??= load('node:tls') as typeof Tls);
}

export function https(): typeof Https {
  return (loadedHttps ??= load('node:https') as typeof Https);
}

/**
 * Whether `socket` is a TLS socket, without loading node:tls for an `instanceof`: a TLSSocket
 * says `encrypted: true` (a plain net.Socket has no such property).
 */
export function isTlsSocket(socket: Socket): socket is Tls.TLSSocket {
  return (socket as { encrypted?: unknown }).encrypted === true;
}
