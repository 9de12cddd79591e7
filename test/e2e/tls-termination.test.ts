/**
 * TLS termination on an entry point (issue 5 item 4): one port serving plain HTTP and TLS,
 * certificates from files and inline PEM (RSA, EC, chains), SNI selection (exact, one-label
 * wildcard, default certificate: configured or generated), ex.tls on exchanges and
 * X-Forwarded-Proto https, certificate errors reported per file. Real clients: node:tls, node:https,
 * curl with --resolve/--cacert.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import type { TlsConfig } from '../../src/config/dynamic/types.js';
import { DEFAULT_TLS_OPTIONS } from '../../src/config/dynamic/schema/tls.js';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { entryPointConfig, httpRequest } from './entrypoint-helpers.js';
import { CertDir, handshake, type CertFiles } from './tls-helpers.js';

const run = promisify(execFile);

function echo(ex: Exchange): void {
  const t = ex.tls;
  ex.response.sendText(
    200,
    JSON.stringify({
      tls: t === null ? null : { servername: t.servername ?? null, protocol: t.protocol, cipher: t.cipher, alpn: t.alpn ?? null, peer: t.peerCertificates?.length ?? 0 },
      proto: ex.headers.get('x-forwarded-proto') ?? null,
      port: ex.headers.get('x-forwarded-port') ?? null,
    }),
  );
}

function get(port: number, servername: string | undefined, ca?: string): Promise<{ status: number; body: string; cn: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/', headers: { host: servername ?? 'x' }, ...(servername !== undefined ? { servername } : {}), ...(ca !== undefined ? { ca } : { rejectUnauthorized: false }), agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
          const cn = cert?.subject?.CN;
          resolve({ status: res.statusCode ?? 0, body, cn: Array.isArray(cn) ? cn.join(',') : cn });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS termination on one port with plain HTTP', () => {
  const certs = new CertDir();
  let ca: CertFiles;
  let a: CertFiles;
  let wild: CertFiles;
  let ec: CertFiles;
  let chained: CertFiles;
  let ep: HttpEntryPoint;
  let manager: TlsManager;
  let port: number;

  before(async () => {
    ca = certs.ca();
    a = certs.leaf('a.test');
    wild = certs.leaf('wild', { sans: ['*.w.test'] });
    ec = certs.leaf('ec.test', { ec: true });
    chained = certs.leaf('chain.test', { ca });
    manager = new TlsManager({ watch: false });
    const tls: TlsConfig = {
      certificates: [
        { certFile: a.cert, keyFile: a.key },
        { certFile: certs.read(wild.cert), keyFile: certs.read(wild.key) }, // inline PEM
        { certFile: ec.cert, keyFile: ec.key },
        { certFile: chained.cert, keyFile: chained.key },
        { certFile: certs.path('missing.pem'), keyFile: a.key },
        { certFile: a.cert, keyFile: ec.key }, // key of another certificate
      ],
      options: {},
      stores: {},
    };
    const diags = manager.update(tls);
    assert.equal(diags.length, 2, JSON.stringify(diags));
    assert.match(diags[0]?.message ?? '', /missing\.pem/);
    assert.equal(diags[0]?.code, 'TPK_CFG_TLS_CERTIFICATE');
    assert.match(diags[1]?.message ?? '', /does not match/);
    ep = new HttpEntryPoint(entryPointConfig(), { hostname: 'test', tls: manager });
    ep.setHandler(echo);
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(0);
    manager.close();
    certs.remove();
  });

  it('serves plain HTTP on the same port (no ex.tls, X-Forwarded-Proto http)', async () => {
    const res = await httpRequest(port, { path: '/', headers: { host: 'a.test' } });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { tls: unknown; proto: string };
    assert.equal(body.tls, null);
    assert.equal(body.proto, 'http');
  });

  it('serves HTTPS with ex.tls and X-Forwarded-Proto https', async () => {
    const res = await get(port, 'a.test');
    assert.equal(res.status, 200);
    assert.equal(res.cn, 'a.test');
    const body = JSON.parse(res.body) as { tls: { servername: string; protocol: string; cipher: string; alpn: string | null; peer: number }; proto: string; port: string };
    assert.equal(body.tls.servername, 'a.test');
    assert.equal(body.tls.protocol, 'TLSv1.3');
    assert.ok(body.tls.cipher.length > 0);
    assert.equal(body.tls.peer, 0);
    assert.equal(body.proto, 'https');
    assert.equal(body.port, '443');
  });

  const cases: { desc: string; sni: string | undefined; cn: string | RegExp }[] = [
    { desc: 'exact name', sni: 'a.test', cn: 'a.test' },
    { desc: 'exact name, other case', sni: 'A.TEST', cn: 'a.test' },
    { desc: 'wildcard covers one label', sni: 'x.w.test', cn: 'wild' },
    { desc: 'wildcard does not cover two labels', sni: 'a.b.w.test', cn: 'TRAEFIK DEFAULT CERT' },
    { desc: 'EC key', sni: 'ec.test', cn: 'ec.test' },
    { desc: 'unknown name -> generated default', sni: 'nope.test', cn: 'TRAEFIK DEFAULT CERT' },
    { desc: 'no SNI -> generated default', sni: undefined, cn: 'TRAEFIK DEFAULT CERT' },
  ];
  for (const c of cases) {
    it(`SNI selection: ${c.desc}`, async () => {
      const h = await handshake(port, c.sni === undefined ? {} : { servername: c.sni });
      assert.ok(h.ok, h.error);
      assert.equal(h.peer?.subject?.CN, c.cn);
    });
  }

  it('the generated default certificate is one per instance, Traefik-shaped', async () => {
    const h1 = await handshake(port, { servername: 'one.test' });
    const h2 = await handshake(port, { servername: 'two.test' });
    assert.equal(h1.peer?.fingerprint256, h2.peer?.fingerprint256);
    assert.match(h1.peer?.subjectaltname ?? '', /^DNS:[0-9a-f]{32}\.[0-9a-f]{32}\.traefik\.default$/);
  });

  it('serves a CA-signed certificate with its chain to curl --resolve --cacert', async () => {
    const { stdout } = await run('curl', ['-sS', '--resolve', `chain.test:${port}:127.0.0.1`, '--cacert', ca.cert, `https://chain.test:${port}/`]);
    const body = JSON.parse(stdout) as { tls: { servername: string; alpn: string | null } };
    assert.equal(body.tls.servername, 'chain.test');
    // curl offers h2 and http/1.1; the entry point serves HTTP/2 too, so ALPN picks h2.
    assert.equal(body.tls.alpn, 'h2');
  });

  it('a configured default certificate replaces the generated one', async () => {
    const m = new TlsManager({ watch: false });
    m.update({ certificates: [], options: {}, stores: { default: { defaultCertificate: { certFile: a.cert, keyFile: a.key } } } });
    const other = new HttpEntryPoint(entryPointConfig(), { hostname: 'test', tls: m });
    other.setHandler(echo);
    const p = (await other.listen()).port;
    try {
      const h = await handshake(p, { servername: 'whatever.test' });
      assert.equal(h.peer?.subject?.CN, 'a.test');
    } finally {
      await other.close(0);
      m.close();
    }
  });

  it('minVersion from the default options refuses TLS 1.1 clients', async () => {
    assert.equal(DEFAULT_TLS_OPTIONS.minVersion, 'VersionTLS12');
    const h = await handshake(port, { servername: 'a.test', maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    assert.equal(h.ok, false);
  });
});
