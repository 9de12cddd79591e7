/**
 * Idle connections over real sockets: a fresh connection that never sends a byte is closed after
 * readTimeout (else idleTimeout), as Go sets its read deadline before the first request; the
 * keep-alive gap between requests honours idleTimeout closely (node's own timer adds 1 s); the
 * idle timer never cuts a request in progress, pipelined ones included.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { RespondingTimeouts } from '../../src/config/static/types.js';
import type { Handler } from '../../src/exchange/exchange.js';
import { entryPointConfig, firstStatus, rawExchange, within } from './entrypoint-helpers.js';

async function withEntryPoint(
  timeouts: Partial<RespondingTimeouts>,
  handler: Handler,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const ep = new HttpEntryPoint(entryPointConfig({ timeouts }));
  ep.setHandler(handler);
  try {
    await body((await ep.listen()).port);
  } finally {
    await ep.close(100);
  }
}

const ok: Handler = (ex) => ex.response.sendText(200, `ok ${ex.path}`);

/** Answers after `ms` (a slow upstream), or at once for other paths. */
function slowOn(path: string, ms: number): Handler {
  return (ex) => {
    if (ex.path !== path) return ok(ex);
    setTimeout(() => ex.response.sendText(200, `ok ${ex.path}`), ms);
  };
}

interface Client {
  readonly socket: Socket;
  /** Resolves with everything received once `re` matches it. */
  until(re: RegExp, ms: number): Promise<string>;
  /** Resolves with the ms from the call until the server closed the connection. */
  closed(ms: number): Promise<number>;
}

function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    let data = '';
    let check: (() => void) | null = null;
    const closed = new Promise<void>((res) => socket.once('close', () => res()));
    socket.on('error', () => {});
    socket.on('data', (d: string) => {
      data += d;
      check?.();
    });
    socket.once('connect', () =>
      resolve({
        socket,
        until: (re, ms) =>
          within(
            new Promise<string>((res) => {
              check = () => {
                if (re.test(data)) res(data);
              };
              check();
            }),
            ms,
            `a response matching ${re} (got ${JSON.stringify(data)})`,
          ),
        closed: (ms) => {
          const t = Date.now();
          return within(
            closed.then(() => Date.now() - t),
            ms,
            'the server to close the connection',
          );
        },
      }),
    );
    socket.once('error', reject);
  });
}

void describe('entry point: idle connections', () => {
  const fresh: { desc: string; timeouts: Partial<RespondingTimeouts>; want: number }[] = [
    { desc: 'readTimeout set: closed after readTimeout', timeouts: { readTimeout: 400, idleTimeout: 180_000 }, want: 400 },
    { desc: 'readTimeout 0: closed after idleTimeout', timeouts: { readTimeout: 0, idleTimeout: 400 }, want: 400 },
  ];
  for (const c of fresh) {
    void it(`a connection that never sends a byte, ${c.desc}`, async () => {
      await withEntryPoint(c.timeouts, ok, async (port) => {
        const r = await rawExchange(port, [], c.want * 5);
        assert.equal(r.closed, true, 'the server closed the silent connection');
        assert.ok(r.elapsed >= c.want * 0.9 && r.elapsed < c.want * 1.5, `closed after ${r.elapsed} ms (want ~${c.want})`);
        assert.equal(r.data, '', 'nothing is written to a connection that sent nothing');
      });
    });
  }

  void it('readTimeout and idleTimeout both 0: a silent connection is left open', async () => {
    await withEntryPoint({ readTimeout: 0, idleTimeout: 0 }, ok, async (port) => {
      const r = await rawExchange(port, [], 600);
      assert.equal(r.closed, false);
    });
  });

  void it('keep-alive idle honours idleTimeout (1 s, not 2 s: never early, at most 0.5 s late)', async () => {
    await withEntryPoint({ idleTimeout: 1000 }, ok, async (port) => {
      const c = await client(port);
      c.socket.write('GET /one HTTP/1.1\r\nHost: a\r\n\r\n');
      const data = await c.until(/ok \/one$/, 3000);
      assert.doesNotMatch(data, /\r\nKeep-Alive:/i, 'no Keep-Alive header (Go sends none)');
      const idle = await c.closed(3000);
      // Never early (900: the clock starts when the response is read, a little after the timer);
      // the upper bound leaves room for a loaded CI machine's timer delay (it failed at 1,101 ms
      // once with a bound of 1,100) while still telling 1 s from 2 s.
      assert.ok(idle >= 900 && idle <= 1500, `closed after ${idle} ms of idleness (want 1000, at most 1500)`);
    });
  });

  void it('idleTimeout 0 falls back to readTimeout between requests', async () => {
    await withEntryPoint({ readTimeout: 500, idleTimeout: 0 }, ok, async (port) => {
      const c = await client(port);
      c.socket.write('GET /one HTTP/1.1\r\nHost: a\r\n\r\n');
      await c.until(/ok \/one$/, 3000);
      const idle = await c.closed(3000);
      assert.ok(idle >= 450 && idle <= 750, `closed after ${idle} ms (want ~500)`);
    });
  });

  void it('a slow request outlives the fresh-connection and idle timers; the next gap is timed again', async () => {
    await withEntryPoint({ readTimeout: 300, idleTimeout: 300 }, slowOn('/slow', 700), async (port) => {
      const c = await client(port);
      c.socket.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
      const data = await c.until(/ok \/slow$/, 3000);
      assert.equal(firstStatus(data), 200);
      c.socket.write('GET /fast HTTP/1.1\r\nHost: a\r\n\r\n');
      await c.until(/ok \/fast$/, 3000);
      const idle = await c.closed(3000);
      assert.ok(idle >= 250 && idle < 600, `closed after ${idle} ms (want ~300)`);
    });
  });

  void it('pipelined: the end of the first response does not start the idle timer under the second', async () => {
    await withEntryPoint({ idleTimeout: 300 }, slowOn('/slow', 700), async (port) => {
      const c = await client(port);
      c.socket.write('GET /fast HTTP/1.1\r\nHost: a\r\n\r\nGET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
      const data = await c.until(/ok \/slow$/, 3000);
      assert.match(data, /ok \/fast/);
      await c.closed(3000);
    });
  });
});
