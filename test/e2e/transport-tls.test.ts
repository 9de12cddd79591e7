/**
 * serversTransport TLS options on every https connection, HTTP/1.1 pool and HTTP/2 sessions alike:
 * client certificates (mTLS against servers that require and verify one), minVersion/maxVersion
 * against servers limited to one TLS version, cipherSuites (TLS 1.2), and separate pools for
 * transports that differ. Real node:https and node:http2 servers, certificates from openssl.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { ServersTransportConfig } from '../../src/config/dynamic/types.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { forwardTo, send, startProxy } from './forward-helpers.js';
import { makeTestCerts, type TestCerts } from './upstream-h2-certs.js';
import { h2Upstream, transportOf } from './upstream-h2-helpers.js';

interface SeenTls {
  protocol: string | null;
  cipher: string;
  peerCN: string | undefined;
  authorized: boolean;
}

void describe('serversTransport TLS options', () => {
  let certs: TestCerts;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(() => {
    certs = makeTestCerts();
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    certs.remove();
  });

  /** A node:https server answering with what it saw of the TLS connection (JSON). */
  async function httpsServer(opts: ServerOptions): Promise<string> {
    const server: HttpsServer = createHttpsServer({ key: certs.serverKey, cert: certs.serverCert, ...opts }, (req, res) => {
      const s = req.socket as TLSSocket;
      const seen: SeenTls = { protocol: s.getProtocol(), cipher: s.getCipher().name, peerCN: peerCN(s), authorized: s.authorized };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(seen));
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function get(url: string, t: Partial<ServersTransportConfig>, pools = new UpstreamPools()) {
    const fwd = forwardTo(url, { transport: transportOf({ rootCAs: [certs.caFile], serverName: 'upstream.test', ...t }), pools });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close, () => pools.close());
    const r = await send(proxy.port, '/');
    return { r, fwd, seen: r.status === 200 ? (JSON.parse(r.body.toString()) as SeenTls) : undefined };
  }

  const mtls: ServerOptions = { requestCert: true, rejectUnauthorized: true };

  void it('mTLS over HTTP/1.1: without a client certificate the server refuses (502)', async () => {
    const url = await httpsServer({ ...mtls, ca: certs.ca });
    const { r } = await get(url, {});
    assert.equal(r.status, 502);
  });

  void it('mTLS over HTTP/1.1: certificates (files) are presented and verified', async () => {
    const url = await httpsServer({ ...mtls, ca: certs.ca });
    const { r, seen } = await get(url, { certificates: [{ certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }] });
    assert.equal(r.status, 200);
    assert.equal(seen?.authorized, true);
    assert.equal(seen?.peerCN, 'turnpike-client');
  });

  void it('mTLS over HTTP/2: the same certificate on the h2 session (inline PEM)', async () => {
    const { readFileSync } = await import('node:fs');
    const peers: (string | undefined)[] = [];
    const up = await h2Upstream(
      (stream) => {
        peers.push(peerCN(stream.session?.socket as TLSSocket));
        stream.respond({ ':status': 200 });
        stream.end('h2 mtls');
      },
      { tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true } },
    );
    cleanups.push(up.close);
    const cert = { certFile: readFileSync(certs.clientCertFile, 'utf8'), keyFile: readFileSync(certs.clientKeyFile, 'utf8') };
    const pools = new UpstreamPools();
    const fwd = forwardTo(up.url, { transport: transportOf({ rootCAs: [certs.caFile], serverName: 'upstream.test', certificates: [cert] }), pools });
    const proxy = await startProxy(fwd.handler);
    cleanups.push(proxy.close, () => pools.close());
    for (let i = 0; i < 2; i++) {
      const r = await send(proxy.port, '/');
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), 'h2 mtls');
    }
    assert.deepEqual(peers, ['turnpike-client', 'turnpike-client']);
    assert.equal(pools.stats()[0]?.h2Sessions, 1);
  });

  const versions = [
    { desc: 'server limited to TLS 1.2, minVersion VersionTLS13: 502', server: { maxVersion: 'TLSv1.2' } as ServerOptions, t: { minVersion: 'VersionTLS13' } as Partial<ServersTransportConfig>, status: 502 },
    { desc: 'server requires TLS 1.3, maxVersion VersionTLS12: 502', server: { minVersion: 'TLSv1.3' } as ServerOptions, t: { maxVersion: 'VersionTLS12' } as Partial<ServersTransportConfig>, status: 502 },
    { desc: 'server limited to TLS 1.2, maxVersion VersionTLS12: TLS 1.2 used', server: { maxVersion: 'TLSv1.2' } as ServerOptions, t: { maxVersion: 'VersionTLS12' } as Partial<ServersTransportConfig>, status: 200, protocol: 'TLSv1.2' },
    { desc: 'minVersion VersionTLS13 with a TLS 1.3 server: TLS 1.3 used', server: {} as ServerOptions, t: { minVersion: 'VersionTLS13' } as Partial<ServersTransportConfig>, status: 200, protocol: 'TLSv1.3' },
  ];
  for (const c of versions) {
    void it(`versions: ${c.desc}`, async () => {
      const url = await httpsServer(c.server);
      const { r, seen, fwd } = await get(url, c.t);
      assert.equal(r.status, c.status);
      if (c.status === 200) assert.equal(seen?.protocol, c.protocol);
      else assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_UNREACHABLE');
    });
  }

  const ciphers = [
    { desc: 'an ECDSA suite the server (EC key) can use: chosen', suites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'], status: 200, cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384' },
    { desc: 'another ECDSA suite: chosen', suites: ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305'], status: 200, cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305' },
    { desc: 'only RSA suites (the server has an EC key): 502', suites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], status: 502 },
  ];
  for (const c of ciphers) {
    void it(`cipherSuites over TLS 1.2: ${c.desc}`, async () => {
      const url = await httpsServer({ maxVersion: 'TLSv1.2' });
      const { r, seen } = await get(url, { cipherSuites: c.suites });
      assert.equal(r.status, c.status);
      if (c.cipher !== undefined) assert.equal(seen?.cipher, c.cipher);
    });
  }

  void it('two transports that differ only in TLS options use separate pools to one origin', async () => {
    const url = await httpsServer({});
    const pools = new UpstreamPools();
    await get(url, {}, pools);
    await get(url, { maxVersion: 'VersionTLS12' }, pools);
    const keys = pools.stats().map((s) => s.key);
    assert.equal(keys.length, 2);
    assert.notEqual(keys[0], keys[1]);
  });
});

function peerCN(s: TLSSocket | undefined): string | undefined {
  const cert = s?.getPeerCertificate();
  if (cert === undefined || cert.subject === undefined) return undefined;
  const cn = cert.subject.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}
