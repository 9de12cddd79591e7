import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { DigestVerifier } from '../../../../src/middlewares/digest-auth/digest-auth.js';
import {
  NonceStore,
  digestHa1,
  digestResponse,
  md5Hex,
  parseDigestAuthorization,
  parseDigestUser,
  parseNonceCount,
} from '../../../../src/middlewares/digest-auth/digest.js';

void describe('digest maths', () => {
  void it('RFC 2617 §3.5 example (qop=auth)', () => {
    const ha1 = digestHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life');
    assert.equal(ha1, '939e7578ed9e3c518a452acee763bce9');
    const r = digestResponse(ha1, 'dcd98b7102dd2f0e8b11d0f600bfb0c093', '00000001', '0a4f113b', 'auth', 'GET', '/dir/index.html');
    assert.equal(r, '6629fae49393a05397450978507c4ef1');
  });

  void it('RFC 7616 §3.9.1 example (MD5)', () => {
    const ha1 = digestHa1('Mufasa', 'http-auth@example.org', 'Circle of Life');
    const r = digestResponse(
      ha1,
      '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      '00000001',
      'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      'auth',
      'GET',
      '/dir/index.html',
    );
    assert.equal(r, '8ca523f5e9506fed4657c9700eebdbec');
  });

  void it('Traefik documentation user test:traefik:test', () => {
    assert.equal(digestHa1('test', 'traefik', 'test'), 'a2688e031edb4be6a3797f3882655c05');
    assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e');
  });
});

void describe('parseDigestAuthorization', () => {
  const cases = [
    {
      desc: 'quoted and bare values, commas inside quotes',
      value: 'Digest username="Mufasa", realm="a, b", nonce="n", uri="/x?a=1,2", algorithm=MD5, qop=auth, nc=00000001, cnonce="c", response="r", opaque="o"',
      want: { username: 'Mufasa', realm: 'a, b', nonce: 'n', uri: '/x?a=1,2', algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: 'c', response: 'r', opaque: 'o' },
    },
    { desc: 'escaped quote inside a value', value: 'Digest username="a\\"b"', want: { username: 'a"b' } },
    { desc: 'element without a value', value: 'Digest flag, k=v', want: { flag: '', k: 'v' } },
    { desc: 'scheme is case-sensitive (go-http-auth)', value: 'digest username="a"', want: undefined },
    { desc: 'Basic is not Digest', value: 'Basic YTpi', want: undefined },
    { desc: 'absent', value: undefined, want: undefined },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const got = parseDigestAuthorization(c.value);
      assert.deepEqual(got === undefined ? undefined : Object.fromEntries(got), c.want);
    });
  }
});

void describe('digest helpers', () => {
  const users = [
    { desc: 'user:realm:hash', line: 'test:traefik:a2688e031edb4be6a3797f3882655c05', want: { key: 'test:traefik', secret: 'a2688e031edb4be6a3797f3882655c05' } },
    { desc: 'two parts', line: 'test:hash', want: undefined },
    { desc: 'four parts', line: 'a:b:c:d', want: undefined },
  ];
  for (const c of users) void it(c.desc, () => assert.deepEqual(parseDigestUser(c.line), c.want));

  const counts = [
    { desc: 'hex count', nc: '0000000a', want: 10n },
    { desc: 'upper-case hex', nc: 'FF', want: 255n },
    { desc: '64-bit maximum', nc: 'ffffffffffffffff', want: 18446744073709551615n },
    { desc: 'too long', nc: '10000000000000000', want: undefined },
    { desc: 'empty', nc: '', want: undefined },
    { desc: '0x prefix refused', nc: '0x1', want: undefined },
  ];
  for (const c of counts) void it(`nonce count: ${c.desc}`, () => assert.equal(parseNonceCount(c.nc), c.want));
});

void describe('NonceStore', () => {
  void it('accepts increasing counts, refuses replays and unknown nonces as stale', () => {
    const s = new NonceStore();
    const n = s.issue('n1');
    assert.equal(s.use(n, 1n), 'ok');
    assert.equal(s.use(n, 2n), 'ok');
    assert.equal(s.use(n, 2n), 'stale');
    assert.equal(s.use(n, 1n), 'stale');
    assert.equal(s.use('never-issued', 1n), 'stale');
  });

  void it('stays bounded, dropping the least recently used nonces', () => {
    const s = new NonceStore(10, 2);
    s.issue('keep');
    for (let i = 0; i < 12; i++) s.issue(`n${i}`);
    assert.equal(s.use('keep', 1n), 'ok', 'used: now the most recent');
    for (let i = 12; i < 40; i++) s.issue(`n${i}`);
    assert.ok(s.count <= 13, `count ${s.count}`);
    assert.equal(s.use('n0', 1n), 'stale', 'an old unused nonce was dropped');
  });
});

void describe('DigestVerifier', () => {
  const ha1 = digestHa1('alice', 'traefik', 'wonderland');
  const verifier = new DigestVerifier(new Map([['alice:traefik', ha1]]), 'traefik');

  function challengeParams(stale = false): Map<string, string> {
    const ch = verifier.challenge(stale);
    assert.match(ch, /^Digest realm="traefik", nonce="[A-Za-z0-9+/=]{16}", opaque="[A-Za-z0-9+/=]{16}", algorithm="MD5", qop="auth"/);
    const parsed = parseDigestAuthorization(ch);
    assert.ok(parsed);
    return parsed;
  }

  function exchange(o: { user?: string; password?: string; uri?: string; path?: string; query?: string | null; nc?: string; nonce?: string; opaque?: string; qop?: string; method?: string }) {
    const ch = challengeParams();
    const nonce = o.nonce ?? ch.get('nonce') ?? '';
    const uri = o.uri ?? '/private';
    const nc = o.nc ?? '00000001';
    const user = o.user ?? 'alice';
    const method = o.method ?? 'GET';
    const response = digestResponse(digestHa1(user, 'traefik', o.password ?? 'wonderland'), nonce, nc, 'cn', o.qop ?? 'auth', method, uri);
    const header = `Digest username="${user}", realm="traefik", nonce="${nonce}", uri="${uri}", algorithm=MD5, qop=${o.qop ?? 'auth'}, nc=${nc}, cnonce="cn", response="${response}", opaque="${o.opaque ?? verifier.opaque}"`;
    return { method, path: o.path ?? '/private', query: o.query ?? null, headers: new HeaderList(['Authorization', header]), nonce };
  }

  const cases = [
    { desc: 'right credentials', ex: {}, want: { user: 'alice' } },
    { desc: 'wrong password', ex: { password: 'x' }, want: 'fail' },
    { desc: 'unknown user', ex: { user: 'bob' }, want: 'fail' },
    { desc: 'wrong opaque', ex: { opaque: 'other' }, want: 'fail' },
    { desc: 'qop auth-int refused', ex: { qop: 'auth-int' }, want: 'fail' },
    { desc: 'uri of another resource', ex: { uri: '/other' }, want: 'fail' },
    { desc: 'uri with the query of the request', ex: { uri: '/private?a=1', query: 'a=1' }, want: { user: 'alice' } },
    { desc: 'uri a path prefix of the request (go-http-auth leniency)', ex: { uri: '/priv', path: '/private/x' }, want: { user: 'alice' } },
    { desc: 'absolute uri of the same path', ex: { uri: 'http://host.test/private' }, want: { user: 'alice' } },
    { desc: 'nonce this middleware never issued: stale', ex: { nonce: 'AAAAAAAAAAAAAAAA' }, want: 'stale' },
    { desc: 'bad nonce count', ex: { nc: 'zz' }, want: 'fail' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.deepEqual(verifier.check(exchange(c.ex)), c.want);
    });
  }

  void it('a replayed request (same nonce count) is stale', () => {
    const ex = exchange({});
    assert.deepEqual(verifier.check(ex), { user: 'alice' });
    assert.equal(verifier.check(ex), 'stale');
  });

  void it('an empty HA1 is never a usable secret', () => {
    const v = new DigestVerifier(new Map([['eve:traefik', '']]), 'traefik');
    const nonce = v.nonces.issue();
    const response = digestResponse('', nonce, '00000001', 'c', 'auth', 'GET', '/');
    const headers = new HeaderList(['Authorization', `Digest username="eve", nonce="${nonce}", uri="/", qop=auth, nc=00000001, cnonce="c", response="${response}", opaque="${v.opaque}"`]);
    assert.equal(v.check({ method: 'GET', path: '/', query: null, headers }), 'fail');
  });

  void it('stale challenges say so', () => {
    assert.match(verifier.challenge(true), /, stale=true$/);
  });
});
