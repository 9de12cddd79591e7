/**
 * grpcWeb with real peers: a browser-style HTTP/1.1 client (node:http) -> the grpcWeb middleware
 * -> a real @grpc/grpc-js server, twice: once in-process through a small HTTP/2 relay written here
 * (the translation alone), once through the real binary, whose forwarder speaks h2c to the server.
 * The real answers (data, trailers, trailers-only errors, server streaming) come back as gRPC-Web
 * the client decodes with the frame reader below.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { type ClientHttp2Session, type IncomingHttpHeaders, connect, constants as h2 } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange, Handler } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { grpcWeb } from '../../src/middlewares/grpc-web/grpc-web.js';
import { entryPointConfig, within } from './entrypoint-helpers.js';

const raw = (b: Buffer): Buffer => b;
const method = (path: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: false,
  responseStream,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});
const SERVICE = {
  Echo: method('/test.Echo/Echo', false),
  Fail: method('/test.Echo/Fail', false),
  Count: method('/test.Echo/Count', true),
};

/** Minimal h2c relay: the translated exchange -> one HTTP/2 stream -> back through ex.response. */
function h2Relay(session: ClientHttp2Session): Handler {
  return (ex: Exchange) =>
    new Promise<void>((resolve, reject) => {
      const headers: Record<string, string> = { [h2.HTTP2_HEADER_METHOD]: ex.method, [h2.HTTP2_HEADER_PATH]: ex.path, [h2.HTTP2_HEADER_AUTHORITY]: 'backend' };
      ex.headers.forEach((name, value) => {
        const n = name.toLowerCase();
        if (n === 'host' || n === 'connection' || n === 'transfer-encoding' || n === 'keep-alive') return;
        headers[n] = value;
      });
      const stream = session.request(headers);
      let trailers: HeaderList | undefined;
      stream.on('response', (h) => {
        const list = new HeaderList();
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':') && v !== undefined) list.add(k, String(v));
        ex.response.writeHead(Number(h[h2.HTTP2_HEADER_STATUS]), list);
      });
      stream.on('trailers', (h: IncomingHttpHeaders) => {
        trailers = new HeaderList();
        for (const [k, v] of Object.entries(h)) if (v !== undefined) trailers.add(k, Array.isArray(v) ? v.join(', ') : v);
      });
      stream.on('data', (c: Buffer) => ex.response.write(c));
      stream.on('end', () => {
        ex.response.end(undefined, trailers);
        resolve();
      });
      stream.on('error', reject);
      if (ex.body === null) stream.end();
      else ex.body.pipe(stream);
    });
}

function startServer(): grpc.Server {
const server = new grpc.Server();
  server.addService(SERVICE, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const md = new grpc.Metadata();
      md.set('x-served-by', 'echo');
      call.sendMetadata(new grpc.Metadata());
      cb(null, Buffer.from(`echo:${call.request.toString()}`), md);
    },
    Fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      cb({ code: grpc.status.NOT_FOUND, details: 'no such user' });
    },
    Count: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const n = Number(call.request.toString());
      for (let i = 1; i <= n; i++) call.write(Buffer.from(String(i)));
      call.end();
    },
  });
  return server;
}

function frame(flag: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Hand-written gRPC-Web frame reader. */
function readFrames(buf: Buffer): { flag: number; payload: string }[] {
  const out: { flag: number; payload: string }[] = [];
  for (let at = 0; at < buf.length; ) {
    const len = buf.readUInt32BE(at + 1);
    out.push({ flag: buf[at] as number, payload: buf.subarray(at + 5, at + 5 + len).toString() });
    at += 5 + len;
  }
  return out;
}

interface WebAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function webCall(port: number, path: string, contentType: string, payload: Buffer, extra: Record<string, string> = {}): Promise<WebAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { 'content-type': contentType, 'x-grpc-web': '1', ...extra } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

void describe('grpcWeb to a real gRPC server, through a test relay', () => {
  let server: grpc.Server;
  let session: ClientHttp2Session;
  let ep: HttpEntryPoint;
  let listenPort = 0;

  before(async () => {
    server = startServer();
    const grpcPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err)));
    });
    session = connect(`http://127.0.0.1:${grpcPort}`);
    const mw = grpcWeb.create({ allowOrigins: ['https://app.test'] }, { name: 'gw@file', middleware: () => assert.fail(), service: () => assert.fail() });
    ep = new HttpEntryPoint(entryPointConfig());
    ep.setHandler(mw(h2Relay(session)));
    listenPort = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(1000);
    session.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  defineTests(() => listenPort);
});

void describe('grpcWeb through the real binary: HTTP/1.1 client -> Turnpike -> h2c:// gRPC server', () => {
  let server: grpc.Server;
  let tp: TurnpikeProcess;
  let dir: string;
  let listenPort = 0;

  before(async () => {
    server = startServer();
    const grpcPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err)));
    });
    dir = mkdtempSync(join(tmpdir(), 'tp-grpc-web-'));
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    web:
      rule: "PathPrefix(\`/test.Echo/\`)"
      service: grpc
      middlewares: [gw]
  middlewares:
    gw:
      grpcWeb:
        allowOrigins: ["https://app.test"]
  services:
    grpc:
      loadBalancer:
        servers:
          - url: "h2c://127.0.0.1:${grpcPort}"
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.level=INFO', '--log.format=json']);
    listenPort = Number((await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening'))['port']);
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  defineTests(() => listenPort);
});

function defineTests(port: () => number): void {
  void it('unary, binary: the answer message and grpc-status 0 in the trailer frame', async () => {
    const r = await within(webCall(port(), '/test.Echo/Echo', 'application/grpc-web+proto', frame(0, Buffer.from('hi')), { origin: 'https://app.test' }), 5000, 'the echo answer');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(r.headers['access-control-allow-origin'], 'https://app.test');
    assert.match(String(r.headers['access-control-expose-headers']), /grpc-status, grpc-message$/);
    const frames = readFrames(r.body);
    assert.deepEqual(frames[0], { flag: 0, payload: 'echo:hi' });
    assert.equal(frames.length, 2);
    assert.equal(frames[1]?.flag, 0x80);
    assert.match(frames[1]?.payload ?? '', /^grpc-message: OK\r\ngrpc-status: 0\r\nx-served-by: echo\r\n$/);
  });

  void it('unary, text: base64 both ways', async () => {
    const body = Buffer.from(frame(0, Buffer.from('text mode')).toString('base64'));
    const r = await within(webCall(port(), '/test.Echo/Echo', 'application/grpc-web-text', body), 5000, 'the echo answer');
    assert.equal(r.headers['content-type'], 'application/grpc-web-text+proto', 'grpc-js answers application/grpc+proto');
    // Each write was encoded on its own (padded): decode up to each padding, as clients do.
    const chunks = r.body.toString('latin1').match(/[^=]+={0,2}/g) ?? [];
    const bytes = Buffer.concat(chunks.map((c) => Buffer.from(c, 'base64')));
    const frames = readFrames(bytes);
    assert.deepEqual(frames[0], { flag: 0, payload: 'echo:text mode' });
    assert.equal(frames.at(-1)?.flag, 0x80);
    assert.match(frames.at(-1)?.payload ?? '', /grpc-status: 0\r\n/);
  });

  void it('server streaming: every message, then the trailers', async () => {
    const r = await within(webCall(port(), '/test.Echo/Count', 'application/grpc-web+proto', frame(0, Buffer.from('3'))), 5000, 'the stream');
    const frames = readFrames(r.body);
    assert.deepEqual(
      frames.slice(0, 3).map((f) => f.payload),
      ['1', '2', '3'],
    );
    assert.equal(frames[3]?.flag, 0x80);
    assert.match(frames[3]?.payload ?? '', /grpc-status: 0/);
  });

  void it('an error: the status reaches the client (head or trailer frame) with its message', async () => {
    const r = await within(webCall(port(), '/test.Echo/Fail', 'application/grpc-web+proto', frame(0, Buffer.from('x'))), 5000, 'the error');
    assert.equal(r.status, 200);
    const frames = readFrames(r.body);
    const last = frames.at(-1);
    assert.equal(last?.flag, 0x80);
    const inHead = r.headers['grpc-status'];
    if (inHead !== undefined) {
      // trailers-only: grpc-js put the status in the head; the trailer frame is empty (Traefik does the same)
      assert.equal(inHead, String(grpc.status.NOT_FOUND));
      assert.equal(r.headers['grpc-message'], 'no%20such%20user');
      assert.equal(last?.payload, '');
    } else {
      assert.match(last?.payload ?? '', new RegExp(`grpc-message: no%20such%20user\\r\\ngrpc-status: ${grpc.status.NOT_FOUND}\\r\\n`));
    }
  });

  void it('an unknown method: UNIMPLEMENTED from the real server', async () => {
    const r = await within(webCall(port(), '/test.Echo/Nope', 'application/grpc-web', frame(0, Buffer.from('x'))), 5000, 'the error');
    const status = r.headers['grpc-status'] ?? /grpc-status: (\d+)/.exec(readFrames(r.body).at(-1)?.payload ?? '')?.[1];
    assert.equal(status, String(grpc.status.UNIMPLEMENTED));
  });
}
