/**
 * Entry point life cycle over real sockets: graceful close (drain, refuse, Connection: close,
 * grace expiry), handler swap while a request is in flight, keep-alive idle and write timeouts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Handler } from '../../src/exchange/exchange.js';
import { entryPointConfig, firstStatus, httpRequest, rawExchange, signal, within } from './entrypoint-helpers.js';

/** A raw keep-alive client: sends a request, resolves with the data once `until` matches. */
function openClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.setEncoding('latin1');
    s.once('error', reject);
  });
}

function readUntil(s: Socket, re: RegExp, ms: number): Promise<string> {
  let data = '';
  return within(
    new Promise<string>((resolve) => {
      const onData = (d: string): void => {
        data += d;
        if (re.test(data)) {
          s.off('data', onData);
          resolve(data);
        }
      };
      s.on('data', onData);
    }),
    ms,
    `response matching ${re}`,
  );
}

function closedWithin(s: Socket, ms: number): Promise<void> {
  if (s.destroyed || s.readyState === 'closed') return Promise.resolve();
  return within(new Promise<void>((resolve) => s.once('close', () => resolve())), ms, 'the connection to close');
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

void describe('entry point: graceful close', () => {
  void it('drains an in-flight request (with Connection: close), closes idle keep-alive at once, refuses new connections', async () => {
    const arrived = signal();
    const release = signal();
    const ep = new HttpEntryPoint(entryPointConfig());
    ep.setHandler(async (ex) => {
      if (ex.path === '/slow') {
        arrived.resolve();
        await release.promise;
      }
      ex.response.sendText(200, `done ${ex.path}`);
    });
    const { port } = await ep.listen();

    // An idle keep-alive connection (one request answered, connection left open).
    const idle = await openClient(port);
    idle.on('error', () => {});
    idle.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    await readUntil(idle, /done \/first$/, 3000);

    // An in-flight slow request on another connection.
    const busy = await openClient(port);
    busy.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    await within(arrived.promise, 3000, 'the slow request to arrive');

    const closing = ep.close(5000);
    assert.equal(ep.draining, true);
    await closedWithin(idle, 2000);
    assert.equal(await refused(port), true, 'new connections are refused while draining');
    assert.equal(ep.inFlight, 1);

    const response = readUntil(busy, /done \/slow$/, 3000);
    release.resolve();
    const data = await response;
    assert.equal(firstStatus(data), 200);
    assert.match(data, /\r\nConnection: close\r\n/i);
    await closedWithin(busy, 2000);
    await within(closing, 3000, 'close() to resolve');
    assert.equal(ep.inFlight, 0);
  });

  void it('serves a connection accepted before close() whose request comes only after it (Go: new connections get 5 s)', async () => {
    const ep = new HttpEntryPoint(entryPointConfig());
    let closing: Promise<void> | undefined;
    ep.setHandler((ex) => {
      // The accept queue is FIFO: when the second connection's request runs, the first one was accepted.
      if (ex.path === '/second') closing = ep.close(5000);
      ex.response.sendText(200, `done ${ex.path}`);
    });
    const { port } = await ep.listen();
    const first = await openClient(port);
    const second = await openClient(port);
    second.write('GET /second HTTP/1.1\r\nHost: a\r\n\r\n');
    await readUntil(second, /done \/second$/, 3000);
    assert.equal(ep.draining, true);
    first.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    const data = await readUntil(first, /done \/first$/, 3000);
    assert.equal(firstStatus(data), 200);
    assert.match(data, /\r\nConnection: close\r\n/i);
    await closedWithin(first, 2000);
    await within(closing ?? Promise.reject(new Error('close() was not called')), 3000, 'close() to resolve');
  });

  void it('destroys requests still running when the grace period ends', async () => {
    const arrived = signal();
    const ep = new HttpEntryPoint(entryPointConfig());
    ep.setHandler(() => {
      arrived.resolve();
      return new Promise<void>(() => {}); // never answers
    });
    const { port } = await ep.listen();
    const client = rawExchange(port, ['GET /stuck HTTP/1.1\r\nHost: a\r\n\r\n'], 5000);
    await within(arrived.promise, 3000, 'the request to arrive');
    const started = Date.now();
    await within(ep.close(200), 3000, 'close() to resolve after the grace period');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 150 && elapsed < 2000, `closed after ${elapsed} ms`);
    const r = await client;
    assert.equal(r.closed, true);
    assert.equal(r.data, '', 'nothing was written');
  });

  void it('listen() rejects when the port is taken, and the process keeps running', async () => {
    const a = new HttpEntryPoint(entryPointConfig());
    const { port } = await a.listen();
    const b = new HttpEntryPoint({ ...entryPointConfig(), port });
    try {
      await assert.rejects(b.listen(), { code: 'EADDRINUSE' });
    } finally {
      await a.close(100);
      await b.close(100);
    }
  });

  void it('close() without listen() and twice in a row resolves', async () => {
    const ep = new HttpEntryPoint(entryPointConfig());
    await within(ep.close(100), 1000, 'close of a never-started entry point');
    await within(ep.close(100), 1000, 'second close');
  });
});

void describe('entry point: handler swap', () => {
  void it('a request keeps the handler that was current when it arrived', async () => {
    const arrived = signal();
    const release = signal();
    const oldHandler: Handler = async (ex) => {
      arrived.resolve();
      await release.promise;
      ex.response.sendText(200, 'old');
    };
    const newHandler: Handler = (ex) => ex.response.sendText(200, 'new');
    const ep = new HttpEntryPoint(entryPointConfig());
    ep.setHandler(oldHandler);
    try {
      const { port } = await ep.listen();
      const first = httpRequest(port, { path: '/1' });
      await within(arrived.promise, 3000, 'the first request to arrive');
      ep.setHandler(newHandler);
      const second = await httpRequest(port, { path: '/2' });
      assert.equal(second.body, 'new');
      release.resolve();
      assert.equal((await first).body, 'old');
    } finally {
      await ep.close(100);
    }
  });
});

void describe('entry point: timeouts', () => {
  void it('idleTimeout closes a keep-alive connection that stays idle', async () => {
    const ep = new HttpEntryPoint(entryPointConfig({ timeouts: { idleTimeout: 300 } }));
    ep.setHandler((ex) => ex.response.sendText(200, 'ok'));
    try {
      const { port } = await ep.listen();
      const s = await openClient(port);
      s.on('error', () => {});
      s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      await readUntil(s, /ok$/, 3000);
      const t = Date.now();
      await closedWithin(s, 3000);
      const idle = Date.now() - t;
      assert.ok(idle >= 200, `closed after ${idle} ms, not before the idle timeout`);
    } finally {
      await ep.close(100);
    }
  });

  void it('writeTimeout cuts a response that takes too long; the outcome is recorded', async () => {
    const outcomes: number[] = [];
    const ep = new HttpEntryPoint(entryPointConfig({ timeouts: { writeTimeout: 300 } }), {
      onDone: (_ex, status) => outcomes.push(status),
    });
    ep.setHandler(() => new Promise<void>(() => {}));
    try {
      const { port } = await ep.listen();
      const r = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: a\r\n\r\n'], 3000);
      assert.equal(r.closed, true);
      assert.ok(r.elapsed < 2000, `closed after ${r.elapsed} ms`);
      await within(
        (async () => {
          while (outcomes.length === 0) await new Promise((res) => setImmediate(res));
        })(),
        2000,
        'the outcome',
      );
      assert.deepEqual(outcomes, [504]);
    } finally {
      await ep.close(100);
    }
  });
});
