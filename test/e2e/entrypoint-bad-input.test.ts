/**
 * Malformed and hostile input against a real entry point over raw TCP: every case gets its 4xx
 * (or 5xx for what Go answers 501/505) with `Connection: close`, and the connection is closed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import { entryPointConfig, firstStatus, rawExchange } from './entrypoint-helpers.js';

const HEADERS_TIMEOUT = 400;

void describe('entry point: bad input', () => {
  let ep: HttpEntryPoint;
  let port = 0;
  let handled = 0;
  const crashes: unknown[] = [];
  const onCrash = (err: unknown): void => {
    crashes.push(err);
  };

  before(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    ep = new HttpEntryPoint(
      entryPointConfig({ timeouts: { readTimeout: 2000 }, http: { maxHeaderBytes: 4096 } }),
      { headersTimeout: HEADERS_TIMEOUT, maxHeadersCount: 50, hostname: 'test' },
    );
    ep.setHandler((ex) => {
      handled++;
      ex.response.sendText(200, `ok ${ex.path}`);
    });
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(100);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    assert.deepEqual(crashes, [], 'nothing escaped as an uncaught error');
  });

  const many = Array.from({ length: 60 }, (_, i) => `X-H${i}: v\r\n`).join('');
  const cases: { desc: string; send: string; status: number }[] = [
    { desc: 'malformed request line', send: 'GARBAGE\r\n\r\n', status: 400 },
    { desc: 'request line without version', send: 'GET /\r\nHost: a\r\n\r\n', status: 400 },
    { desc: 'lower-case method token with spaces', send: 'G T / HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    {
      desc: 'both Content-Length and Transfer-Encoding',
      send: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      status: 400,
    },
    {
      desc: 'two different Content-Length values',
      send: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
      status: 400,
    },
    {
      desc: 'duplicate Content-Length',
      send: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
      status: 400,
    },
    { desc: 'non-numeric Content-Length', send: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\nabc', status: 400 },
    { desc: 'negative Content-Length', send: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n', status: 400 },
    { desc: 'unsupported Transfer-Encoding', send: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', status: 501 },
    { desc: 'oversized header block', send: `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`, status: 431 },
    { desc: 'too many header fields', send: `GET / HTTP/1.1\r\nHost: a\r\n${many}\r\n`, status: 431 },
    { desc: 'control character in a header value', send: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01c\r\n\r\n', status: 400 },
    { desc: 'space in a header name', send: 'GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n', status: 400 },
    { desc: 'space before the colon', send: 'GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n', status: 400 },
    { desc: 'bare LF inside the head', send: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\nX-B: c\r\n\r\n', status: 400 },
    { desc: 'obsolete line folding', send: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n', status: 400 },
    { desc: 'bad percent-encoding in the path', send: 'GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    { desc: 'truncated percent-encoding', send: 'GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    { desc: 'relative request target', send: 'GET foo HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    { desc: 'fragment in the path (denyFragment)', send: 'GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    { desc: 'fragment after the query', send: 'GET /a?x=1#frag HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    { desc: 'fragment in an absolute-form target', send: 'GET http://a/p#f HTTP/1.1\r\nHost: a\r\n\r\n', status: 400 },
    {
      desc: 'fragment on an upgrade request',
      send: 'GET /ws#x HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      status: 400,
    },
    { desc: 'HTTP/1.1 without Host', send: 'GET / HTTP/1.1\r\n\r\n', status: 400 },
    { desc: 'two Host headers', send: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', status: 400 },
    { desc: 'malformed Host', send: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', status: 400 },
    { desc: 'HTTP/2.0 on the HTTP/1 parser', send: 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', status: 505 },
    { desc: 'CONNECT', send: 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', status: 400 },
    {
      desc: 'bad input on an upgrade request',
      send: 'GET /%zz HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      status: 400,
    },
  ];

  for (const c of cases) {
    void it(`${c.desc} -> ${c.status}, Connection: close, connection closed`, async () => {
      const before = handled;
      const r = await rawExchange(port, [c.send], 3000);
      assert.equal(firstStatus(r.data), c.status, r.data);
      assert.match(r.data, /\r\nConnection: close\r\n/i);
      assert.equal(r.closed, true, 'server closed the connection');
      assert.equal(handled, before, 'the handler never saw it');
    });
  }

  void it('a valid request on the same entry point still works', async () => {
    const r = await rawExchange(port, ['GET /fine HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'], 3000);
    assert.equal(firstStatus(r.data), 200);
    assert.match(r.data, /ok \/fine$/);
  });

  void it('slowloris (head sent a byte at a time) is cut off within the header timeout', async () => {
    const head = 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n';
    const bound = HEADERS_TIMEOUT * 4;
    const r = await rawExchange(port, head.split(''), bound + 1000, 20);
    assert.equal(r.closed, true, 'connection was closed by the server');
    assert.ok(r.elapsed < bound, `cut off after ${r.elapsed} ms (bound ${bound} ms)`);
    assert.equal(firstStatus(r.data), 408);
  });

  void it('a client that connects and sends nothing is closed within the header timeout', async () => {
    const bound = HEADERS_TIMEOUT * 4;
    const r = await rawExchange(port, ['G'], bound + 1000);
    assert.equal(r.closed, true);
    assert.ok(r.elapsed < bound, `closed after ${r.elapsed} ms`);
  });

  void it('a slow body is cut off by readTimeout', async () => {
    // readTimeout is 2000 ms; the body never completes.
    const r = await rawExchange(port, ['POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc'], 6000);
    assert.equal(r.closed, true);
    assert.ok(r.elapsed < 4500, `closed after ${r.elapsed} ms`);
  });
});
