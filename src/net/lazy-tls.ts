/**
 * node:tls, loaded on first use: it adds about 1.7 MB of RSS (beyond node:crypto, which the
 * configuration hashes load anyway) to a process that serves plain HTTP to plain HTTP upstreams.
 * Builtins load synchronously through createRequire, so the callers stay synchronous.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type * as Tls from 'node:tls';

let loaded: typeof Tls | undefined;

export function tls(): typeof Tls {
  return (loaded ??= createRequire(import.meta.url)('node:tls') as typeof Tls);
}

/**
 * Whether `socket` is a TLS socket, without loading node:tls for an `instanceof`: a TLSSocket
 * says `encrypted: true` (a plain net.Socket has no such property).
 */
export function isTlsSocket(socket: Socket): socket is Tls.TLSSocket {
  return (socket as { encrypted?: unknown }).encrypted === true;
}
