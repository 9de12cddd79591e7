/**
 * h2c:// upstreams: requests forwarded over cleartext HTTP/2 (prior knowledge) by the forwarder,
 * from an HTTP/1.1 entry point and from an HTTP/2 test front end, to real node:http2 servers.
 * Sessions: one per origin multiplexing streams, another when the peer's maxConcurrentStreams is
 * reached, a new one after GOAWAY, kept across "reloads" (a second forwarder on the same pools),
 * closed after idleConnTimeout. Trailers, trailers-only answers, bodies with backpressure.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:http2';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { closedPort, forwardTo, send, startProxy, transportWith } from './forward-helpers.js';
import { h2Client, h2Request, h2Upstream, readStream, transportOf, type H2Upstream } from './upstream-h2-helpers.js';
import { startH2Front } from './upstream-h2-harness.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { waitFor, within } from '../helpers/wait.js';

void describe('forwarder: h2c upstreams', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function upstream(...args: Parameters<typeof h2Upstream>): Promise<H2Upstream> {
    const up = await h2Upstream(...args);
    cleanups.push(up.close);
    return up;
  }

  async function h1Proxy(url: string, o: Parameters<typeof forwardTo>[1] = {}) {
    const fwd = forwardTo(url, o);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    cleanups.push(() => fwd.pools.close());
    return { proxy, fwd };
  }

  async function h2Proxy(url: string, o: Parameters<typeof forwardTo>[1] = {}) {
    const fwd = forwardTo(url, o);
    const front = await startH2Front(fwd.handler);
    const client = h2Client(front.port);
    cleanups.push(front.close);
    cleanups.push(() => fwd.pools.close());
    cleanups.push(() => void client.destroy());
    return { front, fwd, client };
  }

  void it('HTTP/1.1 client -> h2c: pseudo-headers, Host as :authority, hop-by-hop removed, te: trailers kept, X-Forwarded-For set', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 201, 'x-up': 'yes', 'set-cookie': ['a=1', 'b=2'] });
      stream.end('over h2');
    });
    const { proxy } = await h1Proxy(up.url);
    const r = await send(proxy.port, '/p/a%2Fb?x=1&y', {
      headers: { host: 'front.test', connection: 'keep-alive, X-Priv', 'x-priv': '1', te: 'trailers', 'keep-alive': '5', 'x-forwarded-for': '10.0.0.9', cookie: 'c=3', 'x-two': ['a', 'b'] },
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.toString(), 'over h2');
    assert.equal(r.headers['x-up'], 'yes');
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    const h = up.requests[0];
    assert.ok(h !== undefined);
    assert.equal(h[':method'], 'GET');
    assert.equal(h[':scheme'], 'http');
    assert.equal(h[':authority'], 'front.test');
    assert.equal(h[':path'], '/p/a%2Fb?x=1&y');
    assert.equal(h.te, 'trailers');
    assert.equal(h['x-priv'], undefined);
    assert.equal(h['keep-alive'], undefined);
    assert.equal(h.connection, undefined);
    // The entry point dropped the untrusted client's X-Forwarded-For; the forwarder adds the peer.
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h.cookie, 'c=3');
    assert.equal(h['x-two'], 'a, b');
  });

  void it('passHostHeader false: :authority is the server URL host', async () => {
    const up = await upstream((stream) => stream.respond({ ':status': 204 }, { endStream: true }));
    const { proxy } = await h1Proxy(up.url, { passHostHeader: false });
    assert.equal((await send(proxy.port, '/', { headers: { host: 'front.test' } })).status, 204);
    assert.equal(up.requests[0]?.[':authority'], `127.0.0.1:${up.port}`);
  });

  void it('request bodies stream both ways: 3 MiB with Content-Length, chunked upload without', async () => {
    const up = await upstream((stream, headers) => {
      void readStream(stream).then((b) => {
        stream.respond({ ':status': 200, 'x-len': String(b.length), 'x-cl': String(headers['content-length'] ?? 'none') });
        stream.end(b);
      });
    });
    const { proxy } = await h1Proxy(up.url);
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    const r = await send(proxy.port, '/up', { method: 'POST', body: big });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-len'], String(big.length));
    assert.equal(r.headers['x-cl'], String(big.length));
    assert.ok(r.body.equals(big));
    const { Readable } = await import('node:stream');
    const r2 = await send(proxy.port, '/chunked', { method: 'POST', body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]) });
    assert.equal(r2.headers['x-len'], '4');
    assert.equal(r2.headers['x-cl'], 'none');
    assert.equal(r2.body.toString(), 'abcd');
  });

  void it('HTTP/2 client -> h2c: response trailers are relayed (grpc-status, grpc-message)', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'fine', 'x-t': 'z' }));
      stream.end(Buffer.from([0, 0, 0, 0, 1, 65]));
    });
    const { client } = await h2Proxy(up.url);
    const r = await h2Request(client, { ':path': '/svc/Method', te: 'trailers', 'content-type': 'application/grpc', 'x-forwarded-for': '10.0.0.9' }, Buffer.from([0, 0, 0, 0, 0]));
    assert.equal(r.status, 200);
    assert.deepEqual([...r.body], [0, 0, 0, 0, 1, 65]);
    assert.equal(r.trailers?.['grpc-status'], '0');
    assert.equal(r.trailers?.['grpc-message'], 'fine');
    assert.equal(r.trailers?.['x-t'], 'z');
    assert.equal(up.requests[0]?.te, 'trailers');
    assert.equal(up.requests[0]?.['x-forwarded-for'], '10.0.0.9, 127.0.0.1');
    assert.equal(up.requests[0]?.['content-length'], undefined, 'no length was given: none is invented');
  });

  void it('a trailers-only answer (HEADERS with END_STREAM carrying grpc-status) stays trailers-only', async () => {
    const up = await upstream((stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'not found' }, { endStream: true }));
    const { client } = await h2Proxy(up.url);
    const r = await h2Request(client, { ':path': '/svc/Missing', te: 'trailers' }, Buffer.alloc(5));
    assert.equal(r.status, 200);
    assert.equal(r.endStreamOnHead, true);
    assert.equal(r.headers['grpc-status'], '5');
    assert.equal(r.headers['grpc-message'], 'not found');
    assert.equal(r.body.length, 0);
  });

  void it('103 Early Hints are relayed before the final head; HEAD answers carry no body', async () => {
    const up = await upstream((stream, headers) => {
      if (headers[':method'] === 'HEAD') {
        stream.respond({ ':status': 200, 'content-length': '5' }, { endStream: true });
        return;
      }
      stream.additionalHeaders({ ':status': 103, link: '</a.css>; rel=preload' });
      stream.respond({ ':status': 200 });
      stream.end('final');
    });
    const { client } = await h2Proxy(up.url);
    const hints: string[] = [];
    const req = client.request({ ':path': '/hints' });
    req.on('headers', (h) => hints.push(`${String(h[':status'])} ${String(h.link)}`));
    const body = await within('final answer', new Promise<string>((resolve, reject) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => resolve(text));
      req.on('error', reject);
    }));
    assert.equal(body, 'final');
    assert.deepEqual(hints, ['103 </a.css>; rel=preload']);
    const head = await h2Request(client, { ':path': '/h', ':method': 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '5');
    assert.equal(head.body.length, 0);
  });

  void it('a request without body is sent with END_STREAM on its HEADERS', async () => {
    const flags: number[] = [];
    const up = await upstream((stream, _h, f) => {
      flags.push(f);
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    const { proxy } = await h1Proxy(up.url);
    assert.equal((await send(proxy.port, '/')).status, 200);
    assert.ok(((flags[0] ?? 0) & constants.NGHTTP2_FLAG_END_STREAM) !== 0);
  });

  void it('one session multiplexes concurrent requests', async () => {
    const held: (() => void)[] = [];
    const N = 30;
    const up = await upstream((stream, headers) => {
      held.push(() => {
        stream.respond({ ':status': 200 });
        stream.end(String(headers[':path']));
      });
      if (held.length === N) for (const f of held) f();
    });
    const { client } = await h2Proxy(up.url);
    const replies = await within('30 answers', Promise.all(Array.from({ length: N }, (_, i) => h2Request(client, { ':path': `/m${i}` }))));
    replies.forEach((r, i) => assert.equal(r.body.toString(), `/m${i}`));
    assert.equal(up.sessions, 1);
  });

  void it("another session when the peer's maxConcurrentStreams is reached", async () => {
    const held: (() => void)[] = [];
    const N = 6;
    const up = await upstream(
      (stream, headers) => {
        if (headers[':path'] === '/warm') {
          stream.respond({ ':status': 200 });
          stream.end('warm');
          return;
        }
        held.push(() => {
          stream.respond({ ':status': 200 });
          stream.end('x');
        });
        if (held.length === N) for (const f of held) f();
      },
      { settings: { maxConcurrentStreams: 2 } },
    );
    const { proxy, fwd } = await h1Proxy(up.url);
    // The first request lets the session learn the peer's settings.
    assert.equal((await send(proxy.port, '/warm')).status, 200);
    const replies = await within('6 answers', Promise.all(Array.from({ length: N }, (_, i) => send(proxy.port, `/c${i}`))));
    for (const r of replies) assert.equal(r.status, 200);
    assert.ok(up.sessions >= 3, `sessions: ${up.sessions}`);
    assert.ok((fwd.pools.stats()[0]?.h2Sessions ?? 0) >= 3);
  });

  void it('after GOAWAY a new session serves the next requests; in-flight ones finish', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
      stream.session?.goaway(constants.NGHTTP2_NO_ERROR);
    });
    const { proxy } = await h1Proxy(up.url);
    for (let i = 0; i < 3; i++) assert.equal((await send(proxy.port, `/g${i}`)).status, 200);
    assert.equal(up.sessions, 3);
  });

  void it('a session closed by the server is replaced', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    const { proxy } = await h1Proxy(up.url);
    assert.equal((await send(proxy.port, '/1')).status, 200);
    for (const s of up.open) s.destroy();
    await waitFor('server sessions closed', () => (up.open.size === 0 ? true : undefined));
    assert.equal((await send(proxy.port, '/2')).status, 200);
    assert.equal(up.sessions, 2);
  });

  void it('sessions are kept across reloads: a new forwarder on the same pools reuses the session', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    const pools = new UpstreamPools();
    cleanups.push(() => pools.close());
    const a = await h1Proxy(up.url, { pools });
    assert.equal((await send(a.proxy.port, '/a')).status, 200);
    const b = await h1Proxy(up.url, { pools });
    assert.equal((await send(b.proxy.port, '/b')).status, 200);
    assert.equal(up.sessions, 1);
  });

  void it('idleConnTimeout closes a session with no stream', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    const pools = new UpstreamPools({ sweepIntervalMs: 20 });
    cleanups.push(() => pools.close());
    const { proxy } = await h1Proxy(up.url, { pools, transport: transportWith({ idleConnTimeout: 100 }) });
    assert.equal((await send(proxy.port, '/')).status, 200);
    assert.equal(up.open.size, 1);
    await waitFor('the idle session to be closed', () => (up.open.size === 0 ? true : undefined), 3000);
    assert.equal(pools.stats()[0]?.h2Sessions ?? 0, 0);
  });

  void it('502 when the h2c server is not listening (a dial error: retryable)', async () => {
    const port = await closedPort();
    const { proxy, fwd } = await h1Proxy(`h2c://127.0.0.1:${port}`);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 502);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_UNREACHABLE');
    assert.equal(fwd.errors[0]?.constructor.name, 'DialError');
  });

  const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
  void it('504 when the TCP connect hangs past dialTimeout (listen backlog full)', { skip: !python && 'python3 not available' }, async () => {
    // A listener with backlog 0 that never accepts: once one connection fills the queue, SYNs are dropped.
    const py = spawn('python3', ['-c', "import socket,sys\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()"], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(() => void py.kill());
    const port = await within('python listener', new Promise<number>((resolve) => py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))));
    const filler = connect(port, '127.0.0.1');
    filler.on('error', () => {});
    cleanups.push(() => void filler.destroy());
    await new Promise((resolve) => filler.once('connect', resolve));
    const { proxy, fwd } = await h1Proxy(`h2c://127.0.0.1:${port}`, { transport: transportWith({ dialTimeout: 300 }) });
    const t0 = Date.now();
    const r = await within('504', send(proxy.port, '/'), 5000);
    assert.equal(r.status, 504);
    assert.ok(Date.now() - t0 >= 290);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_TIMEOUT');
    assert.equal(fwd.errors[0]?.constructor.name, 'DialError');
  });

  void it('readIdleTimeout: idle sessions are pinged and kept; a frozen peer (SIGSTOP) is dropped after pingTimeout, 502', async () => {
    // The upstream runs in a child process so that it can be frozen: the kernel keeps the TCP
    // connection up, but no HTTP/2 frame (nor PING answer) comes back.
    const script = [
      "const h2 = require('node:http2');",
      'const s = h2.createServer();',
      "s.on('session', (x) => { console.log('session'); x.on('ping', () => console.log('ping')); });",
      "s.on('stream', (st) => { st.respond({ ':status': 200 }); st.end('alive'); });",
      "s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));",
    ].join('\n');
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    });
    const lines: string[] = [];
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
    const portLine = await waitFor('child upstream port', () => lines.find((l) => l.startsWith('port ')));
    const url = `h2c://127.0.0.1:${portLine.slice(5)}`;
    const { proxy, fwd } = await h1Proxy(url, {
      transport: transportOf({ forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000, readIdleTimeout: 150, pingTimeout: 300 } }),
    });
    assert.equal((await send(proxy.port, '/1')).body.toString(), 'alive');
    await waitFor('two health pings on the idle session', () => (lines.filter((l) => l === 'ping').length >= 2 ? true : undefined), 5000);
    assert.equal((await send(proxy.port, '/2')).body.toString(), 'alive');
    assert.equal(lines.filter((l) => l === 'session').length, 1, 'the pinged session was kept');
    child.kill('SIGSTOP');
    const t0 = Date.now();
    const r = await within('502 from the frozen peer', send(proxy.port, '/3'), 5000);
    assert.equal(r.status, 502);
    assert.ok(Date.now() - t0 >= 300, 'not before pingTimeout');
    assert.match(fwd.errors.at(-1)?.message ?? '', /ping/i);
  });

  void it('504 after responseHeaderTimeout; the stream is cancelled', async () => {
    const codes: number[] = [];
    const up = await upstream((stream) => stream.on('close', () => codes.push(stream.rstCode ?? -1)));
    const { proxy, fwd } = await h1Proxy(up.url, { transport: transportWith({ responseHeaderTimeout: 150 }) });
    const r = await within('504', send(proxy.port, '/slow'));
    assert.equal(r.status, 504);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_TIMEOUT');
    await waitFor('the upstream stream to be cancelled', () => (codes.length > 0 ? true : undefined));
    assert.equal(codes[0], constants.NGHTTP2_CANCEL);
  });

  void it('502 when the server resets the stream before the head', async () => {
    const up = await upstream((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    const { proxy, fwd } = await h1Proxy(up.url);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 502);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_BAD_RESPONSE');
    assert.match(fwd.errors[0]?.message ?? '', /INTERNAL_ERROR/);
  });

  void it('a reset after the head aborts the client stream', async () => {
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200 });
      stream.write('partial');
      // destroy() resets without ending the stream first (close() would send END_STREAM before RST_STREAM).
      setImmediate(() => stream.destroy(new Error('boom')));
    });
    const { client, fwd } = await h2Proxy(up.url);
    await assert.rejects(within('reset', h2Request(client, { ':path': '/' })), /reset|stream|INTERNAL/i);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_BAD_RESPONSE');
  });

  void it('a refused stream (REFUSED_STREAM) without body is sent again once', async () => {
    let n = 0;
    const up = await upstream((stream) => {
      if (n++ === 0) {
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end('second try');
    });
    const { proxy } = await h1Proxy(up.url);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'second try');
    assert.equal(up.requests.length, 2);
  });

  void it('a stream beyond a GOAWAY (last stream id 0) is sent again on a new session', async () => {
    let n = 0;
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200 });
      stream.end('after goaway');
    });
    up.server.prependListener('session', (s: import('node:http2').ServerHttp2Session) => {
      if (n++ === 0) s.goaway(constants.NGHTTP2_NO_ERROR, 0);
    });
    const { proxy, fwd } = await h1Proxy(up.url);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'after goaway');
    assert.equal(up.sessions, 2);
    assert.deepEqual(fwd.errors, []);
  });

  void it('the client going away cancels the upstream stream (RST_STREAM CANCEL)', async () => {
    const codes: number[] = [];
    let arrived!: () => void;
    const seen = new Promise<void>((r) => (arrived = r));
    const up = await upstream((stream) => {
      stream.on('close', () => codes.push(stream.rstCode ?? -1));
      stream.respond({ ':status': 200 });
      stream.write('first');
      arrived();
    });
    const { client, front } = await h2Proxy(up.url);
    const req = client.request({ ':path': '/stream' });
    req.on('error', () => {});
    await within('upstream stream', seen);
    await within('first bytes', new Promise((r) => req.once('data', r)));
    req.close(constants.NGHTTP2_CANCEL);
    await waitFor('upstream stream cancelled', () => (codes.length > 0 ? true : undefined));
    assert.equal(codes[0], constants.NGHTTP2_CANCEL);
    await waitFor('499 recorded', () => (front.statuses.includes(499) ? true : undefined));
  });

  void it('response bodies larger than the flow-control windows arrive whole (backpressure)', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'y');
    const up = await upstream((stream) => {
      stream.respond({ ':status': 200, 'content-length': String(big.length) });
      stream.end(big);
    });
    const { client } = await h2Proxy(up.url);
    const r = await within('big body', h2Request(client, { ':path': '/big' }), 20_000);
    assert.equal(r.body.length, big.length);
    assert.ok(r.body.equals(big));
  });
});
