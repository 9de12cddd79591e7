import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestCerts, type TestCerts } from '../../e2e/upstream-h2-certs.js';
import type { ServersTransportConfig } from '../../../src/config/dynamic/types.js';
import { DEFAULT_TRANSPORT_DEFAULTS, createTransportResolver, resolveTransport } from '../../../src/proxy/transport.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function dyn(o: Partial<ServersTransportConfig> = {}): ServersTransportConfig {
  return {
    serverName: undefined,
    insecureSkipVerify: false,
    rootCAs: [],
    maxIdleConnsPerHost: 200,
    forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
    certificates: [],
    cipherSuites: [],
    minVersion: undefined,
    maxVersion: undefined,
    disableHTTP2: false,
    ...o,
  };
}

void describe('resolveTransport', () => {
  void it('static defaults', () => {
    const t = resolveTransport(DEFAULT_TRANSPORT_DEFAULTS);
    assert.equal(t.maxIdleConnsPerHost, 200);
    assert.equal(t.dialTimeout, 30_000);
    assert.equal(t.responseHeaderTimeout, 0);
    assert.equal(t.idleConnTimeout, 90_000);
    assert.equal(t.ca, undefined);
    assert.equal(t.serverName, undefined);
  });

  void it('same content, same id; any change, another id', () => {
    assert.equal(resolveTransport(dyn()).id, resolveTransport(dyn()).id);
    const ids = new Set([
      resolveTransport(dyn()).id,
      resolveTransport(dyn({ serverName: 'x' })).id,
      resolveTransport(dyn({ insecureSkipVerify: true })).id,
      resolveTransport(dyn({ rootCAs: [PEM] })).id,
      resolveTransport(dyn({ maxIdleConnsPerHost: 5 })).id,
      resolveTransport(dyn({ forwardingTimeouts: { dialTimeout: 1, responseHeaderTimeout: 0, idleConnTimeout: 90_000 } })).id,
    ]);
    assert.equal(ids.size, 6);
  });

  const idle = [
    { desc: '0 keeps none (the model normalised Traefik 0/unset to 2 already)', v: 0, want: 0 },
    { desc: 'negative keeps none', v: -1, want: 0 },
    { desc: 'explicit', v: 7, want: 7 },
  ];
  for (const c of idle) {
    void it(`maxIdleConnsPerHost: ${c.desc}`, () => assert.equal(resolveTransport(dyn({ maxIdleConnsPerHost: c.v })).maxIdleConnsPerHost, c.want));
  }

  void it('rootCAs: inline PEM and files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpk-transport-'));
    try {
      const file = join(dir, 'ca.pem');
      writeFileSync(file, PEM);
      const t = resolveTransport(dyn({ rootCAs: [PEM, file] }));
      assert.deepEqual(t.ca, [PEM, PEM]);
      assert.throws(() => resolveTransport(dyn({ rootCAs: [join(dir, 'missing.pem')] })), /cannot read/);
      writeFileSync(join(dir, 'junk.pem'), 'junk');
      assert.throws(() => resolveTransport(dyn({ rootCAs: [join(dir, 'junk.pem')] })), /holds no PEM/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void describe('TLS options', () => {
    let certs: TestCerts;
    before(() => {
      certs = makeTestCerts();
    });
    after(() => certs.remove());

    void it('every TLS option changes the id (pools differ when they differ)', () => {
      const pair = { certFile: certs.clientCertFile, keyFile: certs.clientKeyFile };
      const ids = new Set([
        resolveTransport(dyn()).id,
        resolveTransport(dyn({ certificates: [pair] })).id,
        resolveTransport(dyn({ cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] })).id,
        resolveTransport(dyn({ minVersion: 'VersionTLS13' })).id,
        resolveTransport(dyn({ maxVersion: 'VersionTLS12' })).id,
        resolveTransport(dyn({ disableHTTP2: true })).id,
        resolveTransport(dyn({ forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000, readIdleTimeout: 5_000 } })).id,
      ]);
      assert.equal(ids.size, 7);
      const pings = resolveTransport(dyn({ forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000, readIdleTimeout: 5_000 } }));
      assert.deepEqual([pings.readIdleTimeout, pings.pingTimeout], [5_000, 15_000]);
      assert.deepEqual([resolveTransport(dyn()).readIdleTimeout, resolveTransport(dyn()).pingTimeout], [0, 15_000]);
      assert.equal(resolveTransport(dyn({ certificates: [pair] })).id, resolveTransport(dyn({ certificates: [pair] })).id);
    });

    void it('maps versions and Go cipher names to OpenSSL (TLS 1.3 suites have no effect, as in Go)', () => {
      const t = resolveTransport(
        dyn({ minVersion: 'VersionTLS12', maxVersion: 'VersionTLS13', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'] }),
      );
      assert.equal(t.minVersion, 'TLSv1.2');
      assert.equal(t.maxVersion, 'TLSv1.3');
      assert.equal(t.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305');
      assert.equal(resolveTransport(dyn({ cipherSuites: ['TLS_AES_256_GCM_SHA384'] })).ciphers, undefined);
    });

    void it('client certificates: files and inline PEM are loaded', () => {
      const cert = readFileSync(certs.clientCertFile, 'utf8');
      const key = readFileSync(certs.clientKeyFile, 'utf8');
      const t = resolveTransport(dyn({ certificates: [{ certFile: certs.clientCertFile, keyFile: certs.clientKeyFile }, { certFile: cert, keyFile: key }] }));
      assert.deepEqual(t.certificates, [
        { cert, key },
        { cert, key },
      ]);
    });

    const refused = [
      { desc: 'missing certificate file', o: (): Partial<ServersTransportConfig> => ({ certificates: [{ certFile: join(certs.dir, 'nope.pem'), keyFile: certs.clientKeyFile }] }), want: /certificates certFile: cannot read/ },
      { desc: 'a key file that holds a certificate', o: (): Partial<ServersTransportConfig> => ({ certificates: [{ certFile: certs.clientCertFile, keyFile: certs.clientCertFile }] }), want: /keyFile: .* holds no PEM private key/ },
      { desc: 'a key that does not match its certificate', o: (): Partial<ServersTransportConfig> => ({ certificates: [{ certFile: certs.caFile, keyFile: certs.clientKeyFile }] }), want: /TLS settings refused/ },
      { desc: 'minVersion above maxVersion', o: (): Partial<ServersTransportConfig> => ({ minVersion: 'VersionTLS13', maxVersion: 'VersionTLS12' }), want: /TLS settings refused/ },
    ];
    for (const c of refused) {
      void it(`refused at build time: ${c.desc}`, () => assert.throws(() => resolveTransport(dyn(c.o())), c.want));
    }
  });

  void it('createTransportResolver resolves each configuration object once', () => {
    const resolve = createTransportResolver();
    const cfg = dyn();
    assert.equal(resolve(cfg), resolve(cfg));
    assert.notEqual(resolve(cfg), resolve(dyn()));
  });
});
