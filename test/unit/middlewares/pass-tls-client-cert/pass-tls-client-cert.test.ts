/**
 * passTLSClientCert against real certificates made by openssl (certs.ts): Traefik's documented
 * PEM and info examples as table tests (same subjects, serials, dates and SANs, so the expected
 * strings are Traefik's), the headers removed when the request has no client certificate, and
 * the Go formatting rules the header depends on (url.QueryEscape, net.IP String, uint64 dates).
 */
import assert from 'node:assert/strict';
import type { X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import type { PassTlsClientCertDnOptions, PassTlsClientCertInfoOptions, PassTlsClientCertOptions } from '../../../../src/config/dynamic/schema/middlewares/pass-tls-client-cert.js';
import type { Exchange, Handler } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { goQueryEscape } from '../../../../src/middlewares/pass-tls-client-cert/cert-headers.js';
import { passTLSClientCert } from '../../../../src/middlewares/pass-tls-client-cert/pass-tls-client-cert.js';
import { goIpString, readCertFields } from '../../../../src/middlewares/pass-tls-client-cert/x509-fields.js';
import { type TestCerts, makeTestCerts } from './certs.js';

const CERT = 'x-forwarded-tls-client-cert';
const INFO = 'x-forwarded-tls-client-cert-info';

const NO_DN: PassTlsClientCertDnOptions = {
  country: false,
  province: false,
  locality: false,
  organization: false,
  organizationalUnit: false,
  commonName: false,
  serialNumber: false,
  domainComponent: false,
};
const ALL_SUBJECT: PassTlsClientCertDnOptions = {
  country: true,
  province: true,
  locality: true,
  organization: true,
  organizationalUnit: true,
  commonName: true,
  serialNumber: true,
  domainComponent: true,
};
const ALL_ISSUER: PassTlsClientCertDnOptions = { ...ALL_SUBJECT, organizationalUnit: false };
const NO_INFO: PassTlsClientCertInfoOptions = { notAfter: false, notBefore: false, sans: false, serialNumber: false, subject: undefined, issuer: undefined };
const ALL_INFO: PassTlsClientCertInfoOptions = { notAfter: true, notBefore: true, sans: true, serialNumber: true, subject: ALL_SUBJECT, issuer: ALL_ISSUER };

/** Go url.QueryUnescape for the comparisons Traefik's own tests make. */
function queryUnescape(s: string): string {
  return decodeURIComponent(s.replaceAll('+', ' '));
}

/** Traefik's getCleanCertContents: the PEM body without delimiters and newlines. */
function cleanPem(pem: string): string {
  return pem.replace('-----BEGIN CERTIFICATE-----', '').replace('-----END CERTIFICATE-----', '').replaceAll('\n', '');
}

function exchange(chain: X509Certificate[] | undefined, headers: string[] = []): Exchange {
  const tls = chain === undefined ? null : { servername: undefined, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: undefined, peerCertificates: chain };
  return { method: 'GET', path: '/foo', headers: new HeaderList(headers), tls } as unknown as Exchange;
}

/** Runs the middleware and returns the request headers the next handler saw. */
async function run(options: PassTlsClientCertOptions, ex: Exchange): Promise<HeaderList> {
  let seen: HeaderList | undefined;
  const next: Handler = (e) => {
    seen = e.headers;
  };
  const handler = passTLSClientCert.create(options, { name: 'm@file', middleware: () => assert.fail(), service: () => assert.fail() })(next);
  await handler(ex);
  assert.ok(seen !== undefined, 'the next handler ran');
  return seen;
}

let certs: TestCerts;
before(async () => {
  certs = await makeTestCerts();
});
after(async () => {
  await rm(certs.dir, { recursive: true, force: true });
});

// Traefik's pass_tls_client_cert_test.go expectations for the same certificates.
const MINIMAL_ALL_INFO = [
  'Subject="C=FR,ST=Some-State,O=Cheese"',
  'Issuer="DC=org,DC=cheese,C=FR,C=US,ST=Signing State,ST=Signing State 2,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,CN=Simple Signing CA 2"',
  'SerialNumber="481535886039632329873080491016862977516759989652"',
  'NB="1544094636"',
  'NA="1632568236"',
].join(';');
const COMPLETE_ALL_INFO = [
  'Subject="DC=org,DC=cheese,C=FR,C=US,ST=Cheese org state,ST=Cheese com state,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,OU=Simple Signing Section,OU=Simple Signing Section 2,CN=*.cheese.com"',
  'Issuer="DC=org,DC=cheese,C=FR,C=US,ST=Signing State,ST=Signing State 2,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,CN=Simple Signing CA 2"',
  'SerialNumber="1"',
  'NB="1544094616"',
  'NA="1607166616"',
  'SAN="*.cheese.org,*.cheese.net,*.cheese.com,test@cheese.org,test@cheese.net,10.0.1.0,10.0.1.2"',
].join(';');

void describe('passTLSClientCert pem (Traefik TestPassTLSClientCert_PEM)', () => {
  const cases: { desc: string; chain?: (c: TestCerts) => X509Certificate[]; pem: boolean; want?: (c: TestCerts) => string }[] = [
    { desc: 'no TLS, no option', pem: false },
    { desc: 'TLS, no option', chain: (c) => [c.minimal], pem: false },
    { desc: 'no TLS, pem true', pem: true },
    { desc: 'TLS with a simple certificate, pem true', chain: (c) => [c.minimal], pem: true, want: (c) => cleanPem(c.pem.minimal) },
    { desc: 'TLS with a complete certificate, pem true', chain: (c) => [c.complete], pem: true, want: (c) => cleanPem(c.pem.complete) },
    {
      desc: 'TLS with two certificates: joined with a comma, leaf first',
      chain: (c) => [c.minimal, c.complete],
      pem: true,
      want: (c) => `${cleanPem(c.pem.minimal)},${cleanPem(c.pem.complete)}`,
    },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      const headers = await run({ pem: c.pem, info: undefined }, exchange(c.chain?.(certs)));
      assert.equal(headers.get(CERT), c.want?.(certs));
      assert.equal(headers.get(INFO), undefined);
    });
  }

  void it('is the base64 of the DER, not URL-escaped (Traefik >= 2.9.4)', async () => {
    const headers = await run({ pem: true, info: undefined }, exchange([certs.complete]));
    const value = headers.get(CERT) ?? '';
    assert.equal(value, certs.complete.raw.toString('base64'));
    assert.match(value, /^[A-Za-z0-9+/=]+$/);
  });
});

void describe('passTLSClientCert info (Traefik TestPassTLSClientCert_certInfo)', () => {
  const some: PassTlsClientCertInfoOptions = { ...NO_INFO, notAfter: true, sans: true, subject: { ...NO_DN, organization: true }, issuer: { ...NO_DN, country: true } };
  const cases: { desc: string; chain?: (c: TestCerts) => X509Certificate[]; info: PassTlsClientCertInfoOptions | undefined; want?: string }[] = [
    { desc: 'no TLS, no option', info: undefined },
    { desc: 'TLS, no option', chain: (c) => [c.minimal], info: undefined },
    { desc: 'no TLS, with subject info', info: { ...NO_INFO, subject: ALL_SUBJECT } },
    { desc: 'no TLS, with an empty subject info', info: { ...NO_INFO, subject: NO_DN } },
    { desc: 'TLS with a simple certificate, with all info', chain: (c) => [c.minimal], info: ALL_INFO, want: MINIMAL_ALL_INFO },
    { desc: 'TLS with a simple certificate, with some info', chain: (c) => [c.minimal], info: some, want: 'Subject="O=Cheese";Issuer="C=FR,C=US";NA="1632568236"' },
    {
      desc: 'TLS with a simple certificate, requesting an OU it does not have',
      chain: (c) => [c.minimal],
      info: { ...some, subject: { ...NO_DN, organization: true, organizationalUnit: true } },
      want: 'Subject="O=Cheese";Issuer="C=FR,C=US";NA="1632568236"',
    },
    { desc: 'TLS with a complete certificate, with all info', chain: (c) => [c.complete], info: ALL_INFO, want: COMPLETE_ALL_INFO },
    { desc: 'TLS with two certificates, with all info', chain: (c) => [c.minimal, c.complete], info: ALL_INFO, want: `${MINIMAL_ALL_INFO},${COMPLETE_ALL_INFO}` },
    { desc: 'info with nothing selected still sets the header (empty per certificate)', chain: (c) => [c.minimal, c.complete], info: NO_INFO, want: ',' },
    { desc: 'empty subject and issuer sections add nothing', chain: (c) => [c.complete], info: { ...NO_INFO, subject: NO_DN, issuer: NO_DN, notBefore: true }, want: 'NB="1544094616"' },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      const headers = await run({ pem: false, info: c.info }, exchange(c.chain?.(certs)));
      const value = headers.get(INFO);
      if (c.want === undefined) assert.equal(value, undefined);
      else {
        assert.ok(value !== undefined, 'header set');
        assert.equal(queryUnescape(value), c.want);
        assert.equal(value, goQueryEscape(c.want));
      }
      assert.equal(headers.get(CERT), undefined);
    });
  }

  void it('is escaped byte for byte as Go url.QueryEscape', async () => {
    const headers = await run({ pem: false, info: some }, exchange([certs.minimal]));
    assert.equal(headers.get(INFO), 'Subject%3D%22O%3DCheese%22%3BIssuer%3D%22C%3DFR%2CC%3DUS%22%3BNA%3D%221632568236%22');
  });

  void it('pem and info together', async () => {
    const headers = await run({ pem: true, info: ALL_INFO }, exchange([certs.complete]));
    assert.equal(headers.get(CERT), cleanPem(certs.pem.complete));
    assert.equal(queryUnescape(headers.get(INFO) ?? ''), COMPLETE_ALL_INFO);
  });

  void it('URI and IPv6 SANs, a multi-valued RDN, a subject serialNumber, UTF-8, dates before 1970 and after 2049', async () => {
    const headers = await run({ pem: false, info: ALL_INFO }, exchange([certs.extra]));
    const notBefore = (1n << 64n) + BigInt(Date.UTC(1969, 0, 1) / 1000); // Traefik prints uint64(t.Unix())
    const notAfter = BigInt(Date.UTC(2051, 0, 1) / 1000);
    const want = [
      'Subject="DC=example,L=Zürich,O=Käse & Co; "quoted",OU=Multi RDN,SN=SN-0042,CN=last"',
      'Issuer="DC=org,DC=cheese,C=FR,C=US,ST=Signing State,ST=Signing State 2,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,CN=Simple Signing CA 2"',
      'SerialNumber="255"',
      `NB="${notBefore}"`,
      `NA="${notAfter}"`,
      'SAN="api.cheese.org,ops@cheese.org,2001:db8::1:0:0:1,10.0.0.7,spiffe://cheese.org/ns/prod/sa/web,https://cheese.org/a?b=c"',
    ].join(';');
    assert.equal(queryUnescape(headers.get(INFO) ?? ''), want);
    assert.match(headers.get(INFO) ?? '', /L%3DZ%C3%BCrich%2CO%3DK%C3%A4se\+%26\+Co%3B\+%22quoted%22/);
  });
});

void describe('passTLSClientCert without a client certificate', () => {
  const forged = [CERT, 'forged', INFO, 'Subject%3D%22CN%3Dadmin%22', 'X-Other', 'kept'];
  const cases: { desc: string; options: PassTlsClientCertOptions; tls: boolean; cert?: string; info?: string }[] = [
    { desc: 'pem: a forged X-Forwarded-Tls-Client-Cert is removed (plain HTTP)', options: { pem: true, info: undefined }, tls: false, info: 'Subject%3D%22CN%3Dadmin%22' },
    { desc: 'pem: removed on TLS without a client certificate', options: { pem: true, info: undefined }, tls: true, info: 'Subject%3D%22CN%3Dadmin%22' },
    { desc: 'info: a forged X-Forwarded-Tls-Client-Cert-Info is removed', options: { pem: false, info: ALL_INFO }, tls: true, cert: 'forged' },
    { desc: 'both removed', options: { pem: true, info: ALL_INFO }, tls: false },
    { desc: 'no option: nothing touched (the middleware does nothing)', options: { pem: false, info: undefined }, tls: false, cert: 'forged', info: 'Subject%3D%22CN%3Dadmin%22' },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      const headers = await run(c.options, exchange(c.tls ? [] : undefined, [...forged]));
      assert.equal(headers.get(CERT), c.cert);
      assert.equal(headers.get(INFO), c.info);
      assert.equal(headers.get('x-other'), 'kept');
    });
  }

  void it('a forged value is replaced (not appended to) when a certificate is present', async () => {
    const headers = await run({ pem: true, info: ALL_INFO }, exchange([certs.minimal], [...forged]));
    assert.deepEqual(headers.getAll(CERT), [cleanPem(certs.pem.minimal)]);
    assert.deepEqual(headers.getAll(INFO).map(queryUnescape), [MINIMAL_ALL_INFO]);
  });

  void it('no option: the factory returns the next handler itself', () => {
    const next: Handler = () => undefined;
    const ctx = { name: 'm@file', middleware: () => assert.fail(), service: () => assert.fail() };
    assert.equal(passTLSClientCert.create({ pem: false, info: undefined }, ctx)(next), next);
  });
});

void describe('Go formatting helpers', () => {
  void it('url.QueryEscape', () => {
    const cases: { desc: string; input: string; want: string }[] = [
      { desc: 'unreserved kept, space as +', input: 'a b-c_d.e~f', want: 'a+b-c_d.e~f' },
      { desc: 'reserved escaped in upper-case hex', input: `+/=;,"*'()!@`, want: '%2B%2F%3D%3B%2C%22%2A%27%28%29%21%40' },
      { desc: 'UTF-8 bytes', input: 'Zürich', want: 'Z%C3%BCrich' },
    ];
    for (const c of cases) assert.equal(goQueryEscape(c.input), c.want, c.desc);
  });

  void it('net.IP String', () => {
    const v6 = (hex: string): Uint8Array => Buffer.from(hex, 'hex');
    const cases: { desc: string; input: Uint8Array; want: string }[] = [
      { desc: 'IPv4', input: Uint8Array.of(10, 0, 1, 2), want: '10.0.1.2' },
      { desc: 'IPv4-mapped IPv6 prints as IPv4', input: v6('00000000000000000000ffff0a000007'), want: '10.0.0.7' },
      { desc: 'longest zero run compressed', input: v6('20010db8000000000000000000000001'), want: '2001:db8::1' },
      { desc: 'first of two equal runs', input: v6('20010db8000000000001000000000001'), want: '2001:db8::1:0:0:1' },
      { desc: 'a single zero group is not compressed', input: v6('20010db8000000010001000100010001'), want: '2001:db8:0:1:1:1:1:1' },
      { desc: 'all zero', input: new Uint8Array(16), want: '::' },
      { desc: 'loopback', input: v6('00000000000000000000000000000001'), want: '::1' },
    ];
    for (const c of cases) assert.equal(goIpString(c.input), c.want, c.desc);
  });

  void it('reads the serial number as a signed decimal and the dates as Unix seconds', () => {
    const f = readCertFields(certs.minimal.raw);
    assert.equal(f.serialNumber, '481535886039632329873080491016862977516759989652');
    assert.equal(f.notBefore, BigInt(Date.parse(certs.minimal.validFrom) / 1000));
    assert.equal(f.notAfter, BigInt(Date.parse(certs.minimal.validTo) / 1000));
    assert.throws(() => readCertFields(Buffer.from([0x30, 0x05, 0x02])), /DER|expected/);
  });
});

void describe('readCertFields on damaged input', () => {
  void it('truncated or corrupted DER returns fields or throws an Error, never hangs or crashes otherwise', () => {
    const der = certs.complete.raw;
    fc.assert(
      fc.property(fc.nat(der.length), fc.array(fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (cut, flips) => {
        const bytes = Buffer.from(der.subarray(0, cut));
        for (const [at, v] of flips) if (at < bytes.length) bytes[at] = v;
        try {
          readCertFields(bytes);
        } catch (err) {
          assert.ok(err instanceof Error);
        }
      }),
      { numRuns: 500 },
    );
  });
});
