/**
 * Upgrade requests: the handler takes the client socket with `ex.upgrade.takeSocket()` and
 * answers 101 itself (a hand-written WebSocket echo, talking to a real `ws` client); non-101
 * answers to an upgrade request are written as raw HTTP/1.1 and the connection is closed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { ProxyError } from '../../src/errors/codes.js';
import { firstStatus, entryPointConfig, rawExchange, within } from './entrypoint-helpers.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Minimal WebSocket echo on a taken socket: unfragmented frames up to 125 bytes, masked from the
 * client, echoed unmasked; a close frame is answered and ends the socket.
 */
function echo(socket: Duplex, head: Buffer): void {
  let buf = head;
  const onData = (d: Buffer): void => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6) {
      const opcode = (buf[0] as number) & 0x0f;
      const len = (buf[1] as number) & 0x7f;
      if (buf.length < 6 + len) return;
      const mask = buf.subarray(2, 6);
      const payload = Buffer.from(buf.subarray(6, 6 + len));
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
      buf = buf.subarray(6 + len);
      socket.write(Buffer.concat([Buffer.from([0x80 | opcode, len]), payload]));
      if (opcode === 8) socket.end();
    }
  };
  socket.on('data', onData);
  socket.on('error', () => {});
  if (head.length > 0) onData(Buffer.alloc(0));
}

void describe('entry point: upgrades', () => {
  let ep: HttpEntryPoint;
  let port = 0;
  const outcomes: [string, number][] = [];
  const seen: { path: string; protocol: string | undefined; proto: string | undefined; connection: string | undefined }[] = [];

  before(async () => {
    ep = new HttpEntryPoint(entryPointConfig(), { onDone: (ex, status) => outcomes.push([ex.path, status]) });
    ep.setHandler((ex: Exchange) => {
      seen.push({
        path: ex.path,
        protocol: ex.upgrade?.protocol,
        proto: ex.headers.get('x-forwarded-proto'),
        connection: ex.headers.get('connection'),
      });
      if (ex.upgrade === null) {
        ex.response.sendText(200, 'plain');
        return;
      }
      if (ex.path === '/refuse') {
        ex.response.sendText(403, 'upgrade refused');
        return;
      }
      if (ex.path === '/throw') throw new ProxyError('TPK_ERR_UPSTREAM_UNREACHABLE', 'no upstream');
      if (ex.path === '/head-first') {
        // The 101 head written through the writer (every header kept), then the socket taken.
        const accept = createHash('sha1').update(`${ex.headers.get('sec-websocket-key') ?? ''}${WS_GUID}`).digest('base64');
        ex.response.writeHead(101, new HeaderList(['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Accept', accept]));
        const { socket, head } = ex.upgrade.takeSocket();
        echo(socket, head);
        return;
      }
      const { socket, head } = ex.upgrade.takeSocket();
      assert.equal(ex.response.headersSent, true, 'taking the socket counts as sending the head');
      const accept = createHash('sha1').update(`${ex.headers.get('sec-websocket-key') ?? ''}${WS_GUID}`).digest('base64');
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      echo(socket, head);
    });
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(200);
  });

  for (const path of ['/ws', '/head-first']) {
    void it(`hands over the socket for a 101 and bytes flow both ways (${path})`, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      try {
        await within(
          new Promise<void>((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          }),
          3000,
          'the WebSocket to open',
        );
        const reply = within(
          new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString()))),
          3000,
          'the echo',
        );
        ws.send('hello through the entry point');
        assert.equal(await reply, 'hello through the entry point');
        const s = seen.find((x) => x.path === path);
        assert.equal(s?.protocol, 'websocket');
        assert.equal(s?.proto, 'ws', 'X-Forwarded-Proto is ws for websocket upgrades');
        assert.equal(s?.connection, 'Upgrade');
        assert.deepEqual(
          outcomes.find(([p]) => p === path),
          [path, 101],
        );
      } finally {
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.close();
        await within(closed, 3000, 'the WebSocket to close');
      }
    });
  }

  void it('a non-101 answer to an upgrade request is written raw, with Connection: close', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/refuse`);
    const status = await within(
      new Promise<number>((resolve, reject) => {
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => {
            assert.equal(body, 'upgrade refused');
            assert.equal(res.headers.connection, 'close');
            resolve(res.statusCode ?? 0);
          });
        });
        ws.once('error', reject);
      }),
      3000,
      'the refusal',
    );
    assert.equal(status, 403);
    ws.terminate();
  });

  void it('an error thrown on an upgrade request becomes a raw error response and the connection closes', async () => {
    const r = await rawExchange(
      port,
      ['GET /throw HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n'],
      3000,
    );
    assert.equal(firstStatus(r.data), 502);
    assert.match(r.data, /\r\nConnection: close\r\n/);
    assert.match(r.data, /Bad Gateway$/);
    assert.equal(r.closed, true);
  });

  void it('close() destroys handed-over sockets that are still open', async () => {
    const ep2 = new HttpEntryPoint(entryPointConfig());
    ep2.setHandler((ex) => {
      if (ex.upgrade === null) return;
      const { socket, head } = ex.upgrade.takeSocket();
      const accept = createHash('sha1').update(`${ex.headers.get('sec-websocket-key') ?? ''}${WS_GUID}`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      echo(socket, head);
    });
    const { port: p2 } = await ep2.listen();
    const ws = new WebSocket(`ws://127.0.0.1:${p2}/`);
    ws.on('error', () => {});
    await within(new Promise<void>((resolve) => ws.once('open', () => resolve())), 3000, 'open');
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await within(ep2.close(100), 3000, 'close() with an open WebSocket');
    await within(closed, 3000, 'the client to see the close');
  });
});
