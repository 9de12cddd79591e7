/**
 * TLS options (issue 5 item 4): picked by SNI from the Host() names of TLS routers (Traefik's
 * rules: conflicts -> default, unknown options -> handshakes refused), client authentication with
 * all five clientAuthType values (Go's semantics; expired and untrusted certificates refused where
 * verification applies), sniStrict, versions, cipher suites, curves, ALPN, and the 421 answer to
 * domain fronting. Real node:tls clients.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientAuthType, TlsOptionsConfig } from '../../src/config/dynamic/types.js';
import { DEFAULT_TLS_OPTIONS } from '../../src/config/dynamic/schema/tls.js';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import type { TlsRouterUse } from '../../src/tls/router-tls.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { entryPointConfig } from './entrypoint-helpers.js';
import { CertDir, handshake, type CertFiles } from './tls-helpers.js';

function echo(ex: Exchange): void {
  const peer = ex.tls?.peerCertificates;
  ex.response.sendText(200, `peer=${peer?.length ?? 0} cn=${peer?.[0]?.subject.replace(/\n/g, ',') ?? ''}`);
}

function opts(o: Partial<Omit<TlsOptionsConfig, 'clientAuth'>> & { clientAuthType?: ClientAuthType; caFiles?: string[] } = {}): TlsOptionsConfig {
  const { clientAuthType, caFiles, ...rest } = o;
  return { ...DEFAULT_TLS_OPTIONS, ...rest, clientAuth: { caFiles: caFiles ?? [], clientAuthType: clientAuthType ?? 'NoClientCert' } };
}

function use(router: string, options: string, hosts: string[], known = true): TlsRouterUse {
  return { router, options, hosts, known };
}

describe('TLS options by SNI, client authentication', () => {
  const certs = new CertDir();
  let ca: CertFiles;
  let server: CertFiles;
  let good: CertFiles;
  let untrusted: CertFiles;
  let expired: CertFiles;
  let manager: TlsManager;
  let ep: HttpEntryPoint;
  let port: number;
  let diagnostics: { code: string; message: string; severity: string }[];

  before(async () => {
    ca = certs.ca();
    const names = ['a.test', 'strict.test', 'req.test', 'any.test', 'ifgiven.test', 'verify.test', 'tls13.test', 'tls12.test', 'alpn.test', 'curve.test', 'conflict.test', 'broken.test'];
    server = certs.leaf('server', { sans: names });
    good = certs.leaf('good-client', { ca });
    untrusted = certs.leaf('stranger');
    expired = certs.expiredClient('expired-client', ca);
    manager = new TlsManager({ watch: false });
    const ca1 = [ca.cert];
    diagnostics = manager.update(
      {
        certificates: [{ certFile: server.cert, keyFile: server.key }],
        options: {
          'strict@file': opts({ sniStrict: true }),
          'req@file': opts({ clientAuthType: 'RequestClientCert' }),
          'any@file': opts({ clientAuthType: 'RequireAnyClientCert' }),
          'ifgiven@file': opts({ clientAuthType: 'VerifyClientCertIfGiven', caFiles: ca1 }),
          'verify@file': opts({ clientAuthType: 'RequireAndVerifyClientCert', caFiles: ca1 }),
          'tls13@file': opts({ minVersion: 'VersionTLS13' }),
          'tls12@file': opts({ maxVersion: 'VersionTLS12', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }),
          'alpn@file': opts({ alpnProtocols: ['acme-tls/1'] }),
          'curve@file': opts({ curvePreferences: ['CurveP384'] }),
          'noca@file': opts({ clientAuthType: 'RequireAndVerifyClientCert' }),
        },
        stores: {},
      },
      new Map([
        [
          'web',
          [
            use('a@file', 'default', ['a.test']),
            use('strict@file', 'strict@file', ['strict.test']),
            use('req@file', 'req@file', ['req.test']),
            use('any@file', 'any@file', ['any.test']),
            use('ifgiven@file', 'ifgiven@file', ['ifgiven.test']),
            use('verify@file', 'verify@file', ['verify.test']),
            use('tls13@file', 'tls13@file', ['tls13.test']),
            use('tls12@file', 'tls12@file', ['tls12.test']),
            use('alpn@file', 'alpn@file', ['alpn.test']),
            use('curve@file', 'curve@file', ['curve.test']),
            use('c1@file', 'verify@file', ['conflict.test']),
            use('c2@file', 'any@file', ['conflict.test']),
            use('broken@file', 'nope@file', ['broken.test'], false),
            use('nohost@file', 'verify@file', []),
          ],
        ],
      ]),
    );
    ep = new HttpEntryPoint(entryPointConfig(), { hostname: 'test', tls: manager });
    ep.setHandler(echo);
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(0);
    manager.close();
    certs.remove();
  });

  it('reports options that cannot work and routers sharing a host with different options', () => {
    const codes = diagnostics.map((d) => `${d.code} ${d.severity}`);
    assert.ok(codes.includes('TPK_CFG_TLS_OPTIONS error'), JSON.stringify(diagnostics));
    assert.ok(diagnostics.some((d) => /CAFiles is required/.test(d.message)));
    assert.equal(diagnostics.filter((d) => d.code === 'TPK_CFG_TLS_OPTIONS_CONFLICT').length, 2);
  });

  const key = (f: CertFiles | undefined): { cert?: string; key?: string } => (f === undefined ? {} : { cert: certs.read(f.cert), key: certs.read(f.key) });
  const cases: { desc: string; sni: string | undefined; client?: 'good' | 'untrusted' | 'expired'; ok: boolean; peer?: number }[] = [
    { desc: 'default options: no client certificate asked', sni: 'a.test', ok: true, peer: 0 },
    { desc: 'sniStrict: a known name', sni: 'strict.test', ok: true },
    { desc: 'RequestClientCert: none sent', sni: 'req.test', ok: true, peer: 0 },
    { desc: 'RequestClientCert: an untrusted one is accepted', sni: 'req.test', client: 'untrusted', ok: true, peer: 1 },
    { desc: 'RequireAnyClientCert: none sent -> refused', sni: 'any.test', ok: false },
    { desc: 'RequireAnyClientCert: an untrusted one is accepted', sni: 'any.test', client: 'untrusted', ok: true, peer: 1 },
    { desc: 'VerifyClientCertIfGiven: none sent', sni: 'ifgiven.test', ok: true, peer: 0 },
    { desc: 'VerifyClientCertIfGiven: a trusted one', sni: 'ifgiven.test', client: 'good', ok: true, peer: 1 },
    { desc: 'VerifyClientCertIfGiven: an untrusted one -> refused', sni: 'ifgiven.test', client: 'untrusted', ok: false },
    { desc: 'VerifyClientCertIfGiven: an expired one -> refused', sni: 'ifgiven.test', client: 'expired', ok: false },
    { desc: 'RequireAndVerifyClientCert: none sent -> refused', sni: 'verify.test', ok: false },
    { desc: 'RequireAndVerifyClientCert: a trusted one', sni: 'verify.test', client: 'good', ok: true, peer: 1 },
    { desc: 'RequireAndVerifyClientCert: an untrusted one -> refused', sni: 'verify.test', client: 'untrusted', ok: false },
    { desc: 'RequireAndVerifyClientCert: an expired one -> refused', sni: 'verify.test', client: 'expired', ok: false },
    { desc: 'a host claimed with two options gets default (no client certificate)', sni: 'conflict.test', ok: true, peer: 0 },
    { desc: 'a host whose router names unknown options is refused', sni: 'broken.test', ok: false },
    { desc: 'a router without Host() does not change the options of other names', sni: 'other.test', ok: true, peer: 0 },
  ];
  for (const c of cases) {
    it(c.desc, async () => {
      const client = c.client === 'good' ? good : c.client === 'untrusted' ? untrusted : c.client === 'expired' ? expired : undefined;
      const h = await handshake(port, { ...(c.sni !== undefined ? { servername: c.sni } : {}), ...key(client), waitClose: true });
      assert.equal(h.ok, c.ok, `${h.error ?? ''} ${h.response ?? ''}`);
      if (c.peer !== undefined) assert.match(h.response ?? '', new RegExp(`peer=${c.peer}`));
    });
  }

  it('the client certificate reaches ex.tls.peerCertificates', async () => {
    const h = await handshake(port, { servername: 'verify.test', ...key(good), waitClose: true });
    assert.match(h.response ?? '', /cn=CN=good-client/);
  });

  it('versions and cipher suites: minVersion TLS 1.3, maxVersion TLS 1.2 with a chosen suite', async () => {
    assert.equal((await handshake(port, { servername: 'tls13.test', maxVersion: 'TLSv1.2' })).ok, false);
    assert.equal((await handshake(port, { servername: 'tls13.test' })).protocol, 'TLSv1.3');
    const h = await handshake(port, { servername: 'tls12.test', keep: true });
    assert.equal(h.protocol, 'TLSv1.2');
    assert.equal(h.socket?.getCipher().name, 'ECDHE-RSA-AES128-GCM-SHA256');
    h.socket?.destroy();
  });

  it('curvePreferences limit the key exchange groups', async () => {
    assert.equal((await handshake(port, { servername: 'curve.test', ecdhCurve: 'X25519' })).ok, false);
    assert.equal((await handshake(port, { servername: 'curve.test', ecdhCurve: 'P-384' })).ok, true);
  });

  it('ALPN: only protocols both configured and served are offered', async () => {
    assert.equal((await handshake(port, { servername: 'a.test', ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'h2');
    assert.equal((await handshake(port, { servername: 'alpn.test', ALPNProtocols: ['http/1.1'] })).alpn, false);
  });

  it('sniStrict refuses an unknown name and a missing one', async () => {
    const m = new TlsManager({ watch: false });
    m.update({ certificates: [{ certFile: server.cert, keyFile: server.key }], options: { default: opts({ sniStrict: true }) }, stores: {} });
    const strict = new HttpEntryPoint(entryPointConfig(), { hostname: 'test', tls: m });
    strict.setHandler(echo);
    const p = (await strict.listen()).port;
    try {
      assert.equal((await handshake(p, { servername: 'a.test' })).ok, true);
      assert.equal((await handshake(p, { servername: 'unknown.test' })).ok, false);
      assert.equal((await handshake(p, {})).ok, false);
    } finally {
      await strict.close(0);
      m.close();
    }
  });

  it('domain fronting: a Host whose options differ from the SNI\'s gets 421', async () => {
    const h = await handshake(port, { servername: 'a.test', httpHost: 'req.test', waitClose: true });
    assert.match(h.response ?? '', /^HTTP\/1\.1 421 /);
    const same = await handshake(port, { servername: 'a.test', httpHost: 'other.test', waitClose: true });
    assert.match(same.response ?? '', /^HTTP\/1\.1 200 /);
  });
});
