/**
 * WebSocket through the forwarder: `ws` on both ends, client -> HttpEntryPoint -> forwarder ->
 * ws server. Messages both ways, close propagation both ways, abrupt termination, and a
 * non-101 answer relayed as a normal response.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { within } from '../helpers/wait.js';
import { forwardTo, startProxy, type Proxy } from './forward-helpers.js';

function once<T extends unknown[]>(emitter: { once(ev: string, cb: (...a: T) => void): unknown }, ev: string): Promise<T> {
  return new Promise((resolve) => emitter.once(ev, (...a: T) => resolve(a)));
}

void describe('forwarder: WebSocket', () => {
  let http: Server;
  let wss: WebSocketServer;
  let proxy: Proxy;
  let lastUpgrade: IncomingMessage | undefined;
  const serverSockets: WebSocket[] = [];

  before(async () => {
    http = createServer((_req, res) => res.end('plain'));
    wss = new WebSocketServer({ noServer: true });
    http.on('upgrade', (req: IncomingMessage, socket, head) => {
      lastUpgrade = req;
      if (req.url === '/forbidden') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nX-Why: nope\r\n\r\nnope');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        serverSockets.push(ws);
        ws.on('message', (data, isBinary) => {
          const text = isBinary ? `bin:${(data as Buffer).length}` : `echo:${(data as Buffer).toString()}`;
          if (text === 'echo:close-me') ws.close(4001, 'server bye');
          else if (text === 'echo:kill-me') ws.terminate();
          else ws.send(text);
        });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    proxy = await startProxy(forwardTo(`http://127.0.0.1:${port}`).handler);
  });

  after(async () => {
    for (const ws of serverSockets) ws.terminate();
    wss.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await proxy.close();
  });

  async function open(path = '/chat'): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}${path}`, { headers: { 'x-client': 'ws-test' } });
    await within('websocket open', once(ws, 'open'));
    return ws;
  }

  void it('relays messages both ways (text and binary) and forwards the upgrade headers', async () => {
    const ws = await open();
    const replies: string[] = [];
    const got = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        replies.push((d as Buffer).toString());
        if (replies.length === 3) resolve();
      }),
    );
    ws.send('hello');
    ws.send(Buffer.alloc(70_000, 7));
    ws.send('again');
    await within('three replies', got);
    assert.deepEqual(replies, ['echo:hello', 'bin:70000', 'echo:again']);
    const h = (lastUpgrade as IncomingMessage).headers;
    assert.equal(h.upgrade, 'websocket');
    assert.equal(h.connection, 'Upgrade');
    assert.equal(h['x-client'], 'ws-test');
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.ok(h['sec-websocket-key']);
    const closed = once(ws, 'close');
    ws.close(1000, 'done');
    await within('client close', closed);
  });

  void it('client close reaches the server', async () => {
    const ws = await open();
    const server = serverSockets.at(-1) as WebSocket;
    const serverClosed = once<[number, Buffer]>(server, 'close');
    ws.close(4000, 'client bye');
    const [code, reason] = await within('server sees the close', serverClosed);
    assert.equal(code, 4000);
    assert.equal(reason.toString(), 'client bye');
  });

  void it('server close reaches the client', async () => {
    const ws = await open();
    const closed = once<[number, Buffer]>(ws, 'close');
    ws.send('close-me');
    const [code, reason] = await within('client sees the close', closed);
    assert.equal(code, 4001);
    assert.equal(reason.toString(), 'server bye');
  });

  void it('server terminating abruptly closes the client', async () => {
    const ws = await open();
    const closed = once<[number, Buffer]>(ws, 'close');
    ws.send('kill-me');
    const [code] = await within('client sees the connection drop', closed);
    assert.equal(code, 1006);
  });

  void it('client terminating abruptly closes the server side', async () => {
    const ws = await open();
    const server = serverSockets.at(-1) as WebSocket;
    const serverClosed = once<[number]>(server, 'close');
    ws.terminate();
    const [code] = await within('server sees the connection drop', serverClosed);
    assert.equal(code, 1006);
  });

  void it('a non-101 answer is relayed as a normal response', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/forbidden`);
    ws.on('error', () => {});
    const [, res] = await within('unexpected response', once<[unknown, IncomingMessage]>(ws, 'unexpected-response'));
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['x-why'], 'nope');
    const body = await new Promise<string>((resolve) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b));
    });
    assert.equal(body, 'nope');
    ws.terminate();
  });
});
