import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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

  void it('createTransportResolver resolves each configuration object once', () => {
    const resolve = createTransportResolver();
    const cfg = dyn();
    assert.equal(resolve(cfg), resolve(cfg));
    assert.notEqual(resolve(cfg), resolve(dyn()));
  });
});
