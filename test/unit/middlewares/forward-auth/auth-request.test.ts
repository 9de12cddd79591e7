import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TlsInfo } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { allowedHeaders, buildAuthRequestHeaders, canonicalHeaderKey, requestUri } from '../../../../src/middlewares/forward-auth/auth-request.js';
import { cookieName, resolveLocation } from '../../../../src/middlewares/forward-auth/forward-auth.js';

const TLS: TlsInfo = { servername: 'a.test', protocol: 'TLSv1.3', cipher: 'x', alpn: undefined };

function request(headers: string[], o: { tls?: boolean; host?: string; method?: string; path?: string; query?: string | null } = {}) {
  return {
    headers: new HeaderList(headers),
    method: o.method ?? 'POST',
    path: o.path ?? '/app/x',
    query: o.query === undefined ? 'a=1' : o.query,
    host: o.host ?? 'app.test:8080',
    tls: o.tls === true ? TLS : null,
    peer: { address: '10.0.0.7', port: 5555 },
  };
}

function build(headers: string[], trust: boolean | undefined, authRequestHeaders: string[] = [], o: Parameters<typeof request>[1] = {}): Record<string, string[]> {
  const h = buildAuthRequestHeaders(request(headers, o), { trustForwardHeader: trust, ...allowedHeaders(authRequestHeaders, trust) });
  const out: Record<string, string[]> = {};
  h.forEach((name, value) => (out[name] ??= []).push(value));
  return out;
}

/** What the entry point leaves on a request from an untrusted client (Traefik's forwarded headers). */
const EP = ['X-Forwarded-Proto', 'http', 'X-Forwarded-Port', '8080', 'X-Forwarded-Host', 'app.test:8080', 'X-Forwarded-Server', 'proxy', 'X-Real-Ip', '10.0.0.7'];

void describe('buildAuthRequestHeaders', () => {
  void it('drops Host, Content-Length and hop-by-hop headers (and those Connection names), keeps Proxy-Authorization', () => {
    const got = build(
      ['Host', 'app.test', 'Content-Length', '3', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'Keep-Alive', '5', 'TE', 'trailers', 'Trailer', 'X', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Proxy-Authorization', 'Basic x', 'Cookie', 'a=1'],
      false,
    );
    assert.deepEqual(Object.keys(got).sort(), ['Cookie', 'Proxy-Authorization', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Method', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Forwarded-Uri']);
  });

  void it('trustForwardHeader false: X headers removed, then set from the request', () => {
    const got = build(['X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Prefix', '/p', 'X-Forwarded-Uri', '/spoof', ...EP], false);
    assert.deepEqual(got, {
      'X-Forwarded-For': ['10.0.0.7'],
      'X-Forwarded-Method': ['POST'],
      'X-Forwarded-Proto': ['http'],
      'X-Forwarded-Port': ['8080'],
      'X-Forwarded-Host': ['app.test:8080'],
      'X-Forwarded-Uri': ['/app/x?a=1'],
    });
  });

  void it('trustForwardHeader true: X headers kept, X-Forwarded-For appended, missing ones added', () => {
    const got = build(['X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Uri', '/original', 'X-Forwarded-Method', 'PUT', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'front.test'], true, [], { host: 'app.test' });
    assert.deepEqual(got, {
      'X-Forwarded-For': ['1.2.3.4, 10.0.0.7'],
      'X-Forwarded-Uri': ['/original'],
      'X-Forwarded-Method': ['PUT'],
      'X-Forwarded-Proto': ['https'],
      'X-Forwarded-Host': ['front.test'],
      'X-Forwarded-Port': ['443'],
    });
  });

  void it('trustForwardHeader unset (legacy): For/Proto/Method/Host/Uri overwritten, other X headers pass', () => {
    const got = build(['X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Prefix', '/p', 'X-Forwarded-Uri', '/spoof', ...EP], undefined, [], { tls: true });
    assert.deepEqual(got['X-Forwarded-For'], ['10.0.0.7']);
    assert.deepEqual(got['X-Forwarded-Proto'], ['https']);
    assert.deepEqual(got['X-Forwarded-Uri'], ['/app/x?a=1']);
    assert.deepEqual(got['X-Forwarded-Method'], ['POST']);
    assert.deepEqual(got['X-Forwarded-Host'], ['app.test:8080']);
    assert.deepEqual(got['X-Forwarded-Prefix'], ['/p']);
    assert.deepEqual(got['X-Forwarded-Port'], ['8080']);
  });

  const ports = [
    { desc: 'port of the Host', o: { host: 'a.test:9000' }, want: '9000' },
    { desc: 'TLS without a port', o: { host: 'a.test', tls: true }, want: '443' },
    { desc: 'plain without a port', o: { host: 'a.test' }, want: '80' },
    { desc: 'IPv6 host with a port', o: { host: '[::1]:81' }, want: '81' },
  ];
  for (const c of ports) {
    void it(`X-Forwarded-Port: ${c.desc}`, () => assert.deepEqual(build([], false, [], c.o)['X-Forwarded-Port'], [c.want]));
  }

  void it('authRequestHeaders keeps only the listed headers (canonical names), then adds the X headers', () => {
    const got = build(['cookie', 'a=1', 'Authorization', 'Bearer t', 'X-Other', 'o', 'X-Forwarded-Prefix', '/p'], false, ['Cookie', 'x-missing']);
    assert.deepEqual(Object.keys(got).sort(), ['Cookie', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Method', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Forwarded-Uri']);
    assert.deepEqual(got['Cookie'], ['a=1']);
  });

  void it('authRequestHeaders with trustForwardHeader true also lets the X headers through', () => {
    const got = build(['Cookie', 'a=1', 'X-Forwarded-Prefix', '/p', 'X-Other', 'o'], true, ['Cookie']);
    assert.deepEqual(got['X-Forwarded-Prefix'], ['/p']);
    assert.equal(got['X-Other'], undefined);
  });

  void it('request URI without a query', () => {
    assert.equal(requestUri({ path: '/a%20b', query: null }), '/a%20b');
    assert.equal(requestUri({ path: '/a', query: '' }), '/a?');
  });
});

void describe('forwardAuth helpers', () => {
  const keys = [
    { desc: 'lower case', name: 'x-auth-user', want: 'X-Auth-User' },
    { desc: 'mixed case', name: 'wWw-aUTHENTICATE', want: 'Www-Authenticate' },
    { desc: 'single word', name: 'cookie', want: 'Cookie' },
    { desc: 'invalid token character: unchanged', name: 'x auth', want: 'x auth' },
    { desc: 'underscore kept', name: 'x_auth_user', want: 'X_auth_user' },
  ];
  for (const c of keys) void it(`canonicalHeaderKey: ${c.desc}`, () => assert.equal(canonicalHeaderKey(c.name), c.want));

  const cookies = [
    { desc: 'name=value; attrs', v: 'session=abc; Path=/; HttpOnly', want: 'session' },
    { desc: 'spaces around the name', v: ' sid =1', want: 'sid' },
    { desc: 'no =', v: 'garbage', want: '' },
  ];
  for (const c of cookies) void it(`cookieName: ${c.desc}`, () => assert.equal(cookieName(c.v), c.want));

  const locations = [
    { desc: 'relative path resolved against the auth address', loc: '/login?x=1', preserve: false, want: 'http://auth.test:9000/login?x=1' },
    { desc: 'relative to the address path', loc: 'login', preserve: false, want: 'http://auth.test:9000/api/login' },
    { desc: 'absolute kept as is', loc: 'https://sso.test', preserve: false, want: 'https://sso.test' },
    { desc: 'preserveLocationHeader keeps a relative one', loc: '/login', preserve: true, want: '/login' },
  ];
  for (const c of locations) {
    void it(`resolveLocation: ${c.desc}`, () => assert.equal(resolveLocation(c.loc, 'http://auth.test:9000/api/verify', c.preserve), c.want));
  }
});
