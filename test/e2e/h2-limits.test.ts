/**
 * The HTTP/2 front end's limits and timeouts (maxHeaderBytes -> 431, too many fields, readTimeout
 * and writeTimeout per stream), and a real gRPC client (@grpc/grpc-js) against a handler that
 * answers gRPC itself: a unary call with trailers, and an error as a trailers-only answer.
 */
import { strict as assert } from 'node:assert';
import { constants } from 'node:http2';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { within } from './entrypoint-helpers.js';
import { clientSession, h2request, makeCert, readAll, startH2 } from './h2-helpers.js';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_ENHANCE_YOUR_CALM } = constants;

describe('HTTP/2 front end: header limits', () => {
  it('answers 431 to a header list larger than maxHeaderBytes, without dispatching it', async () => {
    const h = await startH2((ex) => ex.response.sendText(200, 'ok'), { config: { http: { maxHeaderBytes: 1024 } } });
    const s = clientSession(h.port);
    try {
      const big = await within(h2request(s, { ':path': '/', 'x-big': 'a'.repeat(2000) }), 5000, 'big');
      assert.equal(big.headers[':status'], 431);
      assert.equal(h.exchanges.length, 0);
      const small = await within(h2request(s, { ':path': '/', 'x-small': 'a'.repeat(100) }), 5000, 'small');
      assert.equal(small.headers[':status'], 200);
    } finally {
      s.close();
      await h.close();
    }
  });

  it('resets a stream with more header fields than maxHeadersCount (ENHANCE_YOUR_CALM)', async () => {
    const h = await startH2((ex) => ex.response.sendText(200, 'ok'));
    const s = clientSession(h.port);
    try {
      const many: Record<string, string> = { ':path': '/' };
      for (let i = 0; i < 1100; i++) many[`x-h${i}`] = '1';
      const r = await within(h2request(s, many), 5000, 'reset');
      assert.equal(r.rstCode, NGHTTP2_ENHANCE_YOUR_CALM);
      assert.equal(h.exchanges.length, 0);
    } finally {
      s.close();
      await h.close();
    }
  });
});

describe('HTTP/2 front end: timeouts', () => {
  it('writeTimeout resets a stream whose answer is late (outcome 504)', async () => {
    const h = await startH2(() => undefined /* never answers */, { config: { timeouts: { writeTimeout: 200 } } });
    const s = clientSession(h.port);
    try {
      const done = h.nextDone();
      const r = await within(h2request(s, { ':path': '/slow' }), 5000, 'reset');
      assert.equal(r.rstCode, NGHTTP2_INTERNAL_ERROR);
      assert.equal(await within(done, 5000, 'finished'), 504);
      assert.equal(h.exchanges[0]?.response.clientGone, true);
    } finally {
      s.close();
      await h.close();
    }
  });

  it('readTimeout resets a stream whose body does not arrive in time; the reader sees an error', async () => {
    let bodyError = '';
    const h = await startH2(
      async (ex) => {
        try {
          await readAll(ex);
          ex.response.sendText(200, 'complete');
        } catch (err) {
          bodyError = (err as { code?: string }).code ?? String(err);
        }
      },
      { config: { timeouts: { readTimeout: 200 } } },
    );
    const s = clientSession(h.port);
    try {
      const done = h.nextDone();
      const req = s.request({ ':method': 'POST', ':path': '/upload' });
      req.on('error', () => {});
      req.write(Buffer.alloc(1000));
      const closed = new Promise<number>((resolve) => req.once('close', () => resolve(req.rstCode ?? 0)));
      assert.equal(await within(closed, 5000, 'reset'), NGHTTP2_INTERNAL_ERROR);
      assert.equal(await within(done, 5000, 'finished'), 499);
      assert.equal(bodyError, 'TPK_ERR_CLIENT_GONE');
    } finally {
      s.close();
      await h.close();
    }
  });
});

/** One gRPC length-prefixed message. */
function grpcFrame(msg: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

async function grpcHandler(ex: Exchange): Promise<void> {
  const body = await readAll(ex);
  const res = ex.response;
  const deadline = ex.headers.get('grpc-timeout') ?? 'none';
  if (ex.path === '/test.Echo/Fail') {
    res.writeHead(200, new HeaderList(['content-type', 'application/grpc']));
    res.end(undefined, new HeaderList(['grpc-status', '5', 'grpc-message', 'no such thing']));
    return;
  }
  res.writeHead(200, new HeaderList(['content-type', 'application/grpc', 'x-deadline', deadline]));
  res.write(grpcFrame(Buffer.from(`echo:${body.subarray(5).toString()}`)));
  res.end(undefined, new HeaderList(['grpc-status', '0', 'x-trailer', 'yes']));
}

describe('HTTP/2 front end: a gRPC client (@grpc/grpc-js)', () => {
  const id = (b: Buffer): Buffer => b;

  for (const tls of [false, true]) {
    it(`unary call with trailers, and an error as a trailers-only answer (${tls ? 'TLS' : 'h2c'})`, async () => {
      const cert = tls ? makeCert() : undefined;
      const h = await startH2(grpcHandler, cert === undefined ? {} : { cert });
      const client =
        cert === undefined
          ? new grpc.Client(`127.0.0.1:${h.port}`, grpc.credentials.createInsecure())
          : new grpc.Client(`localhost:${h.port}`, grpc.credentials.createSsl(cert.cert));
      try {
        const ok = await within(
          new Promise<{ value: Buffer; trailers: grpc.Metadata; headers: grpc.Metadata }>((resolve, reject) => {
            let value: Buffer | undefined;
            let headers = new grpc.Metadata();
            const call = client.makeUnaryRequest(
              '/test.Echo/Say',
              id,
              id,
              Buffer.from('hello'),
              new grpc.Metadata(),
              { deadline: Date.now() + 5000 },
              (err, v) => {
                if (err !== null) reject(err);
                value = v;
              },
            );
            call.on('metadata', (md: grpc.Metadata) => (headers = md));
            // 'status' (with the trailers) comes right after the callback.
            call.on('status', (st: grpc.StatusObject) => {
              if (value !== undefined) resolve({ value, trailers: st.metadata, headers });
            });
          }),
          10_000,
          'unary call',
        );
        assert.equal(ok.value.toString(), 'echo:hello');
        assert.deepEqual(ok.trailers.get('x-trailer'), ['yes']);
        assert.match(String(ok.headers.get('x-deadline')[0]), /^\d+[HMSmun]$/);
        const failed = await within(
          new Promise<grpc.ServiceError>((resolve, reject) => {
            client.makeUnaryRequest('/test.Echo/Fail', id, id, Buffer.from('x'), (err) => (err !== null ? resolve(err) : reject(new Error('no error'))));
          }),
          10_000,
          'failing call',
        );
        assert.equal(failed.code, grpc.status.NOT_FOUND);
        assert.equal(failed.details, 'no such thing');
      } finally {
        client.close();
        await h.close();
        cert?.dispose();
      }
    });
  }
});
