/**
 * The raw-socket front end (`frontEnd: 'socket'`) on what node:http used to do for us: chunked
 * request bodies with trailers, Expect: 100-continue, HTTP/1.0 keep-alive, response framing
 * (Content-Length, chunked, close-delimited), a large body through a slow consumer, pipelining
 * after a body. The whole e2e suite also runs against it with TURNPIKE_FRONTEND=socket.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { entryPointConfig, firstStatus, rawExchange, within } from './entrypoint-helpers.js';

/** Read the whole request body (empty when none). */
async function readBody(ex: Exchange): Promise<Buffer> {
  if (ex.body === null) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const chunk of ex.body) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects everything the socket receives; `until` resolves once the text matches. */
function reader(s: Socket): { text: () => string; until: (re: RegExp, ms?: number) => Promise<string> } {
  let data = '';
  const waiters: (() => void)[] = [];
  s.setEncoding('latin1');
  s.on('data', (d: string) => {
    data += d;
    for (const w of waiters.splice(0)) w();
  });
  const until = (re: RegExp, ms = 3000): Promise<string> =>
    within(
      new Promise<string>((resolve) => {
        const check = (): void => {
          if (re.test(data)) resolve(data);
          else waiters.push(check);
        };
        check();
      }),
      ms,
      `a response matching ${re}`,
    );
  return { text: () => data, until };
}

void describe('socket front end: HTTP/1.1 features', () => {
  let ep: HttpEntryPoint;
  let port = 0;

  before(async () => {
    ep = new HttpEntryPoint(entryPointConfig(), { frontEnd: 'socket', hostname: 'test' });
    ep.setHandler(async (ex) => {
      if (ex.path === '/stream') {
        ex.response.writeHead(200, new HeaderList(['X-Kind', 'stream']));
        ex.response.write(Buffer.from('ab'));
        ex.response.end(Buffer.from('cd'));
        return;
      }
      if (ex.path === '/slow') await new Promise((r) => setTimeout(r, 100));
      const body = await readBody(ex);
      ex.response.sendText(200, `${ex.method} ${ex.httpVersion} ${body.length} ${body.subarray(0, 16).toString('latin1')}`);
    });
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(100);
  });

  void it('decodes a chunked body with extensions and trailers', async () => {
    const r = await rawExchange(port, [
      'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        '3;x=y\r\nabc\r\n',
      '4\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n',
    ]);
    assert.equal(firstStatus(r.data), 200, r.data);
    assert.match(r.data, /POST 1\.1 7 abcdefg$/);
  });

  void it('refuses a malformed chunked body by closing the connection', async () => {
    const r = await rawExchange(port, ['POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']);
    assert.equal(r.closed, true);
    assert.doesNotMatch(r.data, /POST 1\.1/);
  });

  void it('sends 100 Continue once the handler reads the body', async () => {
    const s = await open(port);
    try {
      const rd = reader(s);
      s.write('PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
      await rd.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
      s.write('hello');
      const all = await rd.until(/PUT 1\.1 5 hello$/);
      assert.match(all, /\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    } finally {
      s.destroy();
    }
  });

  void it('answers 417 to an unknown expectation', async () => {
    const r = await rawExchange(port, ['PUT /e HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx']);
    assert.equal(firstStatus(r.data), 417);
  });

  void it('keeps an HTTP/1.0 keep-alive connection open and says so', async () => {
    const s = await open(port);
    try {
      const rd = reader(s);
      s.write('GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
      const first = await rd.until(/GET 1\.0 0 $/);
      assert.match(first, /\r\nConnection: keep-alive\r\n/i);
      assert.match(first, /\r\nContent-Length: 10\r\n/);
      s.write('GET /two HTTP/1.0\r\n\r\n');
      const both = await rd.until(/GET 1\.0 0 [\s\S]*GET 1\.0 0 $/);
      assert.equal(both.split('HTTP/1.1 200 OK').length, 3);
      assert.match(both.slice(first.length), /\r\nConnection: close\r\n/);
    } finally {
      s.destroy();
    }
  });

  void it('frames a streamed response as chunked on HTTP/1.1', async () => {
    const r = await rawExchange(port, ['GET /stream HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n']);
    assert.match(r.data, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.ok(r.data.endsWith('\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n'), JSON.stringify(r.data));
  });

  void it('frames a streamed response by closing the connection on HTTP/1.0', async () => {
    const r = await rawExchange(port, ['GET /stream HTTP/1.0\r\n\r\n']);
    assert.doesNotMatch(r.data, /Transfer-Encoding/i);
    assert.match(r.data, /\r\nConnection: close\r\n\r\nabcd$/);
    assert.equal(r.closed, true);
  });

  void it('passes a large body through a slow consumer intact', async () => {
    const size = 4 * 1024 * 1024;
    const body = Buffer.alloc(size, 'x');
    body.write('start', 0);
    const r = await rawExchange(
      port,
      [`POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`, body],
      10_000,
    );
    assert.match(r.data, new RegExp(`POST 1\\.1 ${size} startx`));
  });

  void it('answers a pipelined request that follows a body, in order', async () => {
    const r = await rawExchange(port, [
      '\r\nPOST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyzGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    ]);
    const bodies = r.data.split('HTTP/1.1 200 OK').slice(1).map((p) => p.slice(p.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(bodies, ['POST 1.1 3 xyz', 'GET 1.1 0 ']);
  });
});
