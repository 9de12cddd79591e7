/**
 * The HTTP/2 front end under many streams: 100 concurrent streams on one session, clients that
 * reset streams mid-body while others continue, maxConcurrentStreams, bodies larger than the
 * flow-control window both ways, GOAWAY on shutdown, the idle timeout, and curl as a client.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { constants } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Exchange } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { signal, within } from './entrypoint-helpers.js';
import { clientSession, h2request, makeCert, readAll, startH2, type H2Harness, type TestCert } from './h2-helpers.js';

const run = promisify(execFile);
const { NGHTTP2_CANCEL } = constants;

/** Echo the request body back, with backpressure both ways. */
function echo(ex: Exchange): void {
  const res = ex.response;
  res.writeHead(200, new HeaderList(['Content-Type', 'application/octet-stream']));
  const body = ex.body;
  if (body === null) return res.end();
  body.on('data', (c: Buffer) => {
    if (!res.write(c)) {
      body.pause();
      res.onDrain(() => body.resume());
    }
  });
  body.on('end', () => res.end());
  body.on('error', () => res.abort());
}

describe('HTTP/2 front end: streams', () => {
  let cert: TestCert;
  let h: H2Harness;
  /** Requests to /hold wait here until released. */
  const held: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const bodyErrors: string[] = [];

  before(async () => {
    cert = makeCert();
    h = await startH2(
      async (ex) => {
        switch (ex.path) {
          case '/echo':
            return echo(ex);
          case '/hold': {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise<void>((resolve) => held.push(resolve));
            inFlight--;
            ex.response.sendText(200, 'released');
            return;
          }
          case '/upload': {
            const gone = new Promise<void>((resolve) => ex.response.onClientGone(resolve));
            try {
              const b = await readAll(ex);
              ex.response.sendText(200, `got ${b.length}`);
            } catch (err) {
              bodyErrors.push((err as { code?: string }).code ?? String(err));
              await within(gone, 5000, 'onClientGone');
            }
            return;
          }
          default:
            ex.response.sendText(200, `ok ${ex.path}`);
        }
      },
      { cert, maxConcurrentStreams: 120 },
    );
  });

  after(async () => {
    for (const r of held) r();
    await h.close();
    cert.dispose();
  });

  it('serves 100 concurrent streams on one session', async () => {
    const s = clientSession(h.port);
    try {
      const replies = await within(
        Promise.all(Array.from({ length: 100 }, (_, i) => h2request(s, { ':path': `/n/${i}` }))),
        15_000,
        '100 responses',
      );
      replies.forEach((r, i) => {
        assert.equal(r.headers[':status'], 200);
        assert.equal(r.body.toString(), `ok /n/${i}`);
      });
    } finally {
      s.close();
    }
  });

  it('a client resetting streams mid-body does not disturb the other streams', async () => {
    const s = clientSession(h.port);
    try {
      const errorsBefore = bodyErrors.length;
      const statusesBefore = h.statuses.length;
      const good = Array.from({ length: 10 }, () => h2request(s, { ':method': 'POST', ':path': '/upload' }, Buffer.alloc(200_000, 7)));
      const cut: Promise<void>[] = [];
      for (let i = 0; i < 5; i++) {
        const req = s.request({ ':method': 'POST', ':path': '/upload' });
        req.on('error', () => {});
        req.write(Buffer.alloc(50_000, 1));
        cut.push(
          new Promise<void>((resolve) => {
            setImmediate(() => req.close(NGHTTP2_CANCEL));
            req.once('close', () => resolve());
          }),
        );
      }
      const replies = await within(Promise.all(good), 10_000, 'good uploads');
      for (const r of replies) assert.equal(r.body.toString(), 'got 200000');
      await within(Promise.all(cut), 5000, 'resets');
      await within(
        (async () => {
          while (h.statuses.length - statusesBefore < 15) await h.nextDone();
        })(),
        5000,
        'all 15 exchanges finished',
      );
      const recent = h.statuses.slice(statusesBefore);
      assert.equal(recent.filter((x) => x === 499).length, 5, `statuses ${recent.join(',')}`);
      assert.equal(recent.filter((x) => x === 200).length, 10);
      await within(
        (async () => {
          while (bodyErrors.length - errorsBefore < 5) await new Promise((r) => setImmediate(r));
        })(),
        5000,
        'the cut bodies fail for their readers',
      );
      assert.deepEqual(bodyErrors.slice(errorsBefore), Array(5).fill('TPK_ERR_CLIENT_GONE'));
      const after = await within(h2request(s, { ':path': '/still' }), 5000, 'same session still serves');
      assert.equal(after.headers[':status'], 200);
    } finally {
      s.close();
    }
  });

  it('carries bodies much larger than the flow-control window both ways', async () => {
    const s = clientSession(h.port, true);
    try {
      const big = Buffer.alloc(6 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
      const r = await within(h2request(s, { ':method': 'POST', ':path': '/echo' }, big), 20_000, 'echo of 6 MiB');
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.body.length, big.length);
      assert.ok(r.body.equals(big));
    } finally {
      s.close();
    }
  });

  it('curl --http2-prior-knowledge and curl --http2 (TLS, ALPN) get HTTP/2 answers', async () => {
    const plain = await run('curl', ['-s', '-i', '--http2-prior-knowledge', `http://127.0.0.1:${h.port}/curl-h2c`], { timeout: 10_000 });
    assert.match(plain.stdout, /^HTTP\/2 200/);
    assert.match(plain.stdout, /ok \/curl-h2c$/);
    const tls = await run(
      'curl',
      ['-s', '-i', '-k', '--http2', '--resolve', `localhost:${h.port}:127.0.0.1`, `https://localhost:${h.port}/curl-tls`, '-d', 'x'],
      { timeout: 10_000 },
    );
    assert.match(tls.stdout, /^HTTP\/2 200/);
    assert.match(tls.stdout, /ok \/curl-tls$/);
  });
});

describe('HTTP/2 front end: limits and shutdown', () => {
  it('enforces maxConcurrentStreams: never more streams in flight than announced', async () => {
    let inFlight = 0;
    let max = 0;
    const released: (() => void)[] = [];
    const reached = signal();
    const h = await startH2(
      async (ex) => {
        inFlight++;
        max = Math.max(max, inFlight);
        if (inFlight === 3) reached.resolve();
        await new Promise<void>((r) => released.push(r));
        inFlight--;
        ex.response.sendText(200, 'ok');
      },
      { maxConcurrentStreams: 3 },
    );
    const s = clientSession(h.port);
    try {
      await within(new Promise((r) => s.once('remoteSettings', r)), 5000, 'SETTINGS');
      assert.equal(s.remoteSettings.maxConcurrentStreams, 3);
      const all = Array.from({ length: 10 }, (_, i) => h2request(s, { ':path': `/${i}` }));
      await within(reached.promise, 5000, '3 in flight');
      // Release one at a time; the server must never hold more than 3.
      let done = 0;
      while (done < 10) {
        await within(
          (async () => {
            while (released.length === 0) await new Promise((r) => setImmediate(r));
          })(),
          5000,
          'a stream in flight',
        );
        (released.shift() as () => void)();
        done++;
      }
      const replies = await within(Promise.all(all), 5000, 'all answers');
      assert.ok(replies.every((r) => Number(r.headers[':status']) === 200));
      assert.equal(max, 3);
    } finally {
      s.close();
      await h.close();
    }
  });

  it('closeIdle sends GOAWAY to idle sessions; while draining busy sessions finish their streams first', async () => {
    const hold = signal();
    const arrived = signal();
    const h = await startH2(async (ex) => {
      if (ex.path === '/hold') {
        arrived.resolve();
        await hold.promise;
      }
      ex.response.sendText(200, 'done');
    });
    const idle = clientSession(h.port);
    const busy = clientSession(h.port);
    try {
      assert.equal((await within(h2request(idle, { ':path': '/' }), 5000, 'idle warm-up')).headers[':status'], 200);
      const idleGoaway = new Promise((r) => idle.once('goaway', r));
      const busyGoaway = new Promise((r) => busy.once('goaway', r));
      const pending = h2request(busy, { ':path': '/hold' });
      await within(arrived.promise, 5000, 'held request');
      assert.equal(h.frontEnd.connectionCount, 2);
      h.frontEnd.closeIdle(); // not draining: only the idle session goes
      await within(idleGoaway, 5000, 'GOAWAY to the idle session');
      await within(new Promise((r) => idle.once('close', r)), 5000, 'idle session closed');
      h.sink.draining = true;
      h.frontEnd.closeIdle();
      await within(busyGoaway, 5000, 'GOAWAY to the busy session');
      hold.resolve();
      const r = await within(pending, 5000, 'held answer');
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.body.toString(), 'done');
      await within(h.frontEnd.allClosed(), 5000, 'every session closed');
      assert.equal(h.frontEnd.connectionCount, 0);
    } finally {
      idle.close();
      busy.close();
      await h.close();
    }
  });

  it('closes a session idle for idleTimeout, and counts a fresh one as awaiting its first request', async () => {
    const h = await startH2((ex) => ex.response.sendText(200, 'ok'), { config: { timeouts: { idleTimeout: 300, readTimeout: 0 } } });
    const s = clientSession(h.port);
    try {
      await within(new Promise((r) => s.once('connect', r)), 5000, 'connect');
      await within(
        (async () => {
          while (h.frontEnd.connectionCount === 0) await new Promise((r) => setImmediate(r));
        })(),
        5000,
        'session accepted',
      );
      assert.equal(h.frontEnd.awaitingFirstRequest(), 1);
      h.sink.draining = true;
      h.frontEnd.closeIdle(); // a fresh session that may have its first request on the way stays
      h.sink.draining = false;
      assert.equal(h.frontEnd.connectionCount, 1);
      assert.equal((await h2request(s, { ':path': '/' })).headers[':status'], 200);
      assert.equal(h.frontEnd.awaitingFirstRequest(), 0);
      const started = Date.now();
      await within(new Promise((r) => s.once('close', r)), 5000, 'idle close');
      assert.ok(Date.now() - started >= 250, 'not before the idle timeout');
    } finally {
      s.close();
      await h.close();
    }
  });
});
