/**
 * Shared by the HTTP/2 front-end tests: a tiny listener standing in for the entry point's (one
 * port: a first byte 0x16 starts a TLS handshake offering 'h2' by ALPN, the h2c preface goes
 * straight to the front end), an ExchangeSink that runs a handler as HttpEntryPoint does, a
 * self-signed certificate made with the openssl CLI, and node:http2 client helpers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { Exchange, Handler } from '../../src/exchange/exchange.js';
import { ProxyError } from '../../src/errors/codes.js';
import { frontEndOptions } from '../../src/entrypoints/http-entrypoint.js';
import type { ExchangeSink } from '../../src/entrypoints/front-end.js';
import { Http2FrontEnd, http2Options } from '../../src/entrypoints/h2/h2-front-end.js';
import { HTTP2_PREFACE, isHttp2Preface } from '../../src/entrypoints/h2/preface.js';
import { entryPointConfig, type ConfigOverrides } from './entrypoint-helpers.js';

export interface TestCert {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly certFile: string;
  readonly keyFile: string;
  readonly dispose: () => void;
}

/** A self-signed EC certificate for `localhost` (made with openssl in a temp dir). */
export function makeCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'tpk-h2-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem',
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
    { cwd: dir, stdio: 'pipe' },
  );
  return {
    key: readFileSync(join(dir, 'k.pem')),
    cert: readFileSync(join(dir, 'c.pem')),
    certFile: join(dir, 'c.pem'),
    keyFile: join(dir, 'k.pem'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface H2Harness {
  readonly port: number;
  readonly frontEnd: Http2FrontEnd;
  readonly sink: ExchangeSink & { draining: boolean };
  /** Status of every finished exchange, in finishing order. */
  readonly statuses: number[];
  /** Exchanges dispatched so far. */
  readonly exchanges: Exchange[];
  /** Resolves with the status of the next finished exchange. */
  nextDone(): Promise<number>;
  /** Stops the listener and destroys every connection. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly cert?: TestCert;
  readonly maxConcurrentStreams?: number;
  readonly config?: ConfigOverrides;
}

/** Feeds an Http2FrontEnd from a net listener on 127.0.0.1:0 (TLS when `cert` is given). */
export async function startH2(handler: Handler, o: HarnessOptions = {}): Promise<H2Harness> {
  const statuses: number[] = [];
  const exchanges: Exchange[] = [];
  const waiters: ((s: number) => void)[] = [];
  const sink: ExchangeSink & { draining: boolean } = {
    draining: false,
    dispatch(ex) {
      exchanges.push(ex);
      const fail = (err: unknown): void => {
        if (ex.response.clientGone) return;
        if (ex.response.headersSent) return ex.response.abort();
        if (err instanceof ProxyError) ex.response.sendText(err.status, err.body);
        else ex.response.sendText(500, 'Internal Server Error');
      };
      try {
        const r = handler(ex);
        if (r != null) r.then(undefined, fail);
      } catch (err) {
        fail(err);
      }
    },
    finished(_ex, status) {
      statuses.push(status);
      const w = waiters.shift();
      if (w !== undefined) w(status);
    },
  };
  const cfg = entryPointConfig(o.config);
  const withH2 = o.maxConcurrentStreams === undefined ? cfg : { ...cfg, http2: { maxConcurrentStreams: o.maxConcurrentStreams } };
  const frontEnd = new Http2FrontEnd(frontEndOptions(withH2, {}), sink, http2Options(withH2));
  const ctx: SecureContext | null = o.cert === undefined ? null : createSecureContext({ key: o.cert.key, cert: o.cert.cert });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (ctx !== null && buffered[0] === 0x16) {
        socket.off('data', onData);
        socket.pause();
        socket.unshift(buffered);
        const tls = new TLSSocket(socket, { isServer: true, secureContext: ctx, ALPNProtocols: ['h2'] });
        tls.on('error', () => tls.destroy());
        tls.once('secure', () => frontEnd.accept(tls));
        return;
      }
      if (!isHttp2Preface(buffered)) {
        socket.destroy();
        return;
      }
      if (buffered.length < HTTP2_PREFACE.length) return; // read on
      socket.off('data', onData);
      frontEnd.accept(socket, buffered);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    frontEnd,
    sink,
    statuses,
    exchanges,
    nextDone: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        frontEnd.destroyAll();
        for (const s of sockets) s.destroy();
      });
      await frontEnd.allClosed();
    },
  };
}

/** A node:http2 client session to the harness (h2c, or TLS trusting nothing but skipping checks). */
export function clientSession(port: number, tls = false): ClientHttp2Session {
  const session = tls
    ? h2connect(`https://localhost:${port}`, { rejectUnauthorized: false })
    : h2connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  return session;
}

export interface H2Reply {
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders | null;
  readonly body: Buffer;
  /** RST_STREAM code when the stream was reset, else 0. */
  readonly rstCode: number;
}

/** One request on `session`; resolves when the stream closes (also when it was reset). */
export function h2request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | string): Promise<H2Reply> {
  return new Promise((resolve) => {
    const req = session.request(headers, { endStream: body === undefined });
    let resHeaders: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    req.on('response', (h: IncomingHttpHeaders) => {
      resHeaders = h;
    });
    req.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = t;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    req.on('close', () => resolve({ headers: resHeaders, trailers, body: Buffer.concat(chunks), rstCode: req.rstCode ?? 0 }));
    if (body !== undefined) req.end(body);
  });
}

/** Read a whole request body of an exchange. */
export function readAll(ex: Exchange): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = ex.body;
    if (body === null) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer) => chunks.push(c));
    body.on('end', () => resolve(Buffer.concat(chunks)));
    body.on('error', reject);
  });
}
