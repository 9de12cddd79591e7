/**
 * The entry point's request path over real sockets: what a handler sees in the Exchange, how the
 * ResponseWriter behaves (hooks, hop-by-hop headers, backpressure), error mapping, client gone.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange, Handler } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { ProxyError } from '../../src/errors/codes.js';
import { entryPointConfig, firstStatus, httpRequest, rawExchange, signal, within } from './entrypoint-helpers.js';

interface Seen {
  method: string;
  path: string;
  query: string | null;
  routingPath: string;
  host: string;
  httpVersion: string;
  peer: string;
  entryPoint: string;
  body: string | null;
  headers: string[];
}

function readBody(ex: Exchange): Promise<string | null> {
  const body = ex.body;
  if (body === null) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    let s = '';
    body.setEncoding('utf8');
    body.on('data', (d: string) => (s += d));
    body.on('end', () => resolve(s));
    body.on('error', reject);
  });
}

/** Answers with a JSON description of the exchange. */
const describeHandler: Handler = async (ex) => {
  const body = await readBody(ex);
  const seen: Seen = {
    method: ex.method,
    path: ex.path,
    query: ex.query,
    routingPath: ex.routingPath,
    host: ex.host,
    httpVersion: ex.httpVersion,
    peer: ex.peer.address,
    entryPoint: ex.entryPoint,
    body,
    headers: ex.headers.raw,
  };
  ex.response.sendText(200, JSON.stringify(seen), new HeaderList(['Content-Type', 'application/json']));
};

void describe('entry point: request path', () => {
  let ep: HttpEntryPoint;
  let port = 0;
  const done: [string, number][] = [];
  const errors: unknown[] = [];
  const crashes: unknown[] = [];
  const onCrash = (err: unknown): void => {
    crashes.push(err);
  };

  before(async () => {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
    ep = new HttpEntryPoint(entryPointConfig(), {
      hostname: 'proxy-test',
      onDone: (ex, status) => done.push([ex.path, status]),
      onError: (err) => errors.push(err),
    });
    port = (await ep.listen()).port;
  });

  afterEach(() => ep.setHandler(null));

  after(async () => {
    await ep.close(500);
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    assert.deepEqual(crashes, []);
  });

  void it('without a handler answers 404 "404 page not found" (text/plain)', async () => {
    const r = await httpRequest(port, { path: '/nothing' });
    assert.equal(r.status, 404);
    assert.equal(r.body, '404 page not found');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  });

  void it('fills the Exchange from the request (origin form)', async () => {
    ep.setHandler(describeHandler);
    const r = await httpRequest(port, { path: '/a/./b/../c%20d%2f?x=1;y=2', headers: { Host: 'app.example:8080' } });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body) as Seen;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.path, '/a/c%20d%2F', 'normalised (escapes upper-cased) and sanitized');
    assert.equal(seen.routingPath, '/a/c d%2F');
    assert.equal(seen.query, 'x=1&y=2');
    assert.equal(seen.host, 'app.example:8080');
    assert.equal(seen.httpVersion, '1.1');
    assert.equal(seen.peer, '127.0.0.1');
    assert.equal(seen.entryPoint, 'web');
    assert.equal(seen.body, null);
    const h = new HeaderList(seen.headers);
    assert.equal(h.get('x-forwarded-host'), 'app.example:8080');
    assert.equal(h.get('x-forwarded-port'), '8080');
    assert.equal(h.get('x-forwarded-proto'), 'http');
    assert.equal(h.get('x-forwarded-server'), 'proxy-test');
    assert.equal(h.get('x-real-ip'), '127.0.0.1');
    assert.equal(h.has('connection'), false, 'Connection is hop-by-hop');
  });

  void it('takes the host from an absolute-form target', async () => {
    ep.setHandler(describeHandler);
    const r = await rawExchange(port, ['GET http://other.example:81/p?q=1 HTTP/1.1\r\nHost: ignored\r\nConnection: close\r\n\r\n']);
    assert.equal(firstStatus(r.data), 200);
    const seen = JSON.parse(r.data.slice(r.data.indexOf('\r\n\r\n') + 4)) as Seen;
    assert.equal(seen.host, 'other.example:81');
    assert.equal(seen.path, '/p');
    assert.equal(seen.query, 'q=1');
  });

  void it('HTTP/1.0 requests are 1.0 and have no body', async () => {
    ep.setHandler(describeHandler);
    const r = await rawExchange(port, ['GET /old HTTP/1.0\r\n\r\n']);
    assert.equal(firstStatus(r.data), 200);
    const seen = JSON.parse(r.data.slice(r.data.indexOf('\r\n\r\n') + 4)) as Seen;
    assert.equal(seen.httpVersion, '1.0');
    assert.equal(seen.host, '');
  });

  void it('streams a Content-Length body and a chunked body', async () => {
    ep.setHandler(describeHandler);
    const a = JSON.parse((await httpRequest(port, { method: 'POST', body: 'hello' })).body) as Seen;
    assert.equal(a.body, 'hello');
    const r = await rawExchange(port, [
      'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
    ]);
    const b = JSON.parse(r.data.slice(r.data.indexOf('\r\n\r\n') + 4)) as Seen;
    assert.equal(b.body, 'abcde');
    const empty = JSON.parse((await httpRequest(port, { method: 'POST', body: '' })).body) as Seen;
    assert.equal(empty.body, null, 'Content-Length: 0 means no body');
  });

  void it('ProxyError -> its status and body; other errors -> 500; sync and async', async () => {
    ep.setHandler((ex) => {
      if (ex.path === '/proxy-sync') throw new ProxyError('TPK_ERR_NO_SERVER', 'none', { body: 'no available server' });
      if (ex.path === '/plain-sync') throw new Error('boom');
      if (ex.path === '/proxy-async') return Promise.reject(new ProxyError('TPK_ERR_UPSTREAM_TIMEOUT', 'slow'));
      return Promise.reject(new TypeError('async boom'));
    });
    errors.length = 0;
    const a = await httpRequest(port, { path: '/proxy-sync' });
    assert.deepEqual([a.status, a.body, a.headers['content-type']], [503, 'no available server', 'text/plain; charset=utf-8']);
    const b = await httpRequest(port, { path: '/plain-sync' });
    assert.deepEqual([b.status, b.body], [500, 'Internal Server Error']);
    const c = await httpRequest(port, { path: '/proxy-async' });
    assert.deepEqual([c.status, c.body], [504, 'Gateway Timeout']);
    const d = await httpRequest(port, { path: '/plain-async' });
    assert.deepEqual([d.status, d.body], [500, 'Internal Server Error']);
    assert.equal(errors.length, 4, 'onError saw every error');
  });

  void it('an error after the head was sent aborts the connection', async () => {
    ep.setHandler(async (ex) => {
      ex.response.writeHead(200, new HeaderList(['Content-Length', '100']));
      ex.response.write(Buffer.from('partial'));
      await Promise.resolve();
      throw new ProxyError('TPK_ERR_UPSTREAM_BAD_RESPONSE', 'upstream died');
    });
    const r = await rawExchange(port, ['GET /mid HTTP/1.1\r\nHost: a\r\n\r\n'], 3000);
    assert.equal(firstStatus(r.data), 200);
    assert.match(r.data, /partial$/);
    assert.equal(r.closed, true, 'connection destroyed instead of a second response');
  });

  void it('client gone before the response: onClientGone fires, outcome 499, nothing crashes', async () => {
    const gone = signal();
    const arrived = signal();
    ep.setHandler((ex) => {
      ex.response.onClientGone(() => gone.resolve());
      arrived.resolve();
      return new Promise<void>((resolve) => ex.response.onClientGone(resolve));
    });
    done.length = 0;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /gone HTTP/1.1\r\nHost: a\r\n\r\n');
    await within(arrived.promise, 3000, 'the request to reach the handler');
    socket.destroy();
    await within(gone.promise, 3000, 'onClientGone');
    await within(
      (async () => {
        while (!done.some(([p]) => p === '/gone')) await new Promise((r) => setImmediate(r));
      })(),
      3000,
      'the outcome to be recorded',
    );
    assert.deepEqual(
      done.find(([p]) => p === '/gone'),
      ['/gone', 499],
    );
  });

  void it('onHead hooks run once, last registered first (the outer middleware has the last word), before the head, and may add headers', async () => {
    ep.setHandler((ex) => {
      const calls: number[] = [];
      ex.response.onHead((status, h) => {
        calls.push(status);
        h.add('X-Hook-1', String(status));
      });
      ex.response.onHead((_s, h) => h.add('X-Hook-2', String(calls.length)));
      ex.response.writeHead(201, new HeaderList(['Content-Length', '2']));
      ex.response.end(Buffer.from('ok'));
    });
    const r = await httpRequest(port);
    assert.equal(r.status, 201);
    assert.equal(r.headers['x-hook-1'], '201');
    // Hook 2 (registered last) ran first, before hook 1 had recorded anything.
    assert.equal(r.headers['x-hook-2'], '0');
  });

  void it('hop-by-hop headers from the handler do not reach the client; framing is the writer’s', async () => {
    ep.setHandler((ex) => {
      ex.response.writeHead(
        200,
        new HeaderList(['Connection', 'close', 'Keep-Alive', 'timeout=1', 'Transfer-Encoding', 'chunked', 'X-Kept', 'yes']),
      );
      ex.response.write(Buffer.from('ab'));
      ex.response.end(Buffer.from('cd'));
    });
    const r = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: a\r\n\r\n'], 1000);
    assert.equal(firstStatus(r.data), 200);
    assert.match(r.data, /\r\nX-Kept: yes\r\n/);
    assert.doesNotMatch(r.data, /Keep-Alive: timeout=1\r\n/);
    assert.doesNotMatch(r.data, /Connection: close/i, 'the upstream’s Connection: close is not the client connection’s');
    assert.match(r.data, /\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n$/, 'body chunked once, by the writer');
  });

  void it('write() reports backpressure and onDrain resumes (large body arrives whole)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const total = 64;
    let sawBackpressure = false;
    ep.setHandler((ex) => {
      const res = ex.response;
      res.writeHead(200, new HeaderList(['Content-Length', String(chunk.length * total)]));
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent++;
          if (sent === total) {
            res.end(chunk);
            return;
          }
          if (!res.write(chunk)) {
            sawBackpressure = true;
            res.onDrain(pump);
            return;
          }
        }
      };
      pump();
    });
    const r = await httpRequest(port, { path: '/big' });
    assert.equal(r.body.length, chunk.length * total);
    assert.equal(sawBackpressure, true);
  });

  void it('sendText on HEAD sends the head only', async () => {
    ep.setHandler((ex) => ex.response.sendText(200, 'body text'));
    const r = await rawExchange(port, ['HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'], 2000);
    assert.equal(firstStatus(r.data), 200);
    assert.match(r.data, /Content-Length: 9\r\n/);
    assert.ok(r.data.endsWith('\r\n\r\n'), 'no body after the head');
  });

  void it('pipelined requests on one connection are answered in order', async () => {
    ep.setHandler((ex) => {
      // The first one answers last: order must still hold.
      if (ex.path === '/p1') setTimeout(() => ex.response.sendText(200, 'one'), 50);
      else ex.response.sendText(200, ex.path === '/p2' ? 'two' : 'three');
    });
    const r = await rawExchange(
      port,
      [
        'GET /p1 HTTP/1.1\r\nHost: a\r\n\r\nGET /p2 HTTP/1.1\r\nHost: a\r\n\r\n' +
          'GET /p3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      ],
      3000,
    );
    const bodies = r.data.split('HTTP/1.1 200 OK').slice(1).map((part) => part.slice(part.indexOf('\r\n\r\n') + 4));
    assert.deepEqual(bodies, ['one', 'two', 'three']);
  });

  void it('103 Early Hints from a handler are relayed before the final response; other 1xx are not the head', async () => {
    ep.setHandler((ex) => {
      ex.response.writeHead(103, new HeaderList(['Link', '</style.css>; rel=preload; as=style']));
      assert.equal(ex.response.headersSent, false);
      ex.response.sendText(200, 'final');
    });
    const r = await rawExchange(port, ['GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'], 3000);
    assert.match(r.data, /^HTTP\/1\.1 103 Early Hints\r\n[Ll]ink: <\/style\.css>; rel=preload; as=style\r\n/);
    assert.match(r.data, /\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*final$/);
  });

  void it('a handler may return undefined and answer later (no promise needed)', async () => {
    ep.setHandler((ex) => {
      setImmediate(() => ex.response.sendText(200, 'later'));
    });
    const r = await httpRequest(port);
    assert.equal(r.body, 'later');
  });
});

void describe('entry point: forwarded headers over the wire', () => {
  const cases: { desc: string; trustedIPs: string[]; insecure: boolean; kept: boolean }[] = [
    { desc: 'peer not trusted: spoofed values replaced', trustedIPs: ['10.0.0.0/8'], insecure: false, kept: false },
    { desc: 'peer in trustedIPs (CIDR): values kept', trustedIPs: ['127.0.0.0/8'], insecure: false, kept: true },
    { desc: 'peer in trustedIPs (exact IP): values kept', trustedIPs: ['127.0.0.1'], insecure: false, kept: true },
    { desc: 'insecure: values kept', trustedIPs: [], insecure: true, kept: true },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      const ep = new HttpEntryPoint(entryPointConfig({ trustedIPs: c.trustedIPs, insecure: c.insecure }), { hostname: 'p' });
      ep.setHandler(describeHandler);
      try {
        const { port } = await ep.listen();
        const r = await httpRequest(port, {
          headers: {
            Host: 'h.example',
            'X-Forwarded-Proto': 'https',
            'X-Forwarded-Host': 'spoof.example',
            'X-Real-Ip': '6.6.6.6',
            'X-Forwarded-For': '6.6.6.6',
            X_Forwarded_Uri: '/x',
          },
        });
        const h = new HeaderList((JSON.parse(r.body) as Seen).headers);
        if (c.kept) {
          assert.equal(h.get('x-forwarded-proto'), 'https');
          assert.equal(h.get('x-forwarded-host'), 'spoof.example');
          assert.equal(h.get('x-real-ip'), '6.6.6.6');
          assert.equal(h.get('x-forwarded-for'), '6.6.6.6');
          assert.equal(h.get('x-forwarded-port'), '443');
        } else {
          assert.equal(h.get('x-forwarded-proto'), 'http');
          assert.equal(h.get('x-forwarded-host'), 'h.example');
          assert.equal(h.get('x-real-ip'), '127.0.0.1');
          assert.equal(h.has('x-forwarded-for'), false);
          assert.equal(h.has('x_forwarded_uri'), false);
          assert.equal(h.get('x-forwarded-port'), '80');
        }
        assert.equal(h.get('x-forwarded-server'), 'p');
      } finally {
        await ep.close(100);
      }
    });
  }
});

void describe('entry point: http options and addresses', () => {
  void it('http.sanitizePath false and http.encodeQuerySemicolons true reach the exchange', async () => {
    const ep = new HttpEntryPoint(entryPointConfig({ http: { sanitizePath: false, encodeQuerySemicolons: true } }));
    ep.setHandler(describeHandler);
    try {
      const { port } = await ep.listen();
      const r = await rawExchange(port, ['GET /a/./b//c?x=1;y=2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'], 3000);
      const seen = JSON.parse(r.data.slice(r.data.indexOf('\r\n\r\n') + 4)) as Seen;
      assert.equal(seen.path, '/a/./b//c');
      assert.equal(seen.query, 'x=1%3By=2');
    } finally {
      await ep.close(100);
    }
  });

  void it('listens on ::1 and reports an IPv6 peer', async (t) => {
    const ep = new HttpEntryPoint({ ...entryPointConfig(), host: '::1' });
    ep.setHandler(describeHandler);
    try {
      let port: number;
      try {
        ({ port } = await ep.listen());
      } catch {
        t.skip('no IPv6 loopback on this machine');
        return;
      }
      const r = await new Promise<string>((resolve, reject) => {
        const s = connect({ host: '::1', port }, () => s.write('GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n'));
        let data = '';
        s.setEncoding('latin1');
        s.on('data', (d: string) => (data += d));
        s.on('close', () => resolve(data));
        s.on('error', reject);
      });
      const seen = JSON.parse(r.slice(r.indexOf('\r\n\r\n') + 4)) as Seen;
      assert.equal(seen.peer, '::1');
      assert.equal(seen.host, '[::1]');
    } finally {
      await ep.close(100);
    }
  });
});
