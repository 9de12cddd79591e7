/**
 * https:// upstreams and HTTP/2 by ALPN: our connections offer h2 and http/1.1; a server that
 * picks h2 is served over HTTP/2 from then on (one session), one that picks http/1.1 stays on the
 * HTTP/1.1 pool; disableHTTP2 offers http/1.1 only; upgrades always go over HTTP/1.1; rootCAs,
 * serverName and insecureSkipVerify apply to the HTTP/2 connections too; an origin that stops
 * speaking h2 (another server at the same address) is served over HTTP/1.1 again.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { forwardTo, send, startProxy } from './forward-helpers.js';
import { makeTestCerts, type TestCerts } from './upstream-h2-certs.js';
import { h2Upstream, transportOf, type H2Upstream } from './upstream-h2-helpers.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import type { ServersTransportConfig } from '../../src/config/dynamic/types.js';
import { within } from '../helpers/wait.js';

void describe('forwarder: https upstreams speaking HTTP/2 (ALPN)', () => {
  let certs: TestCerts;
  let up: H2Upstream;
  /** HTTP versions of the requests the upstream served, and the ALPN picked per TLS connection. */
  const versions: string[] = [];
  const alpns: (string | false | null)[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    certs = makeTestCerts();
    up = await h2Upstream(
      (stream, headers) => {
        versions.push('2.0');
        stream.respond({ ':status': 200, 'x-proto': 'h2' });
        stream.end(`h2 ${String(headers[':path'])} ${String(headers[':authority'])}`);
      },
      { tls: { key: certs.serverKey, cert: certs.serverCert, allowHTTP1: true } },
    );
    const server = up.server as Http2SecureServer;
    server.on('secureConnection', (s: TLSSocket) => alpns.push(s.alpnProtocol));
    // HTTP/1.1 requests on the same server (allowHTTP1).
    server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
      if (req.httpVersion === '2.0') return;
      versions.push(req.httpVersion);
      res.setHeader('x-proto', 'http/1.1');
      res.end(`h1 ${req.url}`);
    });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await up.close();
    certs.remove();
  });

  async function proxyTo(url: string, t: Partial<ServersTransportConfig>, pools = new UpstreamPools()) {
    const fwd = forwardTo(url, { transport: transportOf(t), pools });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close, () => pools.close());
    return { proxy, fwd, pools };
  }

  const trusted = (): Partial<ServersTransportConfig> => ({ rootCAs: [certs.caFile], serverName: 'upstream.test' });

  void it('the server picks h2: the request goes over HTTP/2, and so do the next ones, on one session', async () => {
    const { proxy, pools } = await proxyTo(up.url, trusted());
    const sessionsBefore = up.sessions;
    versions.length = 0;
    for (let i = 0; i < 4; i++) {
      const r = await send(proxy.port, `/a${i}`, { headers: { host: 'front.test' } });
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), `h2 /a${i} front.test`);
    }
    assert.deepEqual(versions, ['2.0', '2.0', '2.0', '2.0']);
    assert.equal(up.sessions - sessionsBefore, 1);
    assert.equal(pools.stats()[0]?.h2Sessions, 1);
    assert.equal(up.requests.at(-1)?.[':scheme'], 'https');
  });

  void it('concurrent first requests: all answered over HTTP/2, one session kept', async () => {
    const { proxy, pools } = await proxyTo(up.url, trusted());
    versions.length = 0;
    const replies = await within('10 answers', Promise.all(Array.from({ length: 10 }, (_, i) => send(proxy.port, `/c${i}`))));
    for (const r of replies) assert.equal(r.status, 200);
    assert.deepEqual(new Set(versions), new Set(['2.0']));
    assert.equal(pools.stats()[0]?.h2Sessions, 1);
  });

  void it('an h2 origin at its maxConcurrentStreams: more sessions are dialled over TLS (verified, ALPN h2)', async () => {
    const held: (() => void)[] = [];
    const N = 4;
    const busy = await h2Upstream(
      (stream, headers) => {
        if (headers[':path'] === '/warm') {
          stream.respond({ ':status': 200 });
          stream.end('warm');
          return;
        }
        held.push(() => {
          stream.respond({ ':status': 200 });
          stream.end('held');
        });
        if (held.length === N) for (const f of held) f();
      },
      { tls: { key: certs.serverKey, cert: certs.serverCert }, settings: { maxConcurrentStreams: 1 } },
    );
    cleanups.push(busy.close);
    const { proxy, pools } = await proxyTo(busy.url, trusted());
    assert.equal((await send(proxy.port, '/warm')).status, 200);
    const replies = await within('4 answers', Promise.all(Array.from({ length: N }, (_, i) => send(proxy.port, `/b${i}`))));
    for (const r of replies) assert.equal(r.body.toString(), 'held');
    assert.ok(busy.sessions >= N, `sessions: ${busy.sessions}`);
    assert.ok((pools.stats()[0]?.h2Sessions ?? 0) >= N);
  });

  void it('disableHTTP2: only http/1.1 is offered, the server answers over HTTP/1.1', async () => {
    const { proxy, pools } = await proxyTo(up.url, { ...trusted(), disableHTTP2: true });
    versions.length = 0;
    alpns.length = 0;
    const r = await send(proxy.port, '/d');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'h1 /d');
    assert.deepEqual(versions, ['1.1']);
    assert.deepEqual(alpns, ['http/1.1']);
    assert.equal(pools.stats()[0]?.h2Sessions, 0);
  });

  void it('an upgrade request goes over HTTP/1.1 even to an h2 origin', async () => {
    const { proxy } = await proxyTo(up.url, trusted());
    assert.equal((await send(proxy.port, '/warm')).status, 200);
    alpns.length = 0;
    // Whatever the server answers, the connection for the upgrade offered http/1.1 only.
    await send(proxy.port, '/ws', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } }).catch(() => undefined);
    assert.deepEqual(alpns, ['http/1.1']);
  });

  const verification = [
    { desc: 'rootCAs of another CA: 502', t: (): Partial<ServersTransportConfig> => ({ rootCAs: [certs.otherCaFile], serverName: 'upstream.test' }), status: 502 },
    { desc: 'serverName the certificate does not name: 502', t: (): Partial<ServersTransportConfig> => ({ rootCAs: [certs.caFile], serverName: 'other.test' }), status: 502 },
    { desc: 'insecureSkipVerify without any CA: 200 over h2', t: (): Partial<ServersTransportConfig> => ({ insecureSkipVerify: true }), status: 200 },
    { desc: 'rootCAs as inline PEM: 200 over h2', t: (): Partial<ServersTransportConfig> => ({ rootCAs: [certs.ca], serverName: 'upstream.test' }), status: 200 },
  ];
  for (const c of verification) {
    void it(`certificate checks: ${c.desc}`, async () => {
      const { proxy, fwd } = await proxyTo(up.url, c.t());
      versions.length = 0;
      const r = await send(proxy.port, '/v');
      assert.equal(r.status, c.status);
      if (c.status === 200) assert.deepEqual(versions, ['2.0']);
      else assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_UNREACHABLE');
    });
  }

  void it('certificate checks on a new HTTP/2 session (the origin known as h2): a wrong CA still fails', async () => {
    const pools = new UpstreamPools();
    const good = await proxyTo(up.url, trusted(), pools);
    assert.equal((await send(good.proxy.port, '/known')).status, 200);
    // Another transport (its own pools key) on the same store: learns h2 from scratch and must verify.
    const bad = await proxyTo(up.url, { rootCAs: [certs.otherCaFile], serverName: 'upstream.test' }, pools);
    assert.equal((await send(bad.proxy.port, '/x')).status, 502);
  });

  void it('an https server that does not speak h2 stays on the HTTP/1.1 pool', async () => {
    const h1 = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (req, res) => res.end(`plain ${req.httpVersion}`));
    await new Promise<void>((resolve) => h1.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => closeHttps(h1));
    const { proxy, pools } = await proxyTo(`https://127.0.0.1:${(h1.address() as AddressInfo).port}`, trusted());
    for (let i = 0; i < 2; i++) assert.equal((await send(proxy.port, '/')).body.toString(), 'plain 1.1');
    assert.equal(pools.stats()[0]?.h2Sessions, 0);
    assert.equal(pools.stats()[0]?.created, 1);
  });

  void it('an origin that stops speaking h2 (another server at the same address) is served over HTTP/1.1', async () => {
    const h2 = await h2Upstream(
      (stream) => {
        stream.respond({ ':status': 200 });
        stream.end('from h2');
      },
      { tls: { key: certs.serverKey, cert: certs.serverCert } },
    );
    const port = h2.port;
    const { proxy, pools } = await proxyTo(h2.url, trusted());
    assert.equal((await send(proxy.port, '/1')).body.toString(), 'from h2');
    assert.equal(pools.stats()[0]?.h2Sessions, 1);
    await h2.close();
    const h1 = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert }, (_req, res) => res.end('from h1'));
    await new Promise<void>((resolve) => h1.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => closeHttps(h1));
    const r = await within('answer from the new server', send(proxy.port, '/2'));
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'from h1');
    assert.equal((await send(proxy.port, '/3')).body.toString(), 'from h1');
    assert.equal(pools.stats()[0]?.h2Sessions, 0);
  });
});

function closeHttps(s: HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });
}
