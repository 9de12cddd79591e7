/**
 * Forwarder failures end to end, against real misbehaving peers on loopback: unreachable (502),
 * dial and response-header timeouts (504), client gone (499), upstream dying mid-body, garbage
 * answers, stale keep-alive connections (retry rules), idle expiry on both sides.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createNetServer, connect, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { waitFor, within } from '../helpers/wait.js';
import { firstStatus, rawExchange } from './entrypoint-helpers.js';
import { closedPort, countingUpstream, forwardTo, rawUpstream, send, startProxy, transportWith } from './forward-helpers.js';

const OK_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** A TCP server that accepts and then says nothing (records what it received). */
async function silentServer(): Promise<{ server: NetServer; port: number; sockets: Set<Socket>; received: string[]; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('data', (d: Buffer) => received.push(d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    sockets,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

void describe('forwarder: errors', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  void it('502 when the upstream port is closed (connection refused)', async () => {
    const port = await closedPort();
    const fwd = forwardTo(`http://127.0.0.1:${port}`);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 502);
    assert.equal(r.body.toString(), 'Bad Gateway');
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_UNREACHABLE');
  });

  void it('504 when the dial (TCP + TLS handshake) exceeds dialTimeout: a server that never answers the handshake', async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const fwd = forwardTo(`https://127.0.0.1:${silent.port}`, { transport: transportWith({ dialTimeout: 200 }) });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const t0 = Date.now();
    const r = await within('504', send(proxy.port, '/'), 5000);
    assert.equal(r.status, 504);
    assert.equal(r.body.toString(), 'Gateway Timeout');
    assert.ok(Date.now() - t0 >= 190);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_TIMEOUT');
    await waitFor('the stalled connection to be closed', () => (silent.sockets.size === 0 ? true : undefined), 3000);
  });

  const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
  void it('504 when the TCP connect itself hangs (listen backlog full)', { skip: !python && 'python3 not available' }, async () => {
    // A listener with backlog 0 that never accepts: once one connection fills the queue, SYNs are dropped.
    const py = spawn('python3', ['-c', "import socket,sys\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()"], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      py.kill();
    });
    const port = await within(
      'python listener',
      new Promise<number>((resolve) => py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))),
    );
    const filler = connect(port, '127.0.0.1');
    filler.on('error', () => {});
    cleanups.push(async () => {
      filler.destroy();
    });
    await new Promise((resolve) => filler.once('connect', resolve));
    const fwd = forwardTo(`http://127.0.0.1:${port}`, { transport: transportWith({ dialTimeout: 300 }) });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const r = await within('504', send(proxy.port, '/'), 5000);
    assert.equal(r.status, 504);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_TIMEOUT');
  });

  void it('504 after responseHeaderTimeout when the upstream accepts but never answers', async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const fwd = forwardTo(`http://127.0.0.1:${silent.port}`, { transport: transportWith({ responseHeaderTimeout: 200 }) });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const r = await within('504', send(proxy.port, '/slow'), 5000);
    assert.equal(r.status, 504);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_TIMEOUT');
    assert.match(silent.received.join(''), /^GET \/slow HTTP\/1\.1\r\n/);
    await waitFor('the upstream connection to be closed', () => (silent.sockets.size === 0 ? true : undefined), 3000);
  });

  void it('responseHeaderTimeout does not fire when the answer comes in time', async () => {
    const up = await rawUpstream((s) => setTimeout(() => s.write(OK_RESPONSE), 50));
    cleanups.push(up.close);
    const fwd = forwardTo(up.url, { transport: transportWith({ responseHeaderTimeout: 1000 }) });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'ok');
  });

  void it('499 when the client goes away while waiting: the upstream connection is destroyed, not pooled', async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const fwd = forwardTo(`http://127.0.0.1:${silent.port}`);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const client = connect(proxy.port, '127.0.0.1');
    client.on('error', () => {});
    client.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the upstream to receive the request', () => (silent.received.length > 0 ? true : undefined), 3000);
    const done = proxy.nextDone();
    client.destroy();
    assert.equal(await within('499 outcome', done, 3000), 499);
    await waitFor('the upstream connection to be destroyed', () => (silent.sockets.size === 0 ? true : undefined), 3000);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_CLIENT_GONE');
    assert.equal(fwd.pools.stats()[0]?.idle, 0);
  });

  void it('client aborting mid-upload: the upstream connection is destroyed, outcome 499', async () => {
    const silent = await silentServer();
    cleanups.push(silent.close);
    const fwd = forwardTo(`http://127.0.0.1:${silent.port}`);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const client = connect(proxy.port, '127.0.0.1');
    client.on('error', () => {});
    client.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
    await waitFor('the upstream to receive the start of the body', () => (silent.received.join('').includes('xxxx') ? true : undefined), 3000);
    const done = proxy.nextDone();
    client.destroy();
    assert.equal(await within('499 outcome', done, 3000), 499);
    await waitFor('the upstream connection to be destroyed', () => (silent.sockets.size === 0 ? true : undefined), 3000);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_CLIENT_GONE');
  });

  void it('an early answer while the request body still streams reaches the client; that connection is not reused', async () => {
    // Answers as soon as the first bytes of the request arrive, without reading the body.
    const sockets = new Set<Socket>();
    const early = createNetServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      s.once('data', () => s.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig'));
    });
    await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          early.close(() => resolve());
        }),
    );
    const fwd = forwardTo(`http://127.0.0.1:${(early.address() as AddressInfo).port}`);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const r = await send(proxy.port, '/upload', { method: 'POST', body: Buffer.alloc(4 * 1024 * 1024, 1) });
    assert.equal(r.status, 413);
    assert.equal(r.body.toString(), 'big');
    await waitFor('the half-used upstream connection to be closed', () => (sockets.size === 0 ? true : undefined), 3000);
    assert.equal(fwd.pools.stats()[0]?.idle, 0);
  });

  void it('upstream dying mid-body after the head: the client connection is aborted', async () => {
    const up = await rawUpstream((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789');
      setTimeout(() => s.destroy(), 20);
    });
    cleanups.push(up.close);
    const fwd = forwardTo(up.url);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const r = await rawExchange(proxy.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], 3000);
    assert.equal(r.closed, true);
    assert.equal(firstStatus(r.data), 200);
    assert.ok(r.data.endsWith('0123456789'), 'partial body relayed, then the connection closed');
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_BAD_RESPONSE');
  });

  const badResponses = [
    { desc: 'not HTTP', reply: 'garbage\r\n\r\n' },
    { desc: 'bare LF in a header value', reply: 'HTTP/1.1 200 OK\r\nX-A: a\nb\r\nContent-Length: 0\r\n\r\n' },
    { desc: 'space before colon', reply: 'HTTP/1.1 200 OK\r\nX-A : a\r\nContent-Length: 0\r\n\r\n' },
    { desc: 'conflicting Content-Length', reply: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' },
    { desc: 'closed before any response', reply: '' },
    { desc: 'closed inside the head', reply: 'HTTP/1.1 200 OK\r\nContent-Le' },
  ];
  for (const c of badResponses) {
    void it(`502 on a bad upstream answer: ${c.desc}`, async () => {
      const up = await rawUpstream((s) => s.end(c.reply));
      cleanups.push(up.close);
      const fwd = forwardTo(up.url);
      const proxy = await startProxy(fwd.handler);
      cleanups.push(proxy.close);
      const r = await send(proxy.port, '/');
      assert.equal(r.status, 502);
      assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_BAD_RESPONSE');
    });
  }

  void it('100 is skipped, 103 Early Hints relayed; close-delimited bodies are relayed whole', async () => {
    const up = await rawUpstream((s) => {
      s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n');
      s.end('HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the end');
    });
    cleanups.push(up.close);
    const proxy = await startProxy(forwardTo(up.url).handler);
    cleanups.push(proxy.close);
    const infos: { status: number; link: unknown }[] = [];
    const r = await new Promise<{ status: number; a: unknown; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxy.port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, a: res.headers['x-a'], body }));
      });
      req.on('information', (info) => infos.push({ status: info.statusCode, link: info.headers.link }));
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(infos, [{ status: 103, link: '</a.css>; rel=preload' }]);
    assert.deepEqual(r, { status: 200, a: '1', body: 'until the end' });
  });

  void describe('stale keep-alive connections (the server closes a reused connection without answering)', () => {
    const cases = [
      { desc: 'GET is replayed on a fresh connection', method: 'GET', headers: {}, body: undefined, want: 200 },
      { desc: 'HEAD is replayed', method: 'HEAD', headers: {}, body: undefined, want: 200 },
      { desc: 'bodyless POST with Idempotency-Key is replayed', method: 'POST', headers: { 'idempotency-key': 'k1' }, body: undefined, want: 200 },
      { desc: 'bodyless POST is not replayed (not idempotent)', method: 'POST', headers: {}, body: undefined, want: 502 },
      { desc: 'PUT with a body is not replayed (the body stream was consumed)', method: 'PUT', headers: {}, body: 'data', want: 502 },
    ];
    for (const c of cases) {
      void it(c.desc, async () => {
        // First request on each connection is answered (keep-alive); later ones get the connection closed.
        const up = await rawUpstream((s, index) => {
          if (index === 0) s.write(OK_RESPONSE);
          else s.destroy();
        });
        cleanups.push(up.close);
        const fwd = forwardTo(up.url);
        const proxy = await startProxy(fwd.handler);
        cleanups.push(proxy.close);
        assert.equal((await send(proxy.port, '/first')).status, 200);
        const r = await send(proxy.port, '/second', { method: c.method, headers: c.headers, body: c.body });
        assert.equal(r.status, c.want);
        assert.equal(up.connections, c.want === 200 ? 2 : 1);
      });
    }
  });

  void it('an upstream closing idle connections (short keepAliveTimeout) costs no failed request', async () => {
    const up = await countingUpstream(
      (_req, res) => res.end('ok'),
      (server) => {
        server.keepAliveTimeout = 100;
      },
    );
    cleanups.push(up.close);
    const fwd = forwardTo(up.url);
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    for (let round = 0; round < 3; round++) {
      assert.equal((await send(proxy.port, `/r${round}`)).status, 200);
      await waitFor('the upstream to close its idle connection', () => (up.open.size === 0 ? true : undefined), 3000);
      await waitFor('the pool to drop it', () => (fwd.pools.stats()[0]?.idle === 0 ? true : undefined), 3000);
    }
    assert.equal(fwd.errors.length, 0);
    assert.equal(up.connections, 3);
  });

  void it('idleConnTimeout: our idle connections are closed after the timeout', async () => {
    const up = await countingUpstream((_req, res) => res.end('ok'));
    cleanups.push(up.close);
    const fwd = forwardTo(up.url, { transport: transportWith({ idleConnTimeout: 150 }) });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    assert.equal((await send(proxy.port, '/')).status, 200);
    assert.equal(up.open.size, 1);
    const t0 = Date.now();
    await waitFor('the idle connection to be closed by the proxy', () => (up.open.size === 0 ? true : undefined), 3000);
    assert.ok(Date.now() - t0 >= 100, 'not closed before the timeout');
  });

  void it('maxIdleConnsPerHost bounds the idle connections kept', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const up = await countingUpstream((_req, res) => void gate.then(() => res.end('ok')));
    cleanups.push(up.close);
    const fwd = forwardTo(up.url, { transport: transportWith({ maxIdleConnsPerHost: 2 }) });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close);
    const all = Promise.all(Array.from({ length: 5 }, () => send(proxy.port, '/')));
    await waitFor('5 upstream connections', () => (up.connections === 5 ? true : undefined), 3000);
    (release as () => void)();
    for (const r of await all) assert.equal(r.status, 200);
    await waitFor('surplus connections closed', () => (up.open.size === 2 ? true : undefined), 3000);
    assert.equal(fwd.pools.stats()[0]?.idle, 2);
  });
});
