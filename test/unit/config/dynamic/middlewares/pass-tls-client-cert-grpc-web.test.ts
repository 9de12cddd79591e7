/**
 * The passTLSClientCert and grpcWeb readers: Traefik's defaults and documented examples, sections
 * that are present but empty, and every bad option reported with its key path (the middleware
 * is then left out).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../../src/config/diagnostics.js';
import { validateDynamic } from '../../../../../src/config/dynamic/validate.js';
import type { MiddlewareConfig } from '../../../../../src/config/dynamic/types.js';

function read(middleware: unknown): { config: MiddlewareConfig | undefined; diagnostics: readonly Diagnostic[] } {
  const r = validateDynamic({ http: { middlewares: { m: middleware } } }, { source: 'dyn.yml' });
  return { config: r.config.http.middlewares['m'], diagnostics: r.diagnostics };
}

const NO_DN = {
  country: false,
  province: false,
  locality: false,
  organization: false,
  organizationalUnit: false,
  commonName: false,
  serialNumber: false,
  domainComponent: false,
};
const NO_INFO = { notAfter: false, notBefore: false, sans: false, serialNumber: false, subject: undefined, issuer: undefined };

void describe('passTLSClientCert reader', () => {
  const docExample = {
    pem: true,
    info: {
      notAfter: true,
      notBefore: true,
      sans: true,
      serialNumber: true,
      subject: { country: true, province: true, locality: true, organization: true, organizationalUnit: true, commonName: true, serialNumber: true, domainComponent: true },
      issuer: { country: true, province: true, locality: true, organization: true, commonName: true, serialNumber: true, domainComponent: true },
    },
  };
  const accepted: { desc: string; input: unknown; want: Record<string, unknown> }[] = [
    { desc: 'an empty mapping: nothing passed', input: {}, want: { pem: false, info: undefined } },
    { desc: 'an empty value', input: null, want: { pem: false, info: undefined } },
    { desc: 'pem only (Traefik docs)', input: { pem: true }, want: { pem: true, info: undefined } },
    {
      desc: 'every info option (Traefik docs)',
      input: docExample,
      want: {
        pem: true,
        info: {
          notAfter: true,
          notBefore: true,
          sans: true,
          serialNumber: true,
          subject: { country: true, province: true, locality: true, organization: true, organizationalUnit: true, commonName: true, serialNumber: true, domainComponent: true },
          issuer: { country: true, province: true, locality: true, organization: true, organizationalUnit: false, commonName: true, serialNumber: true, domainComponent: true },
        },
      },
    },
    { desc: 'an empty info section turns the info header on', input: { info: null }, want: { pem: false, info: NO_INFO } },
    { desc: 'info: true (labels)', input: { info: true }, want: { pem: false, info: NO_INFO } },
    { desc: 'info: false', input: { info: false }, want: { pem: false, info: undefined } },
    { desc: 'an empty subject section', input: { info: { subject: {} } }, want: { pem: false, info: { ...NO_INFO, subject: NO_DN } } },
    { desc: 'booleans as text and case-insensitive keys (labels)', input: { PEM: 'true', Info: { NotAfter: '1', Issuer: { CommonName: 'T' } } }, want: { pem: true, info: { ...NO_INFO, notAfter: true, issuer: { ...NO_DN, commonName: true } } } },
  ];
  for (const c of accepted) {
    void it(`accepts ${c.desc}`, () => {
      const r = read({ passTLSClientCert: c.input });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config, { kind: 'passTLSClientCert', options: c.want });
    });
  }

  const rejected: { desc: string; input: unknown; path: string; message: RegExp; code?: string }[] = [
    { desc: 'pem that is not a boolean', input: { pem: 'yes' }, path: 'http.middlewares.m.passTLSClientCert.pem', message: /true or false/ },
    { desc: 'an info flag that is not a boolean', input: { info: { sans: 2 } }, path: 'http.middlewares.m.passTLSClientCert.info.sans', message: /true or false/ },
    {
      desc: 'issuer.organizationalUnit (Traefik has none)',
      input: { info: { issuer: { organizationalUnit: true } } },
      path: 'http.middlewares.m.passTLSClientCert.info.issuer.organizationalUnit',
      message: /unknown key/,
      code: 'TPK_CFG_UNKNOWN_KEY',
    },
    { desc: 'a typo in subject', input: { info: { subject: { comonName: true } } }, path: 'http.middlewares.m.passTLSClientCert.info.subject.comonName', message: /did you mean "commonName"/, code: 'TPK_CFG_UNKNOWN_KEY' },
    { desc: 'info as a list', input: { info: ['sans'] }, path: 'http.middlewares.m.passTLSClientCert.info', message: /expected a mapping/ },
    { desc: 'false', input: false, path: 'http.middlewares.m.passTLSClientCert', message: /expected a mapping/ },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ passTLSClientCert: c.input });
      assert.equal(r.config, undefined);
      const err = r.diagnostics.find((d) => d.severity === 'error');
      assert.ok(err, 'an error');
      assert.equal(err.path, c.path);
      assert.match(err.message, c.message);
      assert.match(err.message, /this middleware is left out/);
      assert.equal(err.code, c.code ?? 'TPK_CFG_INVALID_VALUE');
    });
  }
});

void describe('grpcWeb reader', () => {
  const accepted: { desc: string; input: unknown; want: string[]; warning?: RegExp }[] = [
    { desc: 'the Traefik docs example', input: { allowOrigins: ['*'] }, want: ['*'] },
    { desc: 'no option: no origin allowed', input: {}, want: [] },
    { desc: 'an empty value', input: null, want: [] },
    { desc: 'true (labels)', input: true, want: [] },
    { desc: 'one origin as a string (labels)', input: { allowOrigins: 'https://app.test' }, want: ['https://app.test'] },
    { desc: 'several origins, case-insensitive key', input: { AllowOrigins: ['https://a.test', 'http://b.test:8080'] }, want: ['https://a.test', 'http://b.test:8080'] },
    { desc: 'a trailing slash (warning: never matches)', input: { allowOrigins: ['https://a.test/'] }, want: ['https://a.test/'], warning: /never match/ },
    { desc: 'an empty origin (warning)', input: { allowOrigins: [''] }, want: [''], warning: /empty origin never matches/ },
  ];
  for (const c of accepted) {
    void it(`accepts ${c.desc}`, () => {
      const r = read({ grpcWeb: c.input });
      assert.deepEqual(r.config, { kind: 'grpcWeb', options: { allowOrigins: c.want } });
      if (c.warning === undefined) assert.deepEqual(r.diagnostics, []);
      else {
        assert.equal(r.diagnostics.length, 1);
        assert.equal(r.diagnostics[0]?.severity, 'warning');
        assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.grpcWeb.allowOrigins[0]');
        assert.match(r.diagnostics[0]?.message ?? '', c.warning);
      }
    });
  }

  const rejected: { desc: string; input: unknown; path: string; message: RegExp; code?: string }[] = [
    { desc: 'an origin that is not a string', input: { allowOrigins: [{ a: 1 }] }, path: 'http.middlewares.m.grpcWeb.allowOrigins[0]', message: /a string/ },
    { desc: 'a typo', input: { allowOrigin: ['*'] }, path: 'http.middlewares.m.grpcWeb.allowOrigin', message: /did you mean "allowOrigins"/, code: 'TPK_CFG_UNKNOWN_KEY' },
    { desc: 'false', input: false, path: 'http.middlewares.m.grpcWeb', message: /expected a mapping/ },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ grpcWeb: c.input });
      assert.equal(r.config, undefined);
      const err = r.diagnostics.find((d) => d.severity === 'error');
      assert.ok(err, 'an error');
      assert.equal(err.path, c.path);
      assert.match(err.message, c.message);
      assert.match(err.message, /this middleware is left out/);
      assert.equal(err.code, c.code ?? 'TPK_CFG_INVALID_VALUE');
    });
  }
});
