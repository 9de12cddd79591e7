/**
 * A load-balancer server URL parsed once at build time, so the forwarder never parses a URL on the
 * request path. Traefik ignores the server URL's path unless `preservePath` is set (then the path
 * is a prefix, slash-joined with the request path); query and fragment of a server URL are ignored.
 */
import { isIP } from 'node:net';

export interface ServerTarget {
  /** The URL as configured (for logs, status and sticky cookies). */
  readonly url: string;
  /**
   * `http` and `https` speak HTTP/1.1 (https: HTTP/2 when the server picks it by ALPN); `h2c` is
   * cleartext HTTP/2 with prior knowledge (gRPC servers).
   */
  readonly scheme: 'http' | 'https' | 'h2c';
  /** Host name or IP literal (IPv6 without brackets), lower case. */
  readonly host: string;
  readonly port: number;
  /** `host[:port]` as in the URL's authority: the Host header when passHostHeader is false. */
  readonly hostHeader: string;
  /** Prefix joined to the request path when preservePath is set and the URL has a path; else null. */
  readonly pathPrefix: string | null;
  /** `scheme://host:port`: the connection pool's origin part of the key. */
  readonly origin: string;
}

/**
 * Parse `url` (`http://host[:port][/path]`, `https://...` or `h2c://...`; h2c's default port is 80). Throws a TypeError with a user-facing
 * message when the URL is not usable as a server.
 */
export function parseServerUrl(url: string, preservePath = false): ServerTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`invalid server URL "${url}"`);
  }
  let scheme: 'http' | 'https' | 'h2c';
  if (u.protocol === 'http:') scheme = 'http';
  else if (u.protocol === 'https:') scheme = 'https';
  else if (u.protocol === 'h2c:') scheme = 'h2c';
  else throw new TypeError(`unsupported scheme "${u.protocol.slice(0, -1)}" in server URL "${url}" (use http, https or h2c)`);
  if (u.hostname === '') throw new TypeError(`server URL "${url}" has no host`);
  if (u.username !== '' || u.password !== '') throw new TypeError(`server URL "${url}" must not carry credentials`);
  // h2c is not a special scheme for WHATWG URLs: its host is kept as written, so lower-case it here.
  let host = scheme === 'h2c' ? u.hostname.toLowerCase() : u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = u.port === '' ? (scheme === 'https' ? 443 : 80) : Number(u.port);
  const path = u.pathname;
  const pathPrefix = preservePath && path !== '' && path !== '/' ? path : null;
  const originHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    url,
    scheme,
    host,
    port,
    hostHeader: scheme === 'h2c' ? u.host.toLowerCase() : u.host,
    pathPrefix,
    origin: `${scheme}://${originHost}:${port}`,
  };
}

/** Join a server path prefix and a request path with exactly one slash between them (Go's singleJoiningSlash). */
export function joinPath(prefix: string, path: string): string {
  const a = prefix.endsWith('/');
  const b = path.startsWith('/');
  if (a && b) return prefix + path.slice(1);
  if (!a && !b) return prefix + '/' + path;
  return prefix + path;
}
