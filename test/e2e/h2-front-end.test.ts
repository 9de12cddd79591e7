/**
 * The HTTP/2 front end with real node:http2 clients, over h2c (prior knowledge) and TLS (ALPN):
 * the Exchange it builds, response heads and bodies, trailers, HEAD/204/304, aborts and resets.
 */
import { strict as assert } from 'node:assert';
import { constants } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { Exchange } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { within } from './entrypoint-helpers.js';
import { clientSession, h2request, makeCert, readAll, startH2, type H2Harness, type TestCert } from './h2-helpers.js';

const { NGHTTP2_INTERNAL_ERROR } = constants;

describe('HTTP/2 front end: exchanges and responses', () => {
  let cert: TestCert;
  let h: H2Harness;
  let last: Exchange | null = null;
  let lastBody: Buffer = Buffer.alloc(0);

  before(async () => {
    cert = makeCert();
    h = await startH2(
      async (ex) => {
        last = ex;
        if (ex.path === '/no-read') {
          ex.response.sendText(200, 'not reading that');
          return;
        }
        lastBody = await readAll(ex);
        const res = ex.response;
        switch (ex.path) {
          case '/hop':
            res.writeHead(200, new HeaderList(['Connection', 'close', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Upgrade', 'x', 'X-Kept', 'yes', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2']));
            res.end(Buffer.from('hop'));
            return;
          case '/trailers':
            res.writeHead(200, new HeaderList(['Content-Type', 'application/grpc']));
            res.write(Buffer.from('part1-'));
            res.end(Buffer.from('part2'), new HeaderList(['Grpc-Status', '0', 'Grpc-Message', 'ok']));
            return;
          case '/trailers-end':
            res.writeHead(200, new HeaderList(['Content-Type', 'application/grpc']));
            res.end(Buffer.from('whole'), new HeaderList(['grpc-status', '0']));
            return;
          case '/trailers-only':
            res.writeHead(200, new HeaderList(['Content-Type', 'application/grpc']));
            res.end(undefined, new HeaderList(['grpc-status', '5', 'grpc-message', 'not found']));
            return;
          case '/204':
            res.writeHead(204, new HeaderList(['X-A', '1']));
            res.end(Buffer.from('ignored'));
            return;
          case '/304':
            res.writeHead(304, new HeaderList(['ETag', '"x"']));
            res.write(Buffer.from('ignored'));
            res.end();
            return;
          case '/abort':
            res.writeHead(200, new HeaderList());
            res.write(Buffer.from('some'));
            res.abort();
            return;
          case '/early':
            res.writeHead(103, new HeaderList(['Link', '</a.css>; rel=preload']));
            res.sendText(200, 'after hints');
            return;
          case '/bad-header':
            res.writeHead(200, new HeaderList(['X-Bad', 'a\r\nb']));
            return;
          default:
            res.sendText(200, `${ex.method} ${ex.path} ${ex.query ?? '-'} body=${lastBody.length}`);
        }
      },
      { cert },
    );
  });

  after(async () => {
    await h.close();
    cert.dispose();
  });

  for (const tls of [false, true]) {
    const proto = tls ? 'h2 over TLS' : 'h2c';
    it(`${proto}: builds the Exchange from the HEADERS block`, async () => {
      const s = clientSession(h.port, tls);
      try {
        const r = await within(
          h2request(s, { ':method': 'GET', ':path': '/a/%2e%2e/b?x=1;y=2', cookie: ['a=1', 'b=2'], 'x-one': 'v' }),
          5000,
          'response',
        );
        assert.equal(r.headers[':status'], 200);
        assert.equal(r.body.toString(), 'GET /b x=1&y=2 body=0');
        const ex = last;
        assert.ok(ex !== null);
        assert.equal(ex.httpVersion, '2.0');
        assert.equal(ex.method, 'GET');
        assert.equal(ex.routingPath, '/b');
        assert.equal(ex.host, `${tls ? 'localhost' : '127.0.0.1'}:${h.port}`);
        assert.equal(ex.body, null);
        assert.equal(ex.upgrade, null);
        assert.equal(ex.entryPoint, 'web');
        assert.equal(ex.peer.address, '127.0.0.1');
        assert.ok(ex.peer.port > 0);
        for (let i = 0; i < ex.headers.raw.length; i += 2) assert.notEqual((ex.headers.raw[i] as string)[0], ':');
        assert.deepEqual(ex.headers.getAll('cookie'), ['a=1; b=2']);
        assert.equal(ex.headers.get('x-one'), 'v');
        if (tls) {
          assert.ok(ex.tls !== null);
          assert.equal(ex.tls.alpn, 'h2');
          assert.equal(ex.tls.servername, 'localhost');
          assert.match(ex.tls.protocol, /^TLSv1\.[23]$/);
          assert.ok(ex.tls.cipher.length > 0);
          assert.equal(ex.tls.peerCertificates, undefined);
        } else {
          assert.equal(ex.tls, null);
        }
      } finally {
        s.close();
      }
    });
  }

  it('streams a request body into ex.body', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(h2request(s, { ':method': 'POST', ':path': '/echo' }, Buffer.alloc(70_000, 1)), 5000, 'response');
      assert.equal(r.body.toString(), 'POST /echo - body=70000');
      assert.ok(last?.body !== null);
    } finally {
      s.close();
    }
  });

  it('an answer sent without reading a large upload completes, and the session goes on', async () => {
    const s = clientSession(h.port);
    try {
      const done = h.nextDone();
      const r = await within(h2request(s, { ':method': 'POST', ':path': '/no-read' }, Buffer.alloc(3 << 20)), 5000, 'response');
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.body.toString(), 'not reading that');
      assert.equal(await within(done, 5000, 'finished'), 200);
      const next = await within(h2request(s, { ':path': '/next' }), 5000, 'next response');
      assert.equal(next.headers[':status'], 200);
    } finally {
      s.close();
    }
  });

  it('sends 100 Continue when a body announced with Expect: 100-continue is first read', async () => {
    const s = clientSession(h.port);
    try {
      const req = s.request({ ':method': 'POST', ':path': '/continue', expect: '100-continue' });
      req.on('error', () => {});
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      await within(new Promise((r) => req.once('continue', r)), 5000, '100 Continue');
      req.end(Buffer.from('after continue'));
      await within(new Promise((r) => req.once('close', r)), 5000, 'answer');
      assert.equal(Buffer.concat(chunks).toString(), 'POST /continue - body=14');
    } finally {
      s.close();
    }
  });

  it('drops the hop-by-hop fields HTTP/2 forbids and keeps repeated ones', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(h2request(s, { ':path': '/hop' }), 5000, 'response');
      assert.equal(r.headers[':status'], 200);
      for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade']) assert.equal(r.headers[name], undefined, name);
      assert.equal(r.headers['x-kept'], 'yes');
      assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
      assert.equal(r.body.toString(), 'hop');
    } finally {
      s.close();
    }
  });

  const trailerCases = [
    { desc: 'body written, then end(chunk, trailers)', path: '/trailers', body: 'part1-part2', trailers: { 'grpc-status': '0', 'grpc-message': 'ok' } },
    { desc: 'end(chunk, trailers) without a write', path: '/trailers-end', body: 'whole', trailers: { 'grpc-status': '0' } },
  ];
  for (const c of trailerCases) {
    it(`sends trailers: ${c.desc}`, async () => {
      const s = clientSession(h.port);
      try {
        const r = await within(h2request(s, { ':path': c.path }), 5000, 'response');
        assert.equal(r.headers[':status'], 200);
        assert.equal(r.body.toString(), c.body);
        assert.ok(r.trailers !== null, 'trailers received');
        for (const [k, v] of Object.entries(c.trailers)) assert.equal(r.trailers[k], v);
      } finally {
        s.close();
      }
    });
  }

  it('answers a head and trailers without a body as one trailers-only HEADERS block', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(h2request(s, { ':path': '/trailers-only' }), 5000, 'response');
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.headers['grpc-status'], '5');
      assert.equal(r.headers['grpc-message'], 'not found');
      assert.equal(r.headers['content-type'], 'application/grpc');
      assert.equal(r.trailers, null);
      assert.equal(r.body.length, 0);
    } finally {
      s.close();
    }
  });

  const noBody = [
    { desc: 'HEAD', method: 'HEAD', path: '/x', status: 200 },
    { desc: '204', method: 'GET', path: '/204', status: 204 },
    { desc: '304', method: 'GET', path: '/304', status: 304 },
  ];
  for (const c of noBody) {
    it(`sends no body for ${c.desc}`, async () => {
      const s = clientSession(h.port);
      try {
        const done = h.nextDone();
        const r = await within(h2request(s, { ':method': c.method, ':path': c.path }), 5000, 'response');
        assert.equal(r.headers[':status'], c.status);
        assert.equal(r.body.length, 0);
        assert.equal(r.rstCode, 0);
        assert.equal(await within(done, 5000, 'finished'), c.status);
      } finally {
        s.close();
      }
    });
  }

  it('abort() resets the stream with INTERNAL_ERROR and leaves the session serving', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(h2request(s, { ':path': '/abort' }), 5000, 'reset');
      assert.equal(r.rstCode, NGHTTP2_INTERNAL_ERROR);
      const ok = await within(h2request(s, { ':path': '/after' }), 5000, 'next response');
      assert.equal(ok.headers[':status'], 200);
    } finally {
      s.close();
    }
  });

  it('relays 103 Early Hints before the final answer', async () => {
    const s = clientSession(h.port);
    try {
      const req = s.request({ ':path': '/early' });
      const hints = new Promise<Record<string, unknown>>((resolve) => req.once('headers', (hd) => resolve(hd)));
      req.end();
      const got = await within(hints, 5000, '103');
      assert.equal(got[':status'], 103);
      assert.equal(got['link'], '</a.css>; rel=preload');
      req.resume();
      await within(new Promise((r) => req.once('close', r)), 5000, 'close');
    } finally {
      s.close();
    }
  });

  it('throws for a header value that would be invalid (the sink answers 500)', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(h2request(s, { ':path': '/bad-header' }), 5000, 'response');
      assert.equal(r.headers[':status'], 500);
    } finally {
      s.close();
    }
  });

  it('refuses a bad :path with 400 without dispatching it', async () => {
    const s = clientSession(h.port);
    try {
      const before = h.exchanges.length;
      const r = await within(h2request(s, { ':path': '/a%zz' }), 5000, 'response');
      assert.equal(r.headers[':status'], 400);
      assert.equal(h.exchanges.length, before);
    } finally {
      s.close();
    }
  });
});
