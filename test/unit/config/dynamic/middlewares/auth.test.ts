/**
 * The basicAuth, digestAuth and forwardAuth readers: Traefik's defaults, warnings for users who can
 * never log in, and every bad option reported with its key path (the middleware is then left out).
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

const APR1 = 'test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/';

void describe('basicAuth reader', () => {
  void it('fills Traefik defaults', () => {
    const r = read({ basicAuth: { users: [APR1] } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, { kind: 'basicAuth', options: { users: [APR1], usersFile: '', realm: 'traefik', headerField: '', removeHeader: false } });
  });

  void it('reads every option (keys case-insensitive, booleans as text)', () => {
    const r = read({ basicAuth: { Users: [APR1, 'sha:{SHA}x', 'bc:$2y$05$abc'], usersfile: '/etc/htpasswd', realm: 'Admin area', headerField: 'X-Auth-User', removeHeader: 'true' } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'basicAuth',
      options: { users: [APR1, 'sha:{SHA}x', 'bc:$2y$05$abc'], usersFile: '/etc/htpasswd', realm: 'Admin area', headerField: 'X-Auth-User', removeHeader: true },
    });
  });

  void it('warns about a hash that can never match, naming the user and not the hash', () => {
    const r = read({ basicAuth: { users: [APR1, 'bob:plaintext'] } });
    assert.ok(r.config, 'kept');
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0] as Diagnostic;
    assert.equal(d.severity, 'warning');
    assert.equal(d.path, 'http.middlewares.m.basicAuth.users[1]');
    assert.match(d.message, /user "bob"/);
    assert.doesNotMatch(d.message, /plaintext/);
  });

  const errors = [
    { desc: 'an entry without a colon', input: { users: [APR1, 'foobar'] }, path: 'http.middlewares.m.basicAuth.users[1]', message: /expected "user:hash"/ },
    { desc: 'an entry with two colons', input: { users: ['a:b:c'] }, path: 'http.middlewares.m.basicAuth.users[0]', message: /user "a"/ },
    { desc: 'a realm with a quote', input: { realm: 'a"b' }, path: 'http.middlewares.m.basicAuth.realm', message: /double quote/ },
    { desc: 'a bad header name', input: { headerField: 'X User' }, path: 'http.middlewares.m.basicAuth.headerField', message: /not a valid header name/ },
    { desc: 'removeHeader not a boolean', input: { removeHeader: 'maybe' }, path: 'http.middlewares.m.basicAuth.removeHeader', message: /true or false/ },
    { desc: 'an unknown key', input: { user: [APR1] }, path: 'http.middlewares.m.basicAuth.user', message: /did you mean "users"/ },
  ];
  for (const c of errors) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ basicAuth: c.input });
      assert.equal(r.config, undefined);
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.equal(d.path, c.path);
      assert.match(d.message, c.message);
      assert.equal(d.object, 'm');
    });
  }
});

void describe('digestAuth reader', () => {
  const USER = 'test:traefik:a2688e031edb4be6a3797f3882655c05';

  void it('fills Traefik defaults', () => {
    const r = read({ digestAuth: { users: [USER] } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, { kind: 'digestAuth', options: { users: [USER], usersFile: '', realm: 'traefik', headerField: '', removeHeader: false } });
  });

  const warnings = [
    { desc: 'a user of another realm', users: ['test:other:a2688e031edb4be6a3797f3882655c05'], message: /realm "other"/ },
    { desc: 'a hash that is not an MD5', users: ['test:traefik:password'], message: /not 32 lower-case hex digits/ },
  ];
  for (const c of warnings) {
    void it(`warns about ${c.desc}`, () => {
      const r = read({ digestAuth: { users: c.users } });
      assert.ok(r.config);
      assert.equal(r.diagnostics.length, 1);
      assert.equal(r.diagnostics[0]?.severity, 'warning');
      assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.digestAuth.users[0]');
      assert.match(r.diagnostics[0]?.message ?? '', c.message);
    });
  }

  void it('rejects an entry that is not user:realm:hash, with its key path', () => {
    const r = read({ digestAuth: { users: [USER, 'foobar'] } });
    assert.equal(r.config, undefined);
    assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.digestAuth.users[1]');
    assert.match(r.diagnostics[0]?.message ?? '', /expected "user:realm:md5\(user:realm:password\)"/);
  });
});

void describe('forwardAuth reader', () => {
  const DEFAULTS = {
    address: 'http://auth.test/verify',
    trustForwardHeader: undefined,
    authResponseHeaders: [],
    authResponseHeadersRegex: '',
    authRequestHeaders: [],
    addAuthCookiesToResponse: [],
    forwardBody: false,
    maxBodySize: -1,
    maxResponseBodySize: -1,
    headerField: '',
    preserveLocationHeader: false,
    preserveRequestMethod: false,
    authSigninURL: '',
    tls: undefined,
  };

  void it('fills Traefik defaults', () => {
    const r = read({ forwardAuth: { address: 'http://auth.test/verify' } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, { kind: 'forwardAuth', options: DEFAULTS });
  });

  void it('reads every option', () => {
    const r = read({
      forwardAuth: {
        address: 'https://auth.test:8443/verify?x=1',
        trustForwardHeader: true,
        authResponseHeaders: ['X-User', 'X-Groups'],
        authResponseHeadersRegex: '^X-Auth-',
        authRequestHeaders: 'Cookie',
        addAuthCookiesToResponse: ['session'],
        forwardBody: true,
        maxBodySize: 1024,
        maxResponseBodySize: '2048',
        headerField: 'X-User',
        preserveLocationHeader: true,
        preserveRequestMethod: true,
        authSigninURL: 'https://sso.test/login',
        tls: { ca: '/ca.pem', cert: '/c.pem', key: '/k.pem', insecureSkipVerify: true },
      },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'forwardAuth',
      options: {
        address: 'https://auth.test:8443/verify?x=1',
        trustForwardHeader: true,
        authResponseHeaders: ['X-User', 'X-Groups'],
        authResponseHeadersRegex: '^X-Auth-',
        authRequestHeaders: ['Cookie'],
        addAuthCookiesToResponse: ['session'],
        forwardBody: true,
        maxBodySize: 1024,
        maxResponseBodySize: 2048,
        headerField: 'X-User',
        preserveLocationHeader: true,
        preserveRequestMethod: true,
        authSigninURL: 'https://sso.test/login',
        tls: { ca: '/ca.pem', cert: '/c.pem', key: '/k.pem', insecureSkipVerify: true },
      },
    });
  });

  void it('tls.caOptional is deprecated: a warning, ignored', () => {
    const r = read({ forwardAuth: { address: 'https://a.test', tls: { caOptional: true } } });
    assert.ok(r.config);
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
    assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.forwardAuth.tls.caOptional');
  });

  const errors = [
    { desc: 'a missing address', input: {}, path: 'http.middlewares.m.forwardAuth.address', message: /"address" is required/ },
    { desc: 'an address that is not a URL', input: { address: 'foobar' }, path: 'http.middlewares.m.forwardAuth.address', message: /expected an http:\/\/ or https:\/\/ URL/ },
    { desc: 'an address of another scheme', input: { address: 'ftp://a.test' }, path: 'http.middlewares.m.forwardAuth.address', message: /http:\/\/ or https:\/\// },
    { desc: 'an address with credentials', input: { address: 'http://u:p@a.test' }, path: 'http.middlewares.m.forwardAuth.address', message: /user information/ },
    { desc: 'a regex RE2 rejects', input: { address: 'http://a.test', authResponseHeadersRegex: '^(?=X)' }, path: 'http.middlewares.m.forwardAuth.authResponseHeadersRegex', message: /invalid regular expression/ },
    { desc: 'a bad header name', input: { address: 'http://a.test', authResponseHeaders: ['X-Ok', 'X Bad'] }, path: 'http.middlewares.m.forwardAuth.authResponseHeaders[1]', message: /not a valid header name/ },
    { desc: 'a bad cookie name', input: { address: 'http://a.test', addAuthCookiesToResponse: ['a;b'] }, path: 'http.middlewares.m.forwardAuth.addAuthCookiesToResponse[0]', message: /not a valid cookie name/ },
    { desc: 'maxBodySize below -1', input: { address: 'http://a.test', maxBodySize: -2 }, path: 'http.middlewares.m.forwardAuth.maxBodySize', message: /integer >= -1/ },
    { desc: 'a cert without its key', input: { address: 'https://a.test', tls: { cert: '/c.pem' } }, path: 'http.middlewares.m.forwardAuth.tls.key', message: /both TLS cert and key/ },
    { desc: 'an unknown tls key', input: { address: 'https://a.test', tls: { insecureSkipVerfy: true } }, path: 'http.middlewares.m.forwardAuth.tls.insecureSkipVerfy', message: /did you mean "insecureSkipVerify"/ },
    { desc: 'trustForwardHeader not a boolean', input: { address: 'http://a.test', trustForwardHeader: 'yes' }, path: 'http.middlewares.m.forwardAuth.trustForwardHeader', message: /true or false/ },
  ];
  for (const c of errors) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ forwardAuth: c.input });
      assert.equal(r.config, undefined);
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.equal(d.path, c.path);
      assert.match(d.message, c.message);
    });
  }
});
