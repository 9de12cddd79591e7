/** SNI selection in the store, options qualification, and Traefik's per-host options rules. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CertificateStore, type StoredCertificate } from '../../../src/tls/certificate-store.js';
import { qualifyOptionsName } from '../../../src/tls/router-tls.js';
import { buildHostMaps } from '../../../src/tls/tls-state.js';

function cert(...names: string[]): StoredCertificate {
  return { cert: '', key: '', names, leaf: undefined as never };
}

describe('CertificateStore.lookup', () => {
  const exact = cert('a.example.com');
  const wild = cert('*.example.com');
  const wild2 = cert('*.*.example.com');
  const first = cert('dup.test');
  const second = cert('dup.test', 'other.test');
  const store = new CertificateStore([exact, wild, wild2, first, second]);
  const cases: { desc: string; name: string; want: StoredCertificate | undefined }[] = [
    { desc: 'exact beats wildcard', name: 'a.example.com', want: exact },
    { desc: 'one-label wildcard', name: 'b.example.com', want: wild },
    { desc: 'two labels need *.*', name: 'x.y.example.com', want: wild2 },
    { desc: 'the bare domain is not covered by *.', name: 'example.com', want: undefined },
    { desc: 'first configured wins on duplicates', name: 'dup.test', want: first },
    { desc: 'unknown', name: 'nope.test', want: undefined },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(store.lookup(c.name), c.want));
});

describe('qualifyOptionsName', () => {
  const cases: { desc: string; options: string | undefined; router: string; want: string }[] = [
    { desc: 'none -> default', options: undefined, router: 'r@file', want: 'default' },
    { desc: 'default stays unqualified', options: 'default', router: 'r@file', want: 'default' },
    { desc: "router's provider added", options: 'mtls', router: 'r@docker', want: 'mtls@docker' },
    { desc: 'already qualified', options: 'mtls@file', router: 'r@docker', want: 'mtls@file' },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(qualifyOptionsName(c.options, c.router), c.want));
});

describe('buildHostMaps', () => {
  it('conflicts fall back to default with a warning per router; unknown options close the host', () => {
    const { sni, hosts, diagnostics } = buildHostMaps(
      new Map([
        [
          'web',
          [
            { router: 'a', options: 'x@file', hosts: ['a.test', 'both.test'], known: true },
            { router: 'b', options: 'y@file', hosts: ['both.test'], known: true },
            { router: 'c', options: 'nope@file', hosts: ['c.test'], known: false },
          ],
        ],
      ]),
    );
    const m = sni.get('web');
    assert.equal(m?.get('a.test'), 'x@file');
    assert.equal(m?.get('both.test'), 'default');
    assert.equal(m?.get('c.test'), null);
    assert.equal(hosts.get('web')?.get('both.test'), 'default');
    assert.deepEqual(diagnostics.map((d) => d.object).sort(), ['a', 'b']);
  });
});
