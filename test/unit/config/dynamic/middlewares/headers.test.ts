/**
 * The headers reader: every Traefik v3 option read with its default, the options v3 ignores
 * warned about, and every bad value reported with its key path (the middleware is then left out).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../../src/config/diagnostics.js';
import { DEFAULT_HEADERS_OPTIONS } from '../../../../../src/config/dynamic/schema/middlewares/headers.js';
import type { MiddlewareConfig } from '../../../../../src/config/dynamic/types.js';
import { validateDynamic } from '../../../../../src/config/dynamic/validate.js';

function read(middleware: unknown): { config: MiddlewareConfig | undefined; diagnostics: readonly Diagnostic[] } {
  const r = validateDynamic({ http: { middlewares: { m: middleware } } }, { source: 'dyn.yml' });
  return { config: r.config.http.middlewares['m'], diagnostics: r.diagnostics };
}

const ofSeverity = (d: readonly Diagnostic[], severity: string): string[] =>
  d.filter((x) => x.severity === severity).map((x) => `${x.code} ${x.path ?? ''}: ${x.message}`);

void describe('headers reader: accepted', () => {
  void it('reads every option of the Traefik reference file', () => {
    const r = read({
      headers: {
        customRequestHeaders: { 'X-Script-Name': 'test', 'X-Drop': '' },
        customResponseHeaders: { 'X-Resp': 'v' },
        accessControlAllowCredentials: true,
        accessControlAllowHeaders: ['X-A', 'X-B'],
        accessControlAllowMethods: ['GET', 'PUT'],
        accessControlAllowOriginList: ['https://a.test', '*'],
        accessControlAllowOriginListRegex: ['^https://(.+)\\.example\\.org$'],
        accessControlExposeHeaders: ['X-E'],
        accessControlMaxAge: 100,
        addVaryHeader: true,
        allowedHosts: ['a.test'],
        hostsProxyHeaders: ['X-Forwarded-Host'],
        sslProxyHeaders: { 'X-Forwarded-Proto': 'https' },
        stsSeconds: 31536000,
        stsIncludeSubdomains: true,
        stsPreload: true,
        forceSTSHeader: true,
        frameDeny: true,
        customFrameOptionsValue: 'SAMEORIGIN',
        contentTypeNosniff: true,
        browserXssFilter: true,
        customBrowserXSSValue: '0',
        contentSecurityPolicy: "default-src 'self'",
        contentSecurityPolicyReportOnly: "script-src 'none'",
        publicKey: 'pin-sha256="x"; max-age=5',
        referrerPolicy: 'same-origin',
        permissionsPolicy: 'camera=()',
        isDevelopment: true,
      },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'headers',
      options: {
        customRequestHeaders: { 'X-Script-Name': 'test', 'X-Drop': '' },
        customResponseHeaders: { 'X-Resp': 'v' },
        accessControlAllowCredentials: true,
        accessControlAllowHeaders: ['X-A', 'X-B'],
        accessControlAllowMethods: ['GET', 'PUT'],
        accessControlAllowOriginList: ['https://a.test', '*'],
        accessControlAllowOriginListRegex: ['^https://(.+)\\.example\\.org$'],
        accessControlExposeHeaders: ['X-E'],
        accessControlMaxAge: 100,
        addVaryHeader: true,
        allowedHosts: ['a.test'],
        hostsProxyHeaders: ['X-Forwarded-Host'],
        sslProxyHeaders: { 'X-Forwarded-Proto': 'https' },
        stsSeconds: 31536000,
        stsIncludeSubdomains: true,
        stsPreload: true,
        forceSTSHeader: true,
        frameDeny: true,
        customFrameOptionsValue: 'SAMEORIGIN',
        contentTypeNosniff: true,
        browserXssFilter: true,
        customBrowserXSSValue: '0',
        contentSecurityPolicy: "default-src 'self'",
        contentSecurityPolicyReportOnly: "script-src 'none'",
        publicKey: 'pin-sha256="x"; max-age=5',
        referrerPolicy: 'same-origin',
        permissionsPolicy: 'camera=()',
        isDevelopment: true,
      },
    });
  });

  const accepted: { desc: string; input: Record<string, unknown>; want: Record<string, unknown> }[] = [
    { desc: 'one security option, the rest at Traefik defaults', input: { frameDeny: true }, want: { frameDeny: true } },
    { desc: 'keys are case-insensitive, booleans and numbers as text (labels)', input: { FRAMEDENY: 'true', accesscontrolmaxage: '42' }, want: { frameDeny: true, accessControlMaxAge: 42 } },
    { desc: 'a single origin written as a scalar is a one-item list', input: { accessControlAllowOriginList: 'https://a.test' }, want: { accessControlAllowOriginList: ['https://a.test'] } },
    { desc: 'addVaryHeader alone turns CORS on', input: { addVaryHeader: true }, want: { addVaryHeader: true } },
    { desc: 'an sslProxyHeaders entry with an empty value is kept', input: { sslProxyHeaders: { 'X-Ssl': null } }, want: { sslProxyHeaders: { 'X-Ssl': '' } } },
  ];
  for (const c of accepted) {
    void it(`accepts ${c.desc}`, () => {
      const r = read({ headers: c.input });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config, { kind: 'headers', options: { ...DEFAULT_HEADERS_OPTIONS, ...c.want } });
    });
  }

  for (const [key, value, instead] of [
    ['sslRedirect', true, /redirectScheme/],
    ['sslTemporaryRedirect', true, /redirectScheme/],
    ['sslHost', 'a.test', /redirectRegex/],
    ['sslForceHost', true, /redirectRegex/],
    ['featurePolicy', "vibrate 'self'", /permissionsPolicy/],
  ] as const) {
    void it(`warns that ${key} is ignored by Traefik v3 and keeps the rest`, () => {
      const r = read({ headers: { frameDeny: true, [key]: value } });
      assert.deepEqual(ofSeverity(r.diagnostics, 'error'), []);
      const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.path, `http.middlewares.m.headers.${key}`);
      assert.match(warnings[0]?.message ?? '', instead);
      assert.deepEqual(r.config, { kind: 'headers', options: { ...DEFAULT_HEADERS_OPTIONS, frameDeny: true } });
    });
  }

  void it('accepts a middleware holding only an ignored option (Traefik counts it as set), with the warning', () => {
    const r = read({ headers: { sslRedirect: true } });
    assert.deepEqual(ofSeverity(r.diagnostics, 'error'), []);
    assert.equal(ofSeverity(r.diagnostics, 'warning').length, 1);
    assert.deepEqual(r.config, { kind: 'headers', options: DEFAULT_HEADERS_OPTIONS });
  });
});

void describe('headers reader: rejected', () => {
  const rejected: { desc: string; input: unknown; path: string; message: RegExp }[] = [
    { desc: 'no option at all (Traefik: headers configuration not valid)', input: {}, path: 'http.middlewares.m.headers', message: /headers configuration not valid/ },
    { desc: 'only empty maps and lists', input: { customRequestHeaders: {}, accessControlAllowOriginList: [] }, path: 'http.middlewares.m.headers', message: /sets no option/ },
    { desc: 'an origin regex that is not valid RE2', input: { accessControlAllowOriginListRegex: ['^ok$', '(unclosed'] }, path: 'http.middlewares.m.headers.accessControlAllowOriginListRegex[1]', message: /invalid origin regular expression "\(unclosed"/ },
    { desc: 'a look-ahead, which RE2 refuses', input: { accessControlAllowOriginListRegex: ['^(?=x)'] }, path: 'http.middlewares.m.headers.accessControlAllowOriginListRegex[0]', message: /invalid origin regular expression/ },
    { desc: 'a boolean option that is not a boolean', input: { frameDeny: 'yes please' }, path: 'http.middlewares.m.headers.frameDeny', message: /true or false/ },
    { desc: 'a max age that is not an integer', input: { accessControlMaxAge: '1h' }, path: 'http.middlewares.m.headers.accessControlMaxAge', message: /an integer/ },
    { desc: 'stsSeconds that is not an integer', input: { stsSeconds: 1.5 }, path: 'http.middlewares.m.headers.stsSeconds', message: /an integer/ },
    { desc: 'a hostsProxyHeaders entry that is not a header name', input: { hostsProxyHeaders: ['X-Ok', 'Bad Name'] }, path: 'http.middlewares.m.headers.hostsProxyHeaders[1]', message: /not a valid header name/ },
    { desc: 'an sslProxyHeaders name with a space', input: { sslProxyHeaders: { 'X Proto': 'https' } }, path: 'http.middlewares.m.headers.sslProxyHeaders.X Proto', message: /not a valid header name/ },
    { desc: 'a CSP with a line break (header injection)', input: { contentSecurityPolicy: "default-src 'self'\r\nX-Evil: 1" }, path: 'http.middlewares.m.headers.contentSecurityPolicy', message: /line break/ },
    { desc: 'an allowed origin with a line break', input: { accessControlAllowOriginList: ['https://a.test\nX: y'] }, path: 'http.middlewares.m.headers.accessControlAllowOriginList[0]', message: /line break/ },
    { desc: 'a deprecated option of the wrong type', input: { frameDeny: true, sslRedirect: 'sure' }, path: 'http.middlewares.m.headers.sslRedirect', message: /true or false/ },
    { desc: 'an unknown option, with a suggestion', input: { frameDenny: true }, path: 'http.middlewares.m.headers.frameDenny', message: /did you mean "frameDeny"/ },
    { desc: 'the v2 accessControlAllowOrigin, removed from Traefik', input: { accessControlAllowOrigin: '*' }, path: 'http.middlewares.m.headers.accessControlAllowOrigin', message: /unknown key/ },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ headers: c.input });
      assert.equal(r.config, undefined, 'the middleware is left out');
      const d = r.diagnostics.find((x) => x.severity === 'error' && x.path === c.path);
      assert.ok(d, `expected an error at ${c.path}, got ${JSON.stringify(ofSeverity(r.diagnostics, 'error'))}`);
      assert.match(d.message, c.message);
      assert.equal(d.object, 'm');
    });
  }
});
