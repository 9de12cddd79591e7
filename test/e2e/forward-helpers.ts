/**
 * Shared by the forwarder end-to-end tests: a real HttpEntryPoint whose handler forwards to real
 * upstreams, upstreams that count their TCP connections, and small client helpers.
 */
import { createServer, request, type Agent, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange, Handler } from '../../src/exchange/exchange.js';
import type { ProxyError } from '../../src/errors/codes.js';
import { writeProxyError } from '../../src/proxy/errors.js';
import { createForwarder } from '../../src/proxy/forwarder.js';
import { parseServerUrl } from '../../src/proxy/server-target.js';
import { DEFAULT_TRANSPORT_DEFAULTS, resolveTransport, type ResolvedTransport } from '../../src/proxy/transport.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { entryPointConfig, type ConfigOverrides } from './entrypoint-helpers.js';

export interface Proxy {
  readonly port: number;
  readonly ep: HttpEntryPoint;
  /** Status of every finished exchange, in finishing order (499 = client gone). */
  readonly statuses: number[];
  /** Codes of the errors the forwarder reported. */
  readonly errors: string[];
  /** Resolves with the next finished status. */
  readonly nextDone: () => Promise<number>;
  readonly close: () => Promise<void>;
}

export async function startProxy(handler: Handler | null, overrides: ConfigOverrides = {}): Promise<Proxy> {
  const statuses: number[] = [];
  const waiters: ((s: number) => void)[] = [];
  const ep = new HttpEntryPoint(entryPointConfig(overrides), {
    hostname: 'turnpike-test',
    onDone: (_ex, status) => {
      statuses.push(status);
      const w = waiters.shift();
      if (w !== undefined) w(status);
    },
  });
  ep.setHandler(handler);
  const { port } = await ep.listen();
  return {
    port,
    ep,
    statuses,
    errors: [],
    nextDone: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => ep.close(100),
  };
}

export interface ForwardSetup {
  readonly handler: Handler;
  readonly pools: UpstreamPools;
  readonly errors: ProxyError[];
}

export interface ForwardOptions {
  readonly passHostHeader?: boolean;
  readonly preservePath?: boolean;
  readonly transport?: ResolvedTransport;
  readonly pools?: UpstreamPools;
}

/** A handler forwarding every request to `url` (the forwarder alone, no load balancer). */
export function forwardTo(url: string, o: ForwardOptions = {}): ForwardSetup {
  const pools = o.pools ?? new UpstreamPools();
  const errors: ProxyError[] = [];
  const forward = createForwarder({
    transport: o.transport ?? resolveTransport(DEFAULT_TRANSPORT_DEFAULTS),
    passHostHeader: o.passHostHeader ?? true,
    pools,
    onError: (ex: Exchange, err: ProxyError) => {
      errors.push(err);
      writeProxyError(ex, err);
    },
  });
  const target = parseServerUrl(url, o.preservePath ?? false);
  return { handler: (ex) => forward(ex, target), pools, errors };
}

/** A transport with some fields changed from the static defaults. */
export function transportWith(o: {
  dialTimeout?: number;
  responseHeaderTimeout?: number;
  idleConnTimeout?: number;
  maxIdleConnsPerHost?: number;
  rootCAs?: string[];
  insecureSkipVerify?: boolean;
  serverName?: string;
}): ResolvedTransport {
  const d = DEFAULT_TRANSPORT_DEFAULTS;
  return resolveTransport({
    serverName: o.serverName,
    insecureSkipVerify: o.insecureSkipVerify ?? false,
    rootCAs: o.rootCAs ?? [],
    maxIdleConnsPerHost: o.maxIdleConnsPerHost ?? d.maxIdleConnsPerHost,
    forwardingTimeouts: {
      dialTimeout: o.dialTimeout ?? d.forwardingTimeouts.dialTimeout,
      responseHeaderTimeout: o.responseHeaderTimeout ?? d.forwardingTimeouts.responseHeaderTimeout,
      idleConnTimeout: o.idleConnTimeout ?? d.forwardingTimeouts.idleConnTimeout,
    },
  });
}

export interface CountingUpstream {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** Sockets currently open. */
  readonly open: Set<Socket>;
  readonly close: () => Promise<void>;
}

/** A node:http upstream on 127.0.0.1:0 that counts the connections it accepts. */
export async function countingUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  setup?: (server: Server) => void,
): Promise<CountingUpstream> {
  const server = createServer(handler);
  setup?.(server);
  const up: CountingUpstream = {
    server,
    port: 0,
    url: '',
    connections: 0,
    open: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: Socket) => {
    up.connections++;
    up.open.add(s);
    s.once('close', () => up.open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(up, { port, url: `http://127.0.0.1:${port}` });
  return up;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer | Readable | undefined;
  readonly agent?: Agent | false;
}

/** One request to the proxy through node:http; collects the whole answer. */
export function send(port: number, path: string, o: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers ?? {}, agent: o.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = o.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

/** Read a request body fully. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface RawUpstream {
  readonly port: number;
  readonly url: string;
  connections: number;
  /** Sockets accepted and still open. */
  readonly open: Set<Socket>;
  readonly close: () => Promise<void>;
}

/**
 * A raw TCP upstream: `onRequest` is called with the socket, the connection's request index and the
 * request head text each time a full request head (and its Content-Length body) arrived.
 */
export async function rawUpstream(onRequest: (socket: Socket, index: number, head: string, body: Buffer) => void): Promise<RawUpstream> {
  const { createServer: createNetServer } = await import('node:net');
  const open = new Set<Socket>();
  const up = { port: 0, url: '', connections: 0, open, close: async () => {} };
  const server = createNetServer((socket) => {
    up.connections++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let index = 0;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        const len = m === null ? 0 : Number(m[1]);
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len);
        buf = buf.subarray(end + 4 + len);
        onRequest(socket, index++, head, body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  up.port = (server.address() as AddressInfo).port;
  up.url = `http://127.0.0.1:${up.port}`;
  up.close = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
  return up;
}

/** A port nothing listens on (bound then released). */
export { closedPort } from '../helpers/ports.js';
