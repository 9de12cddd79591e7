/**
 * Trailers from HTTP/1.1 upstreams (a chunked response ending with trailer fields) reach
 * `ex.response.end(chunk, trailers)`: seen here by a node:http2 client through the HTTP/2 test
 * front end. And the retry middleware in front of h2c servers: a refused dial (nothing sent) is
 * retried on the next server, the request body intact.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createRetry } from '../../src/middlewares/retry/retry.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { createForwarder } from '../../src/proxy/forwarder.js';
import { writeProxyError } from '../../src/proxy/errors.js';
import { parseServerUrl } from '../../src/proxy/server-target.js';
import { DEFAULT_TRANSPORT_DEFAULTS, resolveTransport } from '../../src/proxy/transport.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { closedPort, forwardTo, readBody } from './forward-helpers.js';
import { h2Client, h2Request, h2Upstream, readStream } from './upstream-h2-helpers.js';
import { startH2Front } from './upstream-h2-harness.js';

void describe('forwarder: trailers from HTTP/1.1 upstreams, retry over h2c', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function h1Upstream(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  async function through(url: string) {
    const fwd = forwardTo(url);
    const front = await startH2Front(fwd.handler);
    const client = h2Client(front.port);
    cleanups.push(front.close, () => fwd.pools.close(), () => void client.destroy());
    return { fwd, client };
  }

  const cases = [
    { desc: 'chunked body then trailers', body: ['ab', 'cd'], trailers: { 'grpc-status': '0', 'x-checksum': 'abc123' } as Record<string, string> | null },
    { desc: 'empty body then trailers', body: [], trailers: { 'x-only': 'trailer' } as Record<string, string> | null },
    { desc: 'chunked body without trailers', body: ['xyz'], trailers: null as Record<string, string> | null },
  ];
  for (const c of cases) {
    void it(`HTTP/1.1 upstream: ${c.desc}`, async () => {
      const up = await h1Upstream((_req, res) => {
        if (c.trailers !== null) res.setHeader('Trailer', Object.keys(c.trailers).join(', '));
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (const part of c.body) res.write(part);
        if (c.trailers !== null) res.addTrailers(c.trailers);
        res.end();
      });
      const { client } = await through(up.url);
      const r = await h2Request(client, { ':path': '/t', te: 'trailers' });
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), c.body.join(''));
      if (c.trailers === null) assert.equal(r.trailers, null);
      else for (const [k, v] of Object.entries(c.trailers)) assert.equal(r.trailers?.[k], v, k);
    });
  }

  void it('the upstream sees te: trailers when the client sent it (HTTP/2 client -> HTTP/1.1 upstream)', async () => {
    let te: string | undefined = undefined;
    const up = await h1Upstream((req, res) => {
      te = req.headers.te as string | undefined;
      void readBody(req).then(() => res.end('ok'));
    });
    const { client } = await through(up.url);
    assert.equal((await h2Request(client, { ':path': '/', te: 'trailers' })).status, 200);
    assert.equal(te, 'trailers');
  });

  void it('retry: a refused h2c dial is retried on the next server, the body resent', async () => {
    const good = await h2Upstream((stream) => {
      void readStream(stream).then((b) => {
        stream.respond({ ':status': 200 });
        stream.end(`got ${b.toString()}`);
      });
    });
    cleanups.push(good.close);
    const pools = new UpstreamPools();
    cleanups.push(() => pools.close());
    const errors: string[] = [];
    const forward = createForwarder({
      transport: resolveTransport(DEFAULT_TRANSPORT_DEFAULTS),
      passHostHeader: true,
      pools,
      onError: (ex: Exchange, err) => {
        errors.push(err.code);
        writeProxyError(ex, err);
      },
    });
    const servers = [parseServerUrl(`h2c://127.0.0.1:${await closedPort()}`), parseServerUrl(good.url)];
    let n = 0;
    const retry = createRetry({ attempts: 2, initialInterval: 0, timeout: 0, maxRequestBodyBytes: -1, status: [], disableRetryOnNetworkError: false, retryNonIdempotentMethod: false });
    const handler = retry((ex) => forward(ex, servers[n++ % 2] as (typeof servers)[number]));
    const front = await startH2Front(handler);
    const client = h2Client(front.port);
    cleanups.push(front.close, () => void client.destroy());
    const r = await h2Request(client, { ':path': '/r', ':method': 'POST' }, 'payload');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'got payload');
    assert.deepEqual(errors, ['TPK_ERR_UPSTREAM_UNREACHABLE']);
  });
});
