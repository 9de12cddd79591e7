/**
 * HTTP/2 clients through the HTTP/2 front end and the forwarder to a real HTTP/1.1 upstream
 * (node:http): the upstream sees a correct HTTP/1.1 request (Host from :authority, no
 * pseudo-headers, `te: trailers` only, chunked for a body of unknown length, Content-Length kept),
 * response bodies and trailers come back over HTTP/2, many streams share one session.
 */
import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { within } from './entrypoint-helpers.js';
import { countingUpstream, forwardTo, readBody, type CountingUpstream } from './forward-helpers.js';
import { clientSession, h2request, startH2, type H2Harness } from './h2-helpers.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

describe('HTTP/2 front end -> forwarder -> HTTP/1.1 upstream', () => {
  let upstream: CountingUpstream;
  let h: H2Harness;
  const seen: Seen[] = [];

  before(async () => {
    upstream = await countingUpstream((req: IncomingMessage, res: ServerResponse) => {
      void readBody(req).then((body) => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, body });
        if (req.url === '/trailers') {
          res.writeHead(200, { 'Content-Type': 'application/grpc', Trailer: 'grpc-status' });
          res.write('payload');
          res.addTrailers({ 'grpc-status': '0', 'grpc-message': 'fine' });
          res.end();
          return;
        }
        if (req.url === '/big') {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
          res.end(Buffer.alloc(3 << 20, 9));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'keep-alive', 'Keep-Alive': 'timeout=5' });
        res.end(`upstream got ${req.method} ${req.url} ${body.length}`);
      });
    });
    const fwd = forwardTo(upstream.url);
    h = await startH2(fwd.handler);
  });

  after(async () => {
    await h.close();
    await upstream.close();
  });

  const header = (s: Seen, name: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i < s.rawHeaders.length; i += 2) if ((s.rawHeaders[i] as string).toLowerCase() === name) out.push(s.rawHeaders[i + 1] as string);
    return out;
  };

  it('sends a correct HTTP/1.1 request for a GET', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(
        h2request(s, { ':path': '/get?q=1', ':authority': 'app.example:8443', te: 'trailers', cookie: ['a=1', 'b=2'], 'x-custom': 'v' }),
        5000,
        'response',
      );
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.body.toString(), 'upstream got GET /get?q=1 0');
      assert.equal(r.headers['connection'], undefined);
      assert.equal(r.headers['keep-alive'], undefined);
      const got = seen.at(-1) as Seen;
      assert.equal(got.httpVersion, '1.1');
      assert.deepEqual(header(got, 'host'), ['app.example:8443']);
      assert.deepEqual(header(got, 'te'), ['trailers']);
      assert.deepEqual(header(got, 'cookie'), ['a=1; b=2']);
      assert.deepEqual(header(got, 'x-custom'), ['v']);
      assert.deepEqual(header(got, 'transfer-encoding'), []);
      for (let i = 0; i < got.rawHeaders.length; i += 2) assert.notEqual((got.rawHeaders[i] as string)[0], ':');
    } finally {
      s.close();
    }
  });

  const bodies = [
    { desc: 'a body without content-length goes chunked', headers: {}, te: ['chunked'], cl: [] as string[] },
    { desc: 'a body with content-length keeps it', headers: { 'content-length': '100000' }, te: [] as string[], cl: ['100000'] },
  ];
  for (const c of bodies) {
    it(c.desc, async () => {
      const s = clientSession(h.port);
      try {
        const r = await within(h2request(s, { ':method': 'POST', ':path': '/post', ...c.headers }, Buffer.alloc(100_000, 3)), 5000, 'response');
        assert.equal(r.body.toString(), 'upstream got POST /post 100000');
        const got = seen.at(-1) as Seen;
        assert.deepEqual(header(got, 'transfer-encoding'), c.te);
        assert.deepEqual(header(got, 'content-length'), c.cl);
        assert.ok(got.body.equals(Buffer.alloc(100_000, 3)));
      } finally {
        s.close();
      }
    });
  }

  it('passes the upstream chunked trailers on as HTTP/2 trailers', async () => {
    const s = clientSession(h.port);
    try {
      const r = await within(h2request(s, { ':path': '/trailers', te: 'trailers' }), 5000, 'response');
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.body.toString(), 'payload');
      assert.ok(r.trailers !== null, 'trailers received');
      assert.equal(r.trailers['grpc-status'], '0');
      assert.equal(r.trailers['grpc-message'], 'fine');
    } finally {
      s.close();
    }
  });

  it('50 concurrent streams of one session, with a large answer among them', async () => {
    const s = clientSession(h.port);
    try {
      const all = await within(
        Promise.all([
          h2request(s, { ':path': '/big' }),
          ...Array.from({ length: 50 }, (_, i) => h2request(s, { ':path': `/c/${i}` })),
        ]),
        15_000,
        '51 responses',
      );
      assert.equal((all[0] as { body: Buffer }).body.length, 3 << 20);
      all.slice(1).forEach((r, i) => assert.equal(r.body.toString(), `upstream got GET /c/${i} 0`));
    } finally {
      s.close();
    }
  });
});
