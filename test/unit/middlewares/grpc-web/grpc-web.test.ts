/**
 * grpcWeb as a protocol translation: an in-process Exchange goes through the middleware to a fake
 * next handler that checks the request is plain gRPC and answers as a gRPC server does (head,
 * length-prefixed messages, trailers at end); the response the client gets is decoded with the
 * hand-written gRPC-Web frame reader below. Also: CORS preflights per allowOrigins, and requests
 * that are not gRPC-Web passing untouched. Real gRPC servers come in the e2e test.
 */
import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Exchange, Handler, HeadHook, ResponseWriter } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { corsHeaderList } from '../../../../src/middlewares/grpc-web/cors.js';
import { grpcWeb } from '../../../../src/middlewares/grpc-web/grpc-web.js';

/** Records everything written, like a client would see it. */
class RecordingWriter implements ResponseWriter {
  status = 0;
  head: string[] | undefined;
  readonly chunks: Buffer[] = [];
  trailers: string[] | undefined;
  ended = false;
  headersSent = false;
  clientGone = false;
  onHead(_hook: HeadHook): void {}
  writeHead(status: number, headers: HeaderList): void {
    this.status = status;
    this.head = headers.raw.slice();
    this.headersSent = true;
  }
  write(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }
  onDrain(cb: () => void): void {
    cb();
  }
  onClientGone(_cb: () => void): void {}
  end(chunk?: Buffer, trailers?: HeaderList): void {
    if (chunk !== undefined) this.chunks.push(chunk);
    this.trailers = trailers?.raw.slice();
    this.ended = true;
  }
  abort(): void {}
  sendText(status: number, text: string): void {
    this.writeHead(status, new HeaderList(['Content-Type', 'text/plain; charset=utf-8']));
    this.end(Buffer.from(text));
  }
  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }
  header(name: string): string | undefined {
    return new HeaderList(this.head ?? []).get(name);
  }
}

interface Frame {
  flag: number;
  payload: Buffer;
}

/** Hand-written gRPC / gRPC-Web frame reader: flag byte, 4-byte big-endian length, payload. */
function readFrames(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let at = 0;
  while (at < buf.length) {
    assert.ok(at + 5 <= buf.length, 'a whole frame header');
    const len = buf.readUInt32BE(at + 1);
    assert.ok(at + 5 + len <= buf.length, 'a whole frame payload');
    out.push({ flag: buf[at] as number, payload: buf.subarray(at + 5, at + 5 + len) });
    at += 5 + len;
  }
  return out;
}

function grpcFrame(flag: number, payload: string | Buffer): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(p.length, 1);
  return Buffer.concat([head, p]);
}

function body(chunks: Buffer[]): Readable {
  const s = new PassThrough();
  for (const c of chunks) s.write(c);
  s.end();
  return s;
}

async function readAll(s: Readable | null): Promise<Buffer> {
  if (s === null) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function exchange(method: string, headers: string[], chunks: Buffer[] | null = null): Exchange & { response: RecordingWriter } {
  return {
    method,
    path: '/helloworld.Greeter/SayHello',
    query: null,
    host: 'api.test',
    httpVersion: '1.1',
    headers: new HeaderList(headers),
    body: chunks === null ? null : body(chunks),
    response: new RecordingWriter(),
    tls: null,
  } as unknown as Exchange & { response: RecordingWriter };
}

const CTX = { name: 'gw@file', middleware: () => assert.fail(), service: () => assert.fail() };

interface Seen {
  headers: HeaderList;
  messages: string[];
}

/**
 * A fake gRPC server: checks the request is gRPC, echoes each message upper-cased, then ends
 * with the given trailers.
 */
function grpcServer(seen: Seen[], answer: { head?: string[]; trailers?: string[] } = {}): Handler {
  return async (ex: Exchange) => {
    const raw = await readAll(ex.body);
    const messages = readFrames(raw).map((f) => f.payload.toString());
    seen.push({ headers: ex.headers.clone(), messages });
    ex.response.writeHead(200, new HeaderList(answer.head ?? ['content-type', 'application/grpc+proto', 'grpc-accept-encoding', 'identity,gzip']));
    for (const m of messages) ex.response.write(grpcFrame(0, m.toUpperCase()));
    ex.response.end(undefined, new HeaderList(answer.trailers ?? ['grpc-status', '0', 'grpc-message', '']));
  };
}

async function serve(allowOrigins: string[], next: Handler, ex: Exchange): Promise<void> {
  await grpcWeb.create({ allowOrigins }, CTX)(next)(ex);
}

void describe('grpcWeb translation', () => {
  void it('binary: application/grpc-web+proto -> application/grpc+proto and back, trailers as a 0x80 frame', async () => {
    const seen: Seen[] = [];
    const ex = exchange('POST', ['Content-Type', 'application/grpc-web+proto', 'Content-Length', '22', 'X-Grpc-Web', '1', 'X-User-Agent', 'grpc-web-javascript/0.1'], [
      Buffer.concat([grpcFrame(0, 'hello'), grpcFrame(0, 'world!')]),
    ]);
    const response = ex.response;
    await serve([], grpcServer(seen), ex);

    assert.equal(seen.length, 1);
    const req = seen[0] as Seen;
    assert.equal(req.headers.get('content-type'), 'application/grpc+proto');
    assert.equal(req.headers.get('te'), 'trailers');
    assert.equal(req.headers.get('content-length'), undefined);
    assert.equal(req.headers.get('x-grpc-web'), '1');
    assert.deepEqual(req.messages, ['hello', 'world!']);

    assert.equal(response.status, 200);
    assert.deepEqual(response.head, [
      'Vary',
      'Origin',
      'content-type',
      'application/grpc-web+proto',
      'grpc-accept-encoding',
      'identity,gzip',
      'Access-Control-Expose-Headers',
      'Vary, Content-Type, Grpc-Accept-Encoding, grpc-status, grpc-message',
    ]);
    assert.equal(response.trailers, undefined, 'no HTTP trailers towards a gRPC-Web client');
    const frames = readFrames(response.body);
    assert.deepEqual(
      frames.map((f) => [f.flag, f.payload.toString()]),
      [
        [0, 'HELLO'],
        [0, 'WORLD!'],
        [0x80, 'grpc-message: \r\ngrpc-status: 0\r\n'],
      ],
    );
  });

  void it('text: base64 request (padded per message, split anywhere) decoded; base64 answer', async () => {
    const seen: Seen[] = [];
    const wire = Buffer.from(grpcFrame(0, 'ping').toString('base64') + grpcFrame(0, 'pong!!').toString('base64') + '\r\n');
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 3) chunks.push(wire.subarray(i, i + 3));
    const ex = exchange('POST', ['content-type', 'application/grpc-web-text', 'accept', 'application/grpc-web-text'], chunks);
    const response = ex.response;
    await serve(['*'], grpcServer(seen, { head: ['content-type', 'application/grpc'] }), ex);

    const req = seen[0] as Seen;
    assert.equal(req.headers.get('content-type'), 'application/grpc');
    assert.deepEqual(req.messages, ['ping', 'pong!!']);
    assert.equal(response.header('content-type'), 'application/grpc-web-text');
    // Each write is its own padded base64 text; a client decodes them one after the other.
    for (const c of response.chunks) assert.match(c.toString('latin1'), /^[A-Za-z0-9+/]*={0,2}$/);
    const decoded = Buffer.concat(response.chunks.map((c) => Buffer.from(c.toString('latin1'), 'base64')));
    assert.deepEqual(
      readFrames(decoded).map((f) => [f.flag, f.payload.toString()]),
      [
        [0, 'PING'],
        [0, 'PONG!!'],
        [0x80, 'grpc-message: \r\ngrpc-status: 0\r\n'],
      ],
    );
  });

  void it('text+proto content types keep their suffix', async () => {
    const seen: Seen[] = [];
    const ex = exchange('POST', ['content-type', 'application/grpc-web-text+proto'], [Buffer.from(grpcFrame(0, 'x').toString('base64'))]);
    const response = ex.response;
    await serve([], grpcServer(seen), ex);
    assert.equal((seen[0] as Seen).headers.get('content-type'), 'application/grpc+proto');
    assert.equal(response.header('content-type'), 'application/grpc-web-text+proto');
  });

  void it('error trailers: names lower-cased and sorted, CR/LF in values become spaces', async () => {
    const seen: Seen[] = [];
    const ex = exchange('POST', ['content-type', 'application/grpc-web'], []);
    const response = ex.response;
    const trailers = ['Grpc-Status', '5', 'grpc-message', 'no%20such%20user', 'X-Meta', 'two', 'x-meta', 'one', 'x-trace', ' a\r\nb '];
    await serve([], grpcServer(seen, { trailers }), ex);
    const frames = readFrames(response.body);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.flag, 0x80);
    assert.equal(frames[0]?.payload.toString(), 'grpc-message: no%20such%20user\r\ngrpc-status: 5\r\nx-meta: two\r\nx-meta: one\r\nx-trace: a  b\r\n');
  });

  void it('a trailers-only answer keeps grpc-status in the head and ends with an empty trailer frame', async () => {
    const ex = exchange('POST', ['content-type', 'application/grpc-web'], []);
    const response = ex.response;
    const next: Handler = (e) => {
      e.response.writeHead(200, new HeaderList(['content-type', 'application/grpc', 'grpc-status', '12', 'grpc-message', 'unknown method']));
      e.response.end();
    };
    await serve([], next, ex);
    assert.equal(response.header('grpc-status'), '12');
    assert.equal(response.header('access-control-expose-headers'), 'Vary, Content-Type, Grpc-Status, Grpc-Message, grpc-status, grpc-message');
    assert.deepEqual(response.body, Buffer.from([0x80, 0, 0, 0, 0]));
  });

  void it('end() without a head: a trailers-only 200 with the trailers as headers', async () => {
    const ex = exchange('POST', ['content-type', 'application/grpc-web'], []);
    const response = ex.response;
    await serve([], (e) => e.response.end(undefined, new HeaderList(['grpc-status', '14'])), ex);
    assert.equal(response.status, 200);
    assert.equal(response.header('grpc-status'), '14');
    assert.equal(response.body.length, 0);
  });

  void it('drops the backend Content-Length and Trailer announcements', async () => {
    const ex = exchange('POST', ['content-type', 'application/grpc-web'], []);
    const response = ex.response;
    const next: Handler = (e) => {
      e.response.writeHead(200, new HeaderList(['content-type', 'application/grpc', 'content-length', '7', 'trailer', 'grpc-status']));
      e.response.write(grpcFrame(0, 'ab'));
      e.response.end(undefined, new HeaderList(['grpc-status', '0']));
    };
    await serve([], next, ex);
    assert.equal(response.header('content-length'), undefined);
    assert.equal(response.header('trailer'), undefined);
    assert.equal(readFrames(response.body).length, 2);
  });

  void it('a proxy error answer goes through the translation too (as in Traefik)', async () => {
    const ex = exchange('POST', ['content-type', 'application/grpc-web'], []);
    const response = ex.response;
    await serve([], (e) => e.response.sendText(502, 'Bad Gateway'), ex);
    assert.equal(response.status, 502);
    assert.equal(response.body.subarray(0, 11).toString(), 'Bad Gateway');
    assert.deepEqual(response.body.subarray(11), Buffer.from([0x80, 0, 0, 0, 0]));
  });

  void it('a body that is not base64 fails the request body stream', async () => {
    let failure: unknown;
    const next: Handler = async (e) => {
      try {
        await readAll(e.body);
      } catch (err) {
        failure = err;
      }
    };
    await serve([], next, exchange('POST', ['content-type', 'application/grpc-web-text'], [Buffer.from('AAAA*AAA')]));
    assert.match(String(failure), /not valid base64/);
  });
});

void describe('grpcWeb CORS', () => {
  const preflight = (origin: string): string[] => [
    'Origin',
    origin,
    'Access-Control-Request-Method',
    'POST',
    'Access-Control-Request-Headers',
    'x-grpc-web,content-type,x-user-agent',
  ];
  const granted = (origin: string): string[] => [
    'Vary',
    'Origin',
    'Vary',
    'Access-Control-Request-Method',
    'Vary',
    'Access-Control-Request-Headers',
    'Access-Control-Allow-Origin',
    origin,
    'Access-Control-Allow-Methods',
    'POST',
    'Access-Control-Allow-Headers',
    'X-Grpc-Web, Content-Type, X-User-Agent',
    'Access-Control-Allow-Credentials',
    'true',
    'Access-Control-Max-Age',
    '600',
    'Content-Length',
    '0',
  ];
  const refused = ['Vary', 'Origin', 'Vary', 'Access-Control-Request-Method', 'Vary', 'Access-Control-Request-Headers', 'Content-Length', '0'];
  const cases: { desc: string; allow: string[]; origin: string; want: string[] }[] = [
    { desc: 'an exact allowed origin', allow: ['https://app.test'], origin: 'https://app.test', want: granted('https://app.test') },
    { desc: '* grants the origin itself (not *)', allow: ['*'], origin: 'https://any.test', want: granted('https://any.test') },
    { desc: 'another origin is refused', allow: ['https://app.test'], origin: 'https://evil.test', want: refused },
    { desc: 'origins compare case-sensitively', allow: ['https://app.test'], origin: 'https://APP.test', want: refused },
    { desc: 'the default (no allowOrigins) refuses every origin', allow: [], origin: 'https://app.test', want: refused },
  ];
  for (const c of cases) {
    void it(`preflight: ${c.desc}; answered here with 200`, async () => {
      const ex = exchange('OPTIONS', preflight(c.origin));
      const response = ex.response;
      await serve(c.allow, () => assert.fail('a preflight is not forwarded'), ex);
      assert.equal(response.status, 200);
      assert.deepEqual(response.head, c.want);
      assert.equal(response.body.length, 0);
      assert.equal(response.ended, true);
    });
  }

  void it('preflight for a method rs/cors does not allow gets no grant', async () => {
    const ex = exchange('OPTIONS', ['Origin', 'https://app.test', 'Access-Control-Request-Method', 'PUT', 'Access-Control-Request-Headers', 'x-grpc-web']);
    const response = ex.response;
    await serve(['*'], () => assert.fail(), ex);
    assert.deepEqual(response.head, refused);
  });

  void it('the actual request from an allowed origin gets Allow-Origin and Allow-Credentials, exposed', async () => {
    const seen: Seen[] = [];
    const ex = exchange('POST', ['content-type', 'application/grpc-web+proto', 'origin', 'https://app.test'], []);
    const response = ex.response;
    await serve(['https://app.test'], grpcServer(seen), ex);
    assert.equal(response.header('access-control-allow-origin'), 'https://app.test');
    assert.equal(response.header('access-control-allow-credentials'), 'true');
    assert.equal(
      response.header('access-control-expose-headers'),
      'Vary, Access-Control-Allow-Origin, Access-Control-Allow-Credentials, Content-Type, Grpc-Accept-Encoding, grpc-status, grpc-message',
    );
  });

  void it('the actual request from another origin is still served, without a grant', async () => {
    const seen: Seen[] = [];
    const ex = exchange('POST', ['content-type', 'application/grpc-web', 'origin', 'https://evil.test'], [grpcFrame(0, 'a')]);
    const response = ex.response;
    await serve(['https://app.test'], grpcServer(seen), ex);
    assert.equal(seen.length, 1);
    assert.equal(response.header('access-control-allow-origin'), undefined);
    assert.equal(response.header('vary'), 'Origin');
  });

  void it('rs/cors header list parsing', () => {
    const cases: { desc: string; input: string; want: string[] }[] = [
      { desc: 'comma list', input: 'x-grpc-web,content-type', want: ['X-Grpc-Web', 'Content-Type'] },
      { desc: 'spaces and case', input: ' X-GRPC-WEB ,  authorization', want: ['X-Grpc-Web', 'Authorization'] },
      { desc: 'other characters dropped, _ and . kept', input: 'x_custom.h, a:b', want: ['X_custom.h', 'Ab'] },
      { desc: 'empty', input: '', want: [] },
    ];
    for (const c of cases) assert.deepEqual(corsHeaderList(c.input), c.want, c.desc);
  });
});

void describe('grpcWeb leaves other requests alone', () => {
  const cases: { desc: string; method: string; headers: string[] }[] = [
    { desc: 'a GET', method: 'GET', headers: ['accept', 'text/html'] },
    { desc: 'a JSON POST', method: 'POST', headers: ['content-type', 'application/json', 'content-length', '2'] },
    { desc: 'a plain gRPC POST', method: 'POST', headers: ['content-type', 'application/grpc', 'te', 'trailers'] },
    { desc: 'a GET with a gRPC-Web content type (only POST is gRPC-Web)', method: 'GET', headers: ['content-type', 'application/grpc-web'] },
    { desc: 'a CORS preflight not asking for x-grpc-web', method: 'OPTIONS', headers: ['origin', 'https://app.test', 'access-control-request-method', 'POST', 'access-control-request-headers', 'content-type'] },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      const ex = exchange(c.method, [...c.headers], null);
      const original = ex.response;
      let ran = false;
      await serve(['*'], (e) => {
        ran = true;
        assert.equal(e.response, original, 'same writer');
        assert.deepEqual(e.headers.raw, c.headers, 'same headers');
      }, ex);
      assert.equal(ran, true);
    });
  }
});
