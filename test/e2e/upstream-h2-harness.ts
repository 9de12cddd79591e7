/**
 * A small HTTP/2 (h2c, prior knowledge) front end for the upstream-side tests: each stream of a
 * node:http2 server becomes an Exchange handed to a Handler (the forwarder), with a ResponseWriter
 * over the server stream. It stands in for the real HTTP/2 front end (src/entrypoints/h2/) so the
 * forwarder's HTTP/2 and trailer paths can be driven by node:http2 and @grpc/grpc-js clients.
 *
 * Head handling follows what an HTTP/2 front end must do: the head is held until the first body
 * byte or the end, so a head followed at once by `end()` goes out as one HEADERS frame with
 * END_STREAM (gRPC's trailers-only answer); trailers given to `end` go out as a trailing HEADERS.
 */
import { constants, createServer, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Exchange, Handler, HeadHook, ResponseWriter } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { ProxyError } from '../../src/errors/codes.js';

export interface H2Front {
  readonly port: number;
  readonly server: Http2Server;
  /** Statuses of finished exchanges, in order (499 = the client reset the stream first). */
  readonly statuses: number[];
  readonly close: () => Promise<void>;
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

export async function startH2Front(handler: Handler): Promise<H2Front> {
  const server = createServer();
  const statuses: number[] = [];
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers, flags, rawHeaders?: string[]) => {
    const ex = toExchange(stream, headers, flags, rawHeaders ?? [], statuses);
    try {
      const r = handler(ex);
      if (r instanceof Promise) r.catch((err: unknown) => answerError(ex, err));
    } catch (err) {
      answerError(ex, err);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function answerError(ex: Exchange, err: unknown): void {
  const status = err instanceof ProxyError ? err.status : 500;
  if (!ex.response.headersSent) ex.response.sendText(status, err instanceof ProxyError ? err.body : 'Internal Server Error');
  else ex.response.abort();
}

function toExchange(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, raw: string[], statuses: number[]): Exchange {
  const target = String(headers[':path'] ?? '/');
  const q = target.indexOf('?');
  const list: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.charCodeAt(0) !== 58) list.push(name, raw[i + 1] as string);
  }
  const socket = stream.session?.socket;
  const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
  const path = q < 0 ? target : target.slice(0, q);
  return {
    method: String(headers[':method']),
    path,
    query: q < 0 ? null : target.slice(q + 1),
    routingPath: path,
    host: String(headers[':authority'] ?? ''),
    httpVersion: '2.0',
    headers: new HeaderList(list),
    body: ended ? null : stream,
    peer: { address: socket?.remoteAddress ?? '127.0.0.1', port: socket?.remotePort ?? 0 },
    tls: null,
    entryPoint: 'h2test',
    upgrade: null,
    response: new H2Writer(stream, statuses),
    routerName: undefined,
    record: null,
    startedAt: performance.now(),
  };
}

class H2Writer implements ResponseWriter {
  readonly #stream: ServerHttp2Stream;
  readonly #statuses: number[];
  readonly #hooks: HeadHook[] = [];
  readonly #gone: (() => void)[] = [];
  #head: OutgoingHttpHeaders | null = null;
  #status = 0;
  #headersSent = false;
  #responded = false;
  #ended = false;
  #trailers: OutgoingHttpHeaders | null = null;
  #clientGone = false;

  constructor(stream: ServerHttp2Stream, statuses: number[]) {
    this.#stream = stream;
    this.#statuses = statuses;
    stream.on('error', () => {});
    stream.on('close', () => {
      if (this.#ended && stream.rstCode === constants.NGHTTP2_NO_ERROR) return;
      if (!this.#ended) this.#statuses.push(499);
      this.#clientGone = true;
      for (const cb of this.#gone.splice(0)) cb();
    });
    stream.on('wantTrailers', () => {
      stream.sendTrailers(this.#trailers ?? {});
    });
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get clientGone(): boolean {
    return this.#clientGone;
  }

  onHead(hook: HeadHook): void {
    this.#hooks.push(hook);
  }

  writeHead(status: number, headers: HeaderList): void {
    if (status < 200) {
      if (!this.#responded) this.#stream.additionalHeaders({ ':status': status, ...toObject(headers) });
      return;
    }
    for (let i = this.#hooks.length - 1; i >= 0; i--) (this.#hooks[i] as HeadHook)(status, headers);
    this.#status = status;
    this.#head = { ':status': status, ...toObject(headers) };
    this.#headersSent = true;
  }

  #respond(endStream: boolean): void {
    if (this.#responded || this.#stream.destroyed) return;
    this.#responded = true;
    this.#stream.respond(this.#head ?? { ':status': 200 }, endStream ? { endStream: true } : { waitForTrailers: true });
  }

  write(chunk: Buffer): boolean {
    this.#respond(false);
    if (this.#stream.destroyed) return true;
    return this.#stream.write(chunk);
  }

  onDrain(cb: () => void): void {
    this.#stream.once('drain', cb);
  }

  onClientGone(cb: () => void): void {
    if (this.#clientGone) cb();
    else this.#gone.push(cb);
  }

  end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#statuses.push(this.#status);
    if (!this.#responded && chunk === undefined && trailers === undefined) {
      this.#respond(true);
      return;
    }
    if (trailers !== undefined) this.#trailers = toObject(trailers);
    this.#respond(false);
    if (this.#stream.destroyed) return;
    if (chunk === undefined) this.#stream.end();
    else this.#stream.end(chunk);
  }

  abort(): void {
    this.#ended = true;
    this.#statuses.push(this.#status);
    this.#stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  sendText(status: number, text: string, headers?: HeaderList): void {
    const h = headers ?? new HeaderList();
    h.set('content-type', 'text/plain; charset=utf-8');
    this.writeHead(status, h);
    this.end(Buffer.from(text));
  }
}

function toObject(headers: HeaderList): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  headers.forEach((name, value) => {
    const n = name.toLowerCase();
    if (HOP.has(n)) return;
    const prev = out[n];
    if (prev === undefined) out[n] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[n] = [String(prev), value];
  });
  return out;
}
