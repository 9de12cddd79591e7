import assert from 'node:assert/strict';
import { getCiphers } from 'node:tls';
import { describe, it } from 'node:test';
import { DYNAMIC_CODES } from '../../../../src/config/dynamic/codes.js';
import { DEFAULT_TLS_OPTIONS, GO_CIPHER_SUITES, GO_CURVES, TLS_VERSIONS } from '../../../../src/config/dynamic/schema/tls.js';
import { type DynamicValidation, validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { parseDynamicFile } from '../../../../src/providers/file/parse.js';

function check(text: string, source = 'dyn.yml'): DynamicValidation {
  const parsed = parseDynamicFile(source, text);
  if (!parsed.ok) throw new Error(`test file does not parse: ${parsed.diagnostic.message}`);
  return validateDynamic(parsed.raw, { source, locate: parsed.locate });
}

const y = (lines: string[]): string => lines.join('\n') + '\n';
const errors = (r: DynamicValidation): string[] => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path ?? ''}`);

void describe('tls section: accepted shapes', () => {
  void it('reads certificates, options with defaults and the default store', () => {
    const r = check(
      y([
        'tls:',
        '  certificates:',
        '    - certFile: /certs/a.crt',
        '      keyFile: /certs/a.key',
        '    - certFile: |',
        '        -----BEGIN CERTIFICATE-----',
        '        MIIB',
        '        -----END CERTIFICATE-----',
        '      keyFile: /certs/b.key',
        '      stores: [default]',
        '  options:',
        '    default:',
        '      minVersion: VersionTLS12',
        '    strict:',
        '      minVersion: VersionTLS13',
        '      sniStrict: true',
        '  stores:',
        '    default:',
        '      defaultCertificate:',
        '        certFile: /certs/d.crt',
        '        keyFile: /certs/d.key',
      ]),
    );
    assert.deepEqual(r.diagnostics, []);
    const tls = r.config.tls;
    assert.ok(tls);
    assert.equal(tls.certificates.length, 2);
    assert.deepEqual(tls.certificates[0], { certFile: '/certs/a.crt', keyFile: '/certs/a.key' });
    assert.match(tls.certificates[1]?.certFile ?? '', /^-----BEGIN CERTIFICATE-----\nMIIB/);
    assert.deepEqual(tls.options['default'], DEFAULT_TLS_OPTIONS);
    assert.deepEqual(tls.options['strict'], { ...DEFAULT_TLS_OPTIONS, minVersion: 'VersionTLS13', sniStrict: true });
    assert.deepEqual(tls.stores['default'], { defaultCertificate: { certFile: '/certs/d.crt', keyFile: '/certs/d.key' } });
    assert.ok(Object.isFrozen(tls.options['strict']));
    assert.deepEqual(
      [...r.origins].filter(([k]) => k.startsWith('tls.')),
      [
        ['tls.certificates[0]', { source: 'dyn.yml', line: 3 }],
        ['tls.certificates[1]', { source: 'dyn.yml', line: 5 }],
        ['tls.options.default', { source: 'dyn.yml', line: 12 }],
        ['tls.options.strict', { source: 'dyn.yml', line: 14 }],
        ['tls.stores.default', { source: 'dyn.yml', line: 18 }],
      ],
    );
  });

  void it('reads every option field', () => {
    const r = check(
      y([
        'tls:',
        '  options:',
        '    full:',
        '      minVersion: VersionTLS10',
        '      maxVersion: VersionTLS12',
        '      cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]',
        '      curvePreferences: [CurveP521, secp384r1, X25519]',
        '      clientAuth:',
        '        caFiles: [/ca/a.pem, /ca/b.pem]',
        '        clientAuthType: VerifyClientCertIfGiven',
        '      sniStrict: "true"',
        '      alpnProtocols: [http/1.1]',
        '      disableSessionTickets: true',
      ]),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.tls?.options['full'], {
      minVersion: 'VersionTLS10',
      maxVersion: 'VersionTLS12',
      cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256'],
      curvePreferences: ['CurveP521', 'secp384r1', 'X25519'],
      clientAuth: { caFiles: ['/ca/a.pem', '/ca/b.pem'], clientAuthType: 'VerifyClientCertIfGiven' },
      sniStrict: true,
      alpnProtocols: ['http/1.1'],
      disableSessionTickets: true,
    });
  });

  const cases: { desc: string; options: string[]; expect: Partial<typeof DEFAULT_TLS_OPTIONS> }[] = [
    { desc: 'caFiles without a type means RequireAndVerifyClientCert (Traefik)', options: ['clientAuth: {caFiles: [/ca.pem]}'], expect: { clientAuth: { caFiles: ['/ca.pem'], clientAuthType: 'RequireAndVerifyClientCert' } } },
    { desc: 'RequireAnyClientCert needs no CA', options: ['clientAuth: {clientAuthType: RequireAnyClientCert}'], expect: { clientAuth: { caFiles: [], clientAuthType: 'RequireAnyClientCert' } } },
    { desc: 'an empty options object is all defaults', options: ['{}'], expect: {} },
    { desc: 'an empty alpn list is kept (no ALPN)', options: ['alpnProtocols: []'], expect: { alpnProtocols: [] } },
    { desc: 'keys are case-insensitive', options: ['MINVERSION: VersionTLS13'], expect: { minVersion: 'VersionTLS13' } },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(y(['tls:', '  options:', '    o:', ...c.options.map((l) => (l === '{}' ? '      {}' : `      ${l}`))]).replace('    o:\n      {}', '    o: {}'));
      assert.deepEqual(errors(r), []);
      assert.deepEqual(r.config.tls?.options['o'], { ...DEFAULT_TLS_OPTIONS, ...c.expect });
    });
  }

  void it('preferServerCipherSuites is ignored with a warning; TLS_FALLBACK_SCSV is dropped with one', () => {
    const r = check(y(['tls:', '  options:', '    o:', '      preferServerCipherSuites: true', '      cipherSuites: [TLS_FALLBACK_SCSV, TLS_RSA_WITH_AES_128_CBC_SHA]']));
    assert.deepEqual(errors(r), []);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.code, d.path]),
      [
        ['warning', DYNAMIC_CODES.DEPRECATED, 'tls.options.o.preferServerCipherSuites'],
        ['warning', DYNAMIC_CODES.UNSUPPORTED, 'tls.options.o.cipherSuites[0]'],
      ],
    );
    assert.deepEqual(r.config.tls?.options['o']?.cipherSuites, ['TLS_RSA_WITH_AES_128_CBC_SHA']);
  });

  void it('a certificate naming another store is kept, with a warning', () => {
    const r = check(y(['tls:', '  certificates:', '    - {certFile: a.crt, keyFile: a.key, stores: [default, other]}']));
    assert.deepEqual(errors(r), []);
    assert.equal(r.diagnostics[0]?.code, DYNAMIC_CODES.UNSUPPORTED);
    assert.match(r.diagnostics[0]?.message ?? '', /"other" ignored/);
    assert.equal(r.config.tls?.certificates.length, 1);
    const only = check(y(['tls:', '  certificates:', '    - {certFile: a.crt, keyFile: a.key, stores: [other]}']));
    assert.match(only.diagnostics[0]?.message ?? '', /Traefik would put it only in the stores named/);
    assert.equal(only.config.tls?.certificates.length, 1);
  });

  void it('a store other than default is read but ignored, with a warning', () => {
    const r = check(y(['tls:', '  stores:', '    other: {}']));
    assert.deepEqual(errors(r), []);
    assert.deepEqual(r.config.tls?.stores['other'], { defaultCertificate: undefined });
    assert.match(r.diagnostics[0]?.message ?? '', /only the "default" TLS store is used/);
  });

  void it('TOML reads the same', () => {
    const r = check(
      ['[[tls.certificates]]', 'certFile = "a.crt"', 'keyFile = "a.key"', '[tls.options.modern]', 'minVersion = "VersionTLS13"', '[tls.stores.default.defaultCertificate]', 'certFile = "d.crt"', 'keyFile = "d.key"', ''].join('\n'),
      'dyn.toml',
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config.tls?.certificates, [{ certFile: 'a.crt', keyFile: 'a.key' }]);
    assert.equal(r.config.tls?.options['modern']?.minVersion, 'VersionTLS13');
    assert.equal(r.origins.get('tls.options.modern')?.line, 4);
  });

  void it('a document without tls has no tls in its config; an empty tls section is empty', () => {
    assert.equal(check(y(['http: {}'])).config.tls, undefined);
    assert.deepEqual(check(y(['tls:'])).config.tls, { certificates: [], options: {}, stores: {} });
  });
});

void describe('tls section: errors isolate one object', () => {
  const cases: { desc: string; lines: string[]; errors: string[]; options?: string[]; certificates?: number; stores?: string[] }[] = [
    {
      desc: 'a bad minVersion leaves that option out, the other applies',
      lines: ['  options:', '    bad: {minVersion: TLS12}', '    good: {sniStrict: true}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.options.bad.minVersion`],
      options: ['good'],
    },
    {
      desc: 'maxVersion below minVersion',
      lines: ['  options:', '    o: {minVersion: VersionTLS13, maxVersion: VersionTLS12}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.options.o.maxVersion`],
      options: [],
    },
    {
      desc: 'an unknown cipher suite (OpenSSL spelling)',
      lines: ['  options:', '    o: {cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.options.o.cipherSuites[0]`],
      options: [],
    },
    {
      desc: 'an unknown curve and a post-quantum one',
      lines: ['  options:', '    o: {curvePreferences: [P-256, X25519MLKEM768]}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.options.o.curvePreferences[0]`, `${DYNAMIC_CODES.UNSUPPORTED} tls.options.o.curvePreferences[1]`],
      options: [],
    },
    {
      desc: 'an unknown clientAuthType',
      lines: ['  options:', '    o: {clientAuth: {clientAuthType: RequireCert}}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.options.o.clientAuth.clientAuthType`],
      options: [],
    },
    {
      desc: 'a verifying clientAuthType without caFiles',
      lines: ['  options:', '    o: {clientAuth: {clientAuthType: RequireAndVerifyClientCert}}'],
      errors: [`${DYNAMIC_CODES.MISSING_KEY} tls.options.o.clientAuth.clientAuthType`],
      options: [],
    },
    {
      desc: 'an unknown key, with a suggestion',
      lines: ['  options:', '    o: {sniStric: true}'],
      errors: [`${DYNAMIC_CODES.UNKNOWN_KEY} tls.options.o.sniStric`],
      options: [],
    },
    {
      desc: 'a name with @',
      lines: ['  options:', '    o@file: {}'],
      errors: [`${DYNAMIC_CODES.INVALID_NAME} tls.options.o@file`],
      options: [],
    },
    {
      desc: 'a certificate without keyFile is left out alone',
      lines: ['  certificates:', '    - {certFile: a.crt}', '    - {certFile: b.crt, keyFile: b.key}'],
      errors: [`${DYNAMIC_CODES.MISSING_KEY} tls.certificates[0].keyFile`],
      certificates: 1,
    },
    {
      desc: 'a certificate with an empty certFile',
      lines: ['  certificates:', '    - {certFile: "", keyFile: a.key}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.certificates[0].certFile`],
      certificates: 0,
    },
    {
      desc: 'defaultGeneratedCert is not supported (ACME comes later)',
      lines: ['  stores:', '    default:', '      defaultGeneratedCert: {resolver: le, domain: {main: a.test}}'],
      errors: [`${DYNAMIC_CODES.UNSUPPORTED} tls.stores.default.defaultGeneratedCert`],
      stores: [],
    },
    {
      desc: 'a defaultCertificate without certFile',
      lines: ['  stores:', '    default:', '      defaultCertificate: {keyFile: d.key}'],
      errors: [`${DYNAMIC_CODES.MISSING_KEY} tls.stores.default.defaultCertificate.certFile`],
      stores: [],
    },
    {
      desc: 'certificates that are not a list',
      lines: ['  certificates: {certFile: a.crt, keyFile: a.key}'],
      errors: [`${DYNAMIC_CODES.INVALID_VALUE} tls.certificates`],
      certificates: 0,
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = check(y(['tls:', ...c.lines]));
      assert.deepEqual(errors(r), c.errors);
      for (const d of r.diagnostics) assert.equal(typeof d.line, 'number', `${d.path} has a line`);
      if (c.options !== undefined) assert.deepEqual(Object.keys(r.config.tls?.options ?? {}), c.options);
      if (c.certificates !== undefined) assert.equal(r.config.tls?.certificates.length, c.certificates);
      if (c.stores !== undefined) assert.deepEqual(Object.keys(r.config.tls?.stores ?? {}), c.stores);
    });
  }

  void it('rejected lists each left-out tls object with its errors', () => {
    const r = check(y(['tls:', '  certificates:', '    - {certFile: a.crt}', '  options:', '    bad: {minVersion: x}']));
    assert.deepEqual([...r.rejected.keys()], ['tls.certificates[0]', 'tls.options.bad']);
    assert.equal(r.rejected.get('tls.options.bad')?.[0]?.object, 'bad');
  });

  void it('tcp and udp are still reported unsupported, tls no longer', () => {
    const r = check(y(['tcp: {}', 'udp: {}', 'tls: {}']));
    assert.deepEqual(errors(r), [`${DYNAMIC_CODES.UNSUPPORTED} tcp`, `${DYNAMIC_CODES.UNSUPPORTED} udp`]);
  });
});

void describe('name tables for the TLS runtime', () => {
  void it('every TLS 1.2 OpenSSL name Node offers is a real cipher here (RC4/3DES may be compiled out)', () => {
    const offered = new Set(getCiphers().map((c) => c.toUpperCase()));
    const missing = [...GO_CIPHER_SUITES].filter(([, ossl]) => !offered.has(ossl.toUpperCase())).map(([go]) => go);
    assert.deepEqual(
      missing.filter((go) => !/RC4|3DES/.test(go)),
      [],
    );
  });

  void it('curve names map to groups Node accepts as ecdhCurve', async () => {
    const { createSecureContext } = await import('node:tls');
    for (const group of new Set(GO_CURVES.values())) assert.doesNotThrow(() => createSecureContext({ ecdhCurve: group }), group);
    assert.equal(GO_CURVES.get('secp521r1'), 'P-521');
  });

  void it('versions map to Node names', () => {
    assert.deepEqual([...TLS_VERSIONS.values()], ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
  });
});
