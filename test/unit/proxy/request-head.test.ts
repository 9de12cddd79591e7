import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Exchange, UpgradeInfo } from '../../../src/exchange/exchange.js';
import { HeaderList } from '../../../src/exchange/headers.js';
import { BodyMode, RequestHeadBuilder } from '../../../src/proxy/request-head.js';
import { parseServerUrl } from '../../../src/proxy/server-target.js';

interface ExInput {
  method?: string;
  path?: string;
  query?: string | null;
  host?: string;
  headers?: string[];
  body?: boolean;
  upgrade?: boolean;
}

/** The request side of an Exchange as plain data (the builder reads nothing else). */
function exchange(i: ExInput): Exchange {
  const upgrade: UpgradeInfo | null = i.upgrade === true ? { protocol: 'websocket', takeSocket: () => { throw new Error('unused'); } } : null;
  return {
    method: i.method ?? 'GET',
    path: i.path ?? '/',
    query: i.query ?? null,
    routingPath: i.path ?? '/',
    host: i.host ?? 'client.example',
    httpVersion: '1.1',
    headers: new HeaderList(i.headers ?? []),
    body: i.body === true ? Readable.from([]) : null,
    peer: { address: '10.0.0.9', port: 5555 },
    tls: null,
    entryPoint: 'web',
    upgrade,
    response: undefined as never,
    routerName: undefined,
    record: null,
    startedAt: 0,
  };
}

const server = parseServerUrl('http://10.1.1.1:8080/base');
const serverPreserve = parseServerUrl('http://10.1.1.1:8080/base/', true);

const cases: { desc: string; ex: ExInput; pass?: boolean; append?: boolean; target?: typeof server; want: string; mode?: BodyMode }[] = [
  {
    desc: 'GET: request line, Host from the client, XFF with the peer',
    ex: { path: '/a%2Fb', query: 'x=1&y', headers: ['Accept', '*/*', 'Host', 'ignored'] },
    want: 'GET /a%2Fb?x=1&y HTTP/1.1\r\nHost: client.example\r\nAccept: */*\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'passHostHeader false: the server host:port; server path ignored',
    ex: { path: '/p' },
    pass: false,
    want: 'GET /p HTTP/1.1\r\nHost: 10.1.1.1:8080\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'empty client host falls back to the server host',
    ex: { host: '' },
    want: 'GET / HTTP/1.1\r\nHost: 10.1.1.1:8080\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'preservePath joins with one slash',
    ex: { path: '/p', query: '' },
    target: serverPreserve,
    want: 'GET /base/p? HTTP/1.1\r\nHost: client.example\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'prior X-Forwarded-For values are joined, then the peer appended',
    ex: { headers: ['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2, 3.3.3.3'] },
    want: 'GET / HTTP/1.1\r\nHost: client.example\r\nX-Forwarded-For: 1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'appendXForwardedFor false keeps prior values only',
    ex: { headers: ['X-Forwarded-For', '1.1.1.1'] },
    append: false,
    want: 'GET / HTTP/1.1\r\nHost: client.example\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n',
  },
  {
    desc: 'hop-by-hop headers removed, Connection-listed ones too; TE reduced to trailers',
    ex: {
      headers: ['Connection', 'keep-alive, X-Priv', 'X-Priv', '1', 'Keep-Alive', '5', 'Proxy-Connection', 'x', 'Proxy-Authorization', 'y', 'Proxy-Authenticate', 'z', 'TE', 'gzip, trailers;q=1', 'Trailer', 'X-T', 'Upgrade', 'h2c', 'X-Pub', '2'],
    },
    want: 'GET / HTTP/1.1\r\nHost: client.example\r\nX-Pub: 2\r\nTE: trailers\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'TE without trailers is dropped',
    ex: { headers: ['TE', 'gzip'] },
    want: 'GET / HTTP/1.1\r\nHost: client.example\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'Content-Length body passes through',
    ex: { method: 'POST', body: true, headers: ['Content-Length', '12', 'Content-Type', 'text/plain'] },
    mode: BodyMode.Length,
    want: 'POST / HTTP/1.1\r\nHost: client.example\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'chunked body is re-framed chunked',
    ex: { method: 'POST', body: true, headers: ['Transfer-Encoding', 'chunked'] },
    mode: BodyMode.Chunked,
    want: 'POST / HTTP/1.1\r\nHost: client.example\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'no body: Content-Length: 0 kept as sent',
    ex: { method: 'POST', headers: ['Content-Length', '0'] },
    mode: BodyMode.None,
    want: 'POST / HTTP/1.1\r\nHost: client.example\r\nContent-Length: 0\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'upgrade: Connection: Upgrade and the client Upgrade value re-added',
    ex: { upgrade: true, headers: ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k=='] },
    want: 'GET / HTTP/1.1\r\nHost: client.example\r\nSec-WebSocket-Key: k==\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
  {
    desc: 'header names keep their case, values their bytes',
    ex: { headers: ['x-LoWeR', 'v\xe9'] },
    want: 'GET / HTTP/1.1\r\nHost: client.example\r\nx-LoWeR: v\xe9\r\nX-Forwarded-For: 10.0.0.9\r\n\r\n',
  },
];

void describe('RequestHeadBuilder', () => {
  for (const c of cases) {
    void it(c.desc, () => {
      const b = new RequestHeadBuilder({ passHostHeader: c.pass ?? true, appendXForwardedFor: c.append ?? true });
      assert.equal(b.build(exchange(c.ex), c.target ?? server), c.want);
      assert.equal(b.bodyMode, c.mode ?? BodyMode.None);
    });
  }

  void it('does not modify the exchange headers', () => {
    const ex = exchange({ headers: ['Connection', 'X-Priv', 'X-Priv', '1', 'X-Forwarded-For', '1.1.1.1'] });
    const before = ex.headers.raw.slice();
    new RequestHeadBuilder({ passHostHeader: true, appendXForwardedFor: true }).build(ex, server);
    assert.deepEqual(ex.headers.raw, before);
  });
});

void describe('RequestHeadBuilder.buildH2', () => {
  const h2cases: { desc: string; ex: ExInput; url?: string; pass?: boolean; append?: boolean; scheme?: 'http' | 'https'; want: Record<string, string | string[]> }[] = [
    {
      desc: 'pseudo-headers from the request; Host becomes :authority',
      ex: { method: 'GET', path: '/a%2Fb', query: 'x=1', headers: ['Host', 'client.example', 'Accept', '*/*'] },
      want: { ':method': 'GET', ':scheme': 'http', ':authority': 'client.example', ':path': '/a%2Fb?x=1', accept: '*/*', 'x-forwarded-for': '10.0.0.9' },
    },
    {
      desc: 'passHostHeader false: the server host; https scheme; preservePath prefix',
      ex: { path: '/p' },
      url: 'https://backend:8443/base',
      pass: false,
      scheme: 'https',
      want: { ':method': 'GET', ':scheme': 'https', ':authority': 'backend:8443', ':path': '/base/p', 'x-forwarded-for': '10.0.0.9' },
    },
    {
      desc: 'hop-by-hop and Connection-listed fields removed, te reduced to trailers, names lower-cased',
      ex: {
        headers: ['Connection', 'keep-alive, X-Priv, :path, te', 'X-Priv', '1', 'Keep-Alive', '5', 'Proxy-Connection', 'x', 'Proxy-Authorization', 'y', 'TE', 'gzip, trailers', 'Trailer', 'X-T', 'Upgrade', 'h2c', 'Transfer-Encoding', 'chunked', 'X-Pub', '2'],
        body: true,
      },
      want: { ':method': 'GET', ':scheme': 'http', ':authority': 'client.example', ':path': '/', 'x-pub': '2', te: 'trailers', 'x-forwarded-for': '10.0.0.9' },
    },
    {
      desc: 'repeated fields become arrays, cookies are joined with "; "',
      ex: { headers: ['X-A', '1', 'x-a', '2', 'Cookie', 'a=1', 'cookie', 'b=2'] },
      want: { ':method': 'GET', ':scheme': 'http', ':authority': 'client.example', ':path': '/', 'x-a': ['1', '2'], cookie: 'a=1; b=2', 'x-forwarded-for': '10.0.0.9' },
    },
    {
      desc: 'Content-Length kept for a body of known length; prior X-Forwarded-For values joined, peer appended',
      ex: { method: 'POST', body: true, headers: ['Content-Length', '3', 'X-Forwarded-For', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2'] },
      want: { ':method': 'POST', ':scheme': 'http', ':authority': 'client.example', ':path': '/', 'content-length': '3', 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 10.0.0.9' },
    },
    {
      desc: 'notAppendXForwardedFor keeps the prior value only',
      ex: { headers: ['X-Forwarded-For', '1.1.1.1'] },
      append: false,
      want: { ':method': 'GET', ':scheme': 'http', ':authority': 'client.example', ':path': '/', 'x-forwarded-for': '1.1.1.1' },
    },
  ];
  for (const c of h2cases) {
    void it(c.desc, () => {
      const b = new RequestHeadBuilder({ passHostHeader: c.pass ?? true, appendXForwardedFor: c.append ?? true });
      const target = parseServerUrl(c.url ?? 'h2c://backend:9000', c.url !== undefined);
      assert.deepEqual({ ...b.buildH2(exchange(c.ex), target, c.scheme ?? 'http') }, c.want);
    });
  }
});
