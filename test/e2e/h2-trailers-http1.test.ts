/**
 * Response trailers over HTTP/1.1 (ResponseWriter.end(chunk, trailers)) on both HTTP/1.1 front
 * ends: after the last chunk of a chunked body; dropped for Content-Length, HTTP/1.0 and HEAD
 * answers; fields that may not be trailers (or are not valid) left out.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { HttpEntryPoint, type FrontEndKind } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { HeaderList } from '../../src/exchange/headers.js';
import { entryPointConfig, rawExchange } from './entrypoint-helpers.js';

function trailers(): HeaderList {
  return new HeaderList(['Grpc-Status', '0', 'X-Checksum', 'abc', 'Content-Length', '99', 'X-Bad', 'a\rb']);
}

function handler(ex: Exchange): void {
  const res = ex.response;
  switch (ex.path) {
    case '/streamed':
      res.writeHead(200, new HeaderList(['Trailer', 'Grpc-Status, X-Checksum']));
      res.write(Buffer.from('hello '));
      res.end(Buffer.from('world'), trailers());
      return;
    case '/at-end':
      res.writeHead(200, new HeaderList());
      res.end(Buffer.from('whole'), trailers());
      return;
    case '/length':
      res.writeHead(200, new HeaderList(['Content-Length', '5']));
      res.end(Buffer.from('fixed'), trailers());
      return;
    default:
      res.sendText(404, 'no');
  }
}

const GET = (path: string, version = '1.1', method = 'GET'): string =>
  `${method} ${path} HTTP/${version}\r\nHost: x\r\nConnection: close\r\n\r\n`;

const cases = [
  {
    desc: 'write then end(chunk, trailers): trailers after the last chunk',
    req: GET('/streamed'),
    expect: /\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\nGrpc-Status: 0\r\nX-Checksum: abc\r\n\r\n$/,
  },
  {
    desc: 'end(chunk, trailers) with no length yet: chunked, with trailers',
    req: GET('/at-end'),
    expect: /Transfer-Encoding: chunked\r\n(?:[^\r\n]+\r\n)*\r\n5\r\nwhole\r\n0\r\nGrpc-Status: 0\r\nX-Checksum: abc\r\n\r\n$/,
  },
  { desc: 'Content-Length response: trailers dropped', req: GET('/length'), expect: /Content-Length: 5\r\n[\s\S]*\r\n\r\nfixed$/ },
  { desc: 'HTTP/1.0: no chunked, no trailers', req: GET('/streamed', '1.0'), expect: /\r\n\r\nhello world$/ },
  { desc: 'HEAD: no body, no trailers', req: GET('/streamed', '1.1', 'HEAD'), expect: /\r\n\r\n$/ },
];

for (const kind of ['socket', 'node'] as FrontEndKind[]) {
  describe(`HTTP/1.1 response trailers (${kind} front end)`, () => {
    let ep: HttpEntryPoint;
    let port = 0;
    before(async () => {
      ep = new HttpEntryPoint(entryPointConfig(), { hostname: 't', frontEnd: kind });
      ep.setHandler(handler);
      port = (await ep.listen()).port;
    });
    after(() => ep.close(100));

    for (const c of cases) {
      // node:http decides HTTP/1.0 and HEAD framing itself; the socket front end is checked byte for byte.
      it(c.desc, async () => {
        const r = await rawExchange(port, [c.req], 5000);
        assert.ok(r.closed, 'answer complete');
        assert.match(r.data, /^HTTP\/1\.[01] 200/);
        assert.match(r.data, c.expect);
        assert.doesNotMatch(r.data, /X-Bad|99\r\n\r\n$/);
      });
    }
  });
}
