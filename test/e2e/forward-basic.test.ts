/**
 * The forwarder end to end: client -> real HttpEntryPoint -> forwarder -> real node:http upstream.
 * Request/response correctness, framing, headers, and keep-alive reuse of upstream connections.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { countingUpstream, forwardTo, readBody, send, startProxy, type CountingUpstream, type Proxy } from './forward-helpers.js';
import { within } from '../helpers/wait.js';
import { firstStatus, rawExchange } from './entrypoint-helpers.js';

interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

function header(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === name) out.push(rawHeaders[i + 1] as string);
  }
  return out;
}

void describe('forwarder: request and response correctness', () => {
  let up: CountingUpstream;
  let proxy: Proxy;
  let passProxy: Proxy;
  let noPassProxy: Proxy;

  before(async () => {
    up = await countingUpstream((req, res) => {
      void readBody(req).then((body) => {
        const url = req.url ?? '';
        if (url.startsWith('/status/')) {
          const status = Number(url.slice(8, 11));
          res.writeHead(status, { 'x-upstream': 'yes', 'content-length': status === 304 || status === 204 ? '12' : '0' });
          res.end();
          return;
        }
        if (url === '/chunked') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('hello ');
          setImmediate(() => res.end('chunked world'));
          return;
        }
        if (url === '/head') {
          res.writeHead(200, { 'content-length': '100', 'x-head': 'yes' });
          res.end();
          return;
        }
        if (url === '/hop') {
          res.setHeader('Connection', 'X-Secret-Resp');
          res.setHeader('X-Secret-Resp', 'no');
          res.setHeader('Keep-Alive', 'timeout=5');
          res.setHeader('Proxy-Authenticate', 'Basic');
          res.setHeader('X-Kept', 'yes');
          res.end('hop');
          return;
        }
        const echo: Echo = { method: req.method ?? '', url, rawHeaders: req.rawHeaders, body: body.toString() };
        const text = JSON.stringify(echo);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-multi': ['a', 'b'] });
        res.end(text);
      });
    });
    proxy = await startProxy(forwardTo(up.url + '/ignored/path').handler);
    passProxy = await startProxy(forwardTo(up.url, { passHostHeader: true }).handler, { insecure: true });
    noPassProxy = await startProxy(forwardTo(up.url + '/base/', { passHostHeader: false, preservePath: true }).handler);
  });

  after(async () => {
    await proxy.close();
    await passProxy.close();
    await noPassProxy.close();
    await up.close();
  });

  const cases = [
    { desc: 'plain path and query are kept byte for byte', path: '/a/b%2Fc?x=1&y=%20z&x=2', want: '/a/b%2Fc?x=1&y=%20z&x=2' },
    { desc: 'root path', path: '/', want: '/' },
    { desc: 'empty query kept', path: '/p?', want: '/p?' },
  ];
  for (const c of cases) {
    void it(`GET: ${c.desc} (server URL path ignored)`, async () => {
      const r = await send(proxy.port, c.path);
      assert.equal(r.status, 200);
      const echo = JSON.parse(r.body.toString()) as Echo;
      assert.equal(echo.method, 'GET');
      assert.equal(echo.url, c.want);
      assert.deepEqual(r.headers['x-multi'], 'a, b');
    });
  }

  void it('POST with Content-Length: body and length pass through', async () => {
    const r = await send(proxy.port, '/post', { method: 'POST', body: 'hello body', headers: { 'content-type': 'text/plain' } });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, 'hello body');
    assert.deepEqual(header(echo.rawHeaders, 'content-length'), ['10']);
    assert.deepEqual(header(echo.rawHeaders, 'transfer-encoding'), []);
  });

  void it('chunked request body is re-framed chunked to the upstream', async () => {
    const body = Readable.from([Buffer.from('part one, '), Buffer.from('part two')]);
    const r = await send(proxy.port, '/upload', { method: 'PUT', body });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.equal(echo.body, 'part one, part two');
    assert.deepEqual(header(echo.rawHeaders, 'transfer-encoding'), ['chunked']);
    assert.deepEqual(header(echo.rawHeaders, 'content-length'), []);
  });

  void it('empty chunked request body', async () => {
    const r = await send(proxy.port, '/upload', { method: 'POST', body: Readable.from([]) });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.equal(echo.body, '');
  });

  void it('chunked response body reaches the client whole', async () => {
    const r = await send(proxy.port, '/chunked');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello chunked world');
    assert.equal(r.headers['content-type'], 'text/plain');
  });

  void it('HEAD: headers with Content-Length, no body, connection still reusable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = up.connections;
      const r = await send(proxy.port, '/head', { method: 'HEAD', agent });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-length'], '100');
      assert.equal(r.headers['x-head'], 'yes');
      assert.equal(r.body.length, 0);
      const r2 = await send(proxy.port, '/after-head', { agent });
      assert.equal((JSON.parse(r2.body.toString()) as Echo).url, '/after-head');
      assert.ok(up.connections - before <= 1, 'HEAD response left the upstream connection reusable');
    } finally {
      agent.destroy();
    }
  });

  for (const status of [204, 304]) {
    void it(`${status}: no body whatever the headers say, connection reusable`, async () => {
      const before = up.connections;
      const r = await send(proxy.port, `/status/${status}`);
      assert.equal(r.status, status);
      assert.equal(r.headers['x-upstream'], 'yes');
      assert.equal(r.body.length, 0);
      const r2 = await send(proxy.port, '/next');
      assert.equal(r2.status, 200);
      assert.ok(up.connections - before <= 1);
    });
  }

  void it('keep-alive: sequential requests reuse one upstream connection', async () => {
    const before = up.connections;
    for (let i = 0; i < 20; i++) {
      const r = await send(proxy.port, `/seq/${i}`);
      assert.equal(r.status, 200);
    }
    assert.ok(up.connections - before <= 1, `opened ${up.connections - before} connections`);
  });

  void it('keep-alive: 16 concurrent requests open at most 16 connections, then reuse them', async () => {
    const before = up.connections;
    await Promise.all(Array.from({ length: 16 }, (_, i) => send(proxy.port, `/par/${i}`)));
    const opened = up.connections - before;
    assert.ok(opened <= 16);
    await Promise.all(Array.from({ length: 16 }, (_, i) => send(proxy.port, `/par2/${i}`)));
    assert.equal(up.connections - before, opened, 'second burst reused the idle connections');
  });

  void it('passHostHeader true: Host is the client host', async () => {
    const r = await send(passProxy.port, '/host', { headers: { host: 'client.example:8080' } });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.deepEqual(header(echo.rawHeaders, 'host'), ['client.example:8080']);
  });

  void it('passHostHeader false: Host is the server URL host:port; preservePath joins the server path', async () => {
    const r = await send(noPassProxy.port, '/x/y?q=1', { headers: { host: 'client.example' } });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.deepEqual(header(echo.rawHeaders, 'host'), [`127.0.0.1:${up.port}`]);
    assert.equal(echo.url, '/base/x/y?q=1');
  });

  void it('X-Forwarded-For: prior values joined, peer IP appended (one header)', async () => {
    const r = await send(passProxy.port, '/xff', { headers: { 'x-forwarded-for': ['1.2.3.4', '5.6.7.8'] } });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.deepEqual(header(echo.rawHeaders, 'x-forwarded-for'), ['1.2.3.4, 5.6.7.8, 127.0.0.1']);
  });

  void it('X-Forwarded-For from an untrusted client is replaced by the peer IP', async () => {
    const r = await send(proxy.port, '/xff', { headers: { 'x-forwarded-for': '1.2.3.4' } });
    const echo = JSON.parse(r.body.toString()) as Echo;
    assert.deepEqual(header(echo.rawHeaders, 'x-forwarded-for'), ['127.0.0.1']);
  });

  void it('hop-by-hop request headers are removed; TE: trailers survives', async () => {
    // Raw bytes: node's client refuses some of these combinations.
    const head =
      'GET /hop-req HTTP/1.1\r\nHost: x\r\n' +
      'Connection: keep-alive, X-Secret\r\nConnection: close\r\nX-Secret: hidden\r\n' +
      'Keep-Alive: timeout=5\r\nProxy-Authorization: Basic eDp5\r\nProxy-Connection: keep-alive\r\n' +
      'TE: trailers, deflate\r\nTrailer: X-T\r\nUpgrade: h2c\r\nX-Normal: kept\r\n\r\n';
    const r = await rawExchange(proxy.port, [head]);
    assert.equal(firstStatus(r.data), 200);
    const echo = JSON.parse(r.data.slice(r.data.indexOf('\r\n\r\n') + 4)) as Echo;
    const names = new Set<string>();
    for (let i = 0; i < echo.rawHeaders.length; i += 2) names.add((echo.rawHeaders[i] as string).toLowerCase());
    for (const gone of ['x-secret', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'trailer', 'upgrade', 'connection']) {
      assert.ok(!names.has(gone), `${gone} must not reach the upstream`);
    }
    assert.deepEqual(header(echo.rawHeaders, 'te'), ['trailers']);
    assert.deepEqual(header(echo.rawHeaders, 'x-normal'), ['kept']);
  });

  void it('hop-by-hop response headers are removed', async () => {
    const r = await send(proxy.port, '/hop');
    assert.equal(r.body.toString(), 'hop');
    assert.equal(r.headers['x-kept'], 'yes');
    assert.equal(r.headers['x-secret-resp'], undefined);
    assert.equal(r.headers['keep-alive'], undefined);
    assert.equal(r.headers['proxy-authenticate'], undefined);
  });

  void it('many requests through one keep-alive client connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 50; i++) {
        const r = await within('request', send(proxy.port, `/ka/${i}`, { agent, method: i % 2 === 0 ? 'GET' : 'POST', body: i % 2 === 0 ? undefined : `b${i}` }));
        const echo = JSON.parse(r.body.toString()) as Echo;
        assert.equal(echo.url, `/ka/${i}`);
        if (i % 2 === 1) assert.equal(echo.body, `b${i}`);
      }
    } finally {
      agent.destroy();
    }
  });
});
