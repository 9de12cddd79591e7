import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DynamicValidation, validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';

function check(yaml: string, source = 'dyn.yml'): DynamicValidation {
  const parsed = parseDynamicFile(source, yaml);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.diagnostic.message}`);
  return validateDynamic(parsed.raw, { source, locate: parsed.locate });
}

const y = (lines: string[]): string => lines.join('\n') + '\n';
const transport = (lines: string[]): string => y(['http:', '  serversTransports:', '    t:', ...lines.map((l) => `      ${l}`)]);

void describe('serversTransports: TLS options', () => {
  void it('defaults: no certificate, no cipher list, no version bounds, HTTP/2 allowed', () => {
    const t = check(transport(['insecureSkipVerify: false'])).config.http.serversTransports['t'];
    assert.deepEqual(
      { certificates: t?.certificates, cipherSuites: t?.cipherSuites, minVersion: t?.minVersion, maxVersion: t?.maxVersion, disableHTTP2: t?.disableHTTP2 },
      { certificates: [], cipherSuites: [], minVersion: undefined, maxVersion: undefined, disableHTTP2: false },
    );
  });

  void it('reads certificates, cipherSuites, minVersion, maxVersion, disableHTTP2', () => {
    const r = check(
      transport([
        'certificates:',
        '  - certFile: /certs/client.pem',
        '    keyFile: /certs/client.key',
        'cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]',
        'minVersion: VersionTLS12',
        'maxVersion: VersionTLS13',
        'disableHTTP2: true',
      ]),
    );
    assert.deepEqual(r.diagnostics, []);
    const t = r.config.http.serversTransports['t'];
    assert.deepEqual(t?.certificates, [{ certFile: '/certs/client.pem', keyFile: '/certs/client.key' }]);
    assert.deepEqual(t?.cipherSuites, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256']);
    assert.equal(t?.minVersion, 'VersionTLS12');
    assert.equal(t?.maxVersion, 'VersionTLS13');
    assert.equal(t?.disableHTTP2, true);
  });

  void it('forwardingTimeouts.readIdleTimeout and pingTimeout (HTTP/2 health pings) are read when given', () => {
    const r = check(transport(['forwardingTimeouts: {readIdleTimeout: 10s, pingTimeout: 2s}']));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.http.serversTransports['t']?.forwardingTimeouts, { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000, readIdleTimeout: 10_000, pingTimeout: 2_000 });
  });

  const bad = [
    { desc: 'unknown version', lines: ['minVersion: TLS1.2'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.serversTransports.t.minVersion', msg: /expected one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13/ },
    { desc: 'maxVersion below minVersion', lines: ['minVersion: VersionTLS13', 'maxVersion: VersionTLS12'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.serversTransports.t.maxVersion', msg: /lower than minVersion/ },
    { desc: 'unknown cipher suite', lines: ['cipherSuites: [TLS_NOPE]'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.serversTransports.t.cipherSuites[0]', msg: /unknown cipher suite "TLS_NOPE"/ },
    { desc: 'cipher suite in the wrong case', lines: ['cipherSuites: [tls_ecdhe_rsa_with_aes_128_gcm_sha256]'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.serversTransports.t.cipherSuites[0]', msg: /case-sensitive/ },
    { desc: 'certificate without keyFile', lines: ['certificates:', '  - certFile: /c.pem'], code: 'TPK_CFG_MISSING_KEY', path: 'http.serversTransports.t.certificates[0].keyFile', msg: /"keyFile" is required/ },
    { desc: 'certificate with an unknown key', lines: ['certificates:', '  - {certFile: /c.pem, keyFile: /k.pem, password: x}'], code: 'TPK_CFG_UNKNOWN_KEY', path: 'http.serversTransports.t.certificates[0].password', msg: /unknown key "password"/ },
    { desc: 'disableHTTP2 not a boolean', lines: ['disableHTTP2: sometimes'], code: 'TPK_CFG_INVALID_VALUE', path: 'http.serversTransports.t.disableHTTP2', msg: /./ },
    { desc: 'spiffe still unsupported', lines: ['spiffe: {ids: [x]}'], code: 'TPK_CFG_UNSUPPORTED', path: 'http.serversTransports.t.spiffe', msg: /does not support/ },
  ];
  for (const c of bad) {
    void it(`error: ${c.desc}`, () => {
      const r = check(transport(c.lines));
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.ok(d !== undefined, 'an error');
      assert.equal(d.code, c.code);
      assert.equal(d.path, c.path);
      assert.match(d.message, c.msg);
      assert.equal(r.config.http.serversTransports['t'], undefined, 'the transport is left out');
    });
  }
});
