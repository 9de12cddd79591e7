/** TLS names shared by metric labels and access logs: Traefik's version strings and Go cipher names. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tlsVersionLabel } from '../../../src/observability/metrics/labels.js';
import { goCipherName, tlsVersionName } from '../../../src/observability/tls-names.js';

void describe('tls names', () => {
  const versions: { desc: string; node: string; want: string }[] = [
    { desc: 'TLS 1.0 is "1.0" (Go GetVersion), not "1"', node: 'TLSv1', want: '1.0' },
    { desc: 'TLS 1.1', node: 'TLSv1.1', want: '1.1' },
    { desc: 'TLS 1.2', node: 'TLSv1.2', want: '1.2' },
    { desc: 'TLS 1.3', node: 'TLSv1.3', want: '1.3' },
    { desc: 'anything else', node: 'SSLv3', want: 'unknown' },
    { desc: 'no prototype keys', node: 'constructor', want: 'unknown' },
  ];
  for (const c of versions) {
    void it(`version: ${c.desc}`, () => {
      assert.equal(tlsVersionName(c.node), c.want);
      assert.equal(tlsVersionLabel(c.node), c.want, 'the metrics label is the same');
    });
  }

  void it('cipher: OpenSSL names become Go names; TLS 1.3 names stay', () => {
    assert.equal(goCipherName('ECDHE-RSA-AES128-GCM-SHA256'), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    assert.equal(goCipherName('TLS_AES_256_GCM_SHA384'), 'TLS_AES_256_GCM_SHA384');
  });
});
