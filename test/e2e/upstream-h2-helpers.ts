/**
 * Shared by the HTTP/2 upstream tests: node:http2 upstream servers (h2c and TLS) that count their
 * sessions, and a node:http2 client collecting whole answers (head, body, trailers).
 */
import { connect, constants, createSecureServer, createServer, type ClientHttp2Session, type Http2SecureServer, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type SecureServerOptions, type ServerHttp2Session, type ServerHttp2Stream, type Settings } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ServersTransportConfig } from '../../src/config/dynamic/types.js';
import { resolveTransport, type ResolvedTransport } from '../../src/proxy/transport.js';

/** A resolved dynamic serversTransport: Traefik's defaults with `o` applied. */
export function transportOf(o: Partial<ServersTransportConfig> = {}): ResolvedTransport {
  return resolveTransport({
    serverName: undefined,
    insecureSkipVerify: false,
    rootCAs: [],
    maxIdleConnsPerHost: 200,
    forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
    certificates: [],
    cipherSuites: [],
    minVersion: undefined,
    maxVersion: undefined,
    disableHTTP2: false,
    ...o,
  });
}

export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number) => void;

export interface H2Upstream {
  readonly server: Http2Server | Http2SecureServer;
  readonly port: number;
  readonly url: string;
  /** Sessions accepted so far, and open now. */
  sessions: number;
  readonly open: Set<ServerHttp2Session>;
  /** Request headers of every stream, in arrival order. */
  readonly requests: IncomingHttpHeaders[];
  handler: StreamHandler;
  readonly close: () => Promise<void>;
}

/** An h2c upstream (`h2c://127.0.0.1:port`), or with `tls` an HTTP/2 over TLS one (`https://`). */
export async function h2Upstream(handler: StreamHandler, o: { settings?: Settings; tls?: SecureServerOptions } = {}): Promise<H2Upstream> {
  const server = o.tls === undefined ? createServer(o.settings === undefined ? {} : { settings: o.settings }) : createSecureServer({ ...o.tls, ...(o.settings === undefined ? {} : { settings: o.settings }) });
  const up: H2Upstream = {
    server,
    port: 0,
    url: '',
    sessions: 0,
    open: new Set(),
    requests: [],
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of up.open) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('session', (s: ServerHttp2Session) => {
    up.sessions++;
    up.open.add(s);
    s.on('close', () => up.open.delete(s));
    s.on('error', () => {});
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number) => {
    stream.on('error', () => {});
    up.requests.push(headers);
    up.handler(stream, headers, flags);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(up, { port, url: `${o.tls === undefined ? 'h2c' : 'https'}://127.0.0.1:${port}` });
  return up;
}

/** Read a server stream's request body. */
export function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export interface H2Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The response HEADERS frame carried END_STREAM (a trailers-only answer). */
  readonly endStreamOnHead: boolean;
  readonly body: Buffer;
  readonly trailers: IncomingHttpHeaders | null;
}

/** A node:http2 client session to `http://127.0.0.1:port` (close it when done). */
export function h2Client(port: number): ClientHttp2Session {
  const c = connect(`http://127.0.0.1:${port}`);
  c.on('error', () => {});
  return c;
}

/** One request on `client`; rejects when the stream fails (reset, session lost). */
export function h2Request(client: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | string): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const req = client.request({ ':method': body === undefined ? 'GET' : 'POST', ...headers }, { endStream: body === undefined });
    let status = 0;
    let head: IncomingHttpHeaders = {};
    let endStreamOnHead = false;
    let trailers: IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    req.on('response', (h, flags) => {
      status = Number(h[':status']);
      head = h;
      endStreamOnHead = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    });
    req.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = t;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    let ended = false;
    req.on('end', () => (ended = true));
    req.on('error', reject);
    req.on('close', () => {
      if (req.rstCode !== 0 && req.rstCode !== undefined) reject(new Error(`stream reset with code ${req.rstCode}`));
      else if (!ended) reject(new Error('stream closed before its end'));
      else resolve({ status, headers: head, endStreamOnHead, body: Buffer.concat(chunks), trailers });
    });
    if (body !== undefined) req.end(body);
  });
}
