import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StickyCookieConfig } from '../../../../src/config/dynamic/types.js';
import { runHeadHooks, type Exchange, type HeadHook } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { defaultCookieName, fnv64Hex, StickyCookie, StickyIndex, stickyValue } from '../../../../src/services/loadbalancer/sticky.js';

const DEFAULTS: StickyCookieConfig = { name: undefined, secure: false, httpOnly: false, sameSite: '', maxAge: 0, path: '/', domain: '' };

/** Just enough of an Exchange for the cookie: request headers and a response collecting head hooks. */
function exchange(cookieHeaders: string[]): { ex: Exchange; hooks: HeadHook[] } {
  const hooks: HeadHook[] = [];
  const raw: string[] = [];
  for (const c of cookieHeaders) raw.push('Cookie', c);
  const ex = { headers: new HeaderList(raw), response: { onHead: (h: HeadHook) => hooks.push(h) } } as unknown as Exchange;
  return { ex, hooks };
}

void describe('sticky cookie values and names', () => {
  void it('value = first 16 hex of SHA-256 of the key (checked against sha256sum)', () => {
    assert.equal(stickyValue('http://127.0.0.1:8080'), 'd30a576c03187167');
  });
  void it("default name = '_' + 5 hex of SHA-1('_TRAEFIK_BACKEND_' + qualified name) (checked against sha1sum)", () => {
    assert.equal(defaultCookieName('svc@file'), '_b2112');
    assert.equal(new StickyCookie(DEFAULTS, 'svc@file').name, '_b2112');
    assert.equal(new StickyCookie({ ...DEFAULTS, name: 'mine' }, 'svc@file').name, 'mine');
  });
  void it("legacy values: Go's FNV-1 64 (published test vectors)", () => {
    assert.equal(fnv64Hex(''), 'cbf29ce484222325');
    assert.equal(fnv64Hex('a'), 'af63bd4c8601b7be');
    assert.equal(fnv64Hex('foobar'), '340d8765a4dda9c2');
  });
});

void describe('StickyIndex', () => {
  const a = { name: 'a' };
  const b = { name: 'b' };
  const index = new StickyIndex([
    ['http://a:1', a],
    ['http://b:1', b],
  ]);
  const cases = [
    { desc: 'current value', value: stickyValue('http://a:1'), want: a, current: true },
    { desc: 'legacy raw URL', value: 'http://b:1', want: b, current: false },
    { desc: 'legacy FNV-64', value: fnv64Hex('http://a:1'), want: a, current: false },
    { desc: 'legacy double FNV-64', value: fnv64Hex(fnv64Hex('http://b:1')), want: b, current: false },
    { desc: 'unknown value', value: 'deadbeefdeadbeef', want: undefined, current: false },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const hit = index.find(c.value);
      assert.equal(hit, c.want);
      if (hit !== undefined) assert.equal(index.valueOf(hit) === c.value, c.current);
    });
  }
});

void describe('StickyCookie.lookup', () => {
  const cookie = new StickyCookie({ ...DEFAULTS, name: 'lb' }, 's');
  const cases = [
    { desc: 'absent', headers: [], want: undefined },
    { desc: 'alone', headers: ['lb=abc'], want: 'abc' },
    { desc: 'among others, spaces after ;', headers: ['x=1; lb=abc;  y=2'], want: 'abc' },
    { desc: 'a name that only starts the same does not match', headers: ['lbx=1; xlb=2'], want: undefined },
    { desc: 'in the second Cookie header (HTTP/2 splits them)', headers: ['x=1', 'lb=def'], want: 'def' },
    { desc: 'the first of two wins (Go)', headers: ['lb=one; lb=two'], want: 'one' },
    { desc: 'quoted value', headers: ['lb="q"'], want: 'q' },
    { desc: 'empty value', headers: ['lb='], want: '' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(cookie.lookup(exchange(c.headers).ex), c.want);
    });
  }
});

void describe('StickyCookie.write: Set-Cookie as Go writes it', () => {
  const cases: { desc: string; cfg: Partial<StickyCookieConfig>; want: string }[] = [
    { desc: 'defaults', cfg: {}, want: '_b2112=v; Path=/' },
    {
      desc: 'every attribute, in Go order',
      cfg: { name: 'n', secure: true, httpOnly: true, sameSite: 'strict', maxAge: 60, path: '/app', domain: 'example.com' },
      want: 'n=v; Path=/app; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=Strict',
    },
    { desc: 'sameSite none', cfg: { sameSite: 'none' }, want: '_b2112=v; Path=/; SameSite=None' },
    { desc: 'sameSite lax', cfg: { sameSite: 'lax' }, want: '_b2112=v; Path=/; SameSite=Lax' },
    { desc: 'negative maxAge: Max-Age=0 (expire now)', cfg: { maxAge: -5 }, want: '_b2112=v; Path=/; Max-Age=0' },
    { desc: 'leading dot of the domain dropped', cfg: { domain: '.example.com' }, want: '_b2112=v; Path=/; Domain=example.com' },
    { desc: 'invalid domain left out', cfg: { domain: 'bad domain' }, want: '_b2112=v; Path=/' },
    { desc: 'empty path: no Path attribute', cfg: { path: '' }, want: '_b2112=v' },
    { desc: '; dropped from the path', cfg: { path: '/a;b' }, want: '_b2112=v; Path=/ab' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const cookie = new StickyCookie({ ...DEFAULTS, ...c.cfg }, 'svc@file');
      const { ex, hooks } = exchange([]);
      cookie.write(ex, 'v');
      const headers = new HeaderList();
      runHeadHooks(hooks, 200, headers);
      assert.deepEqual(headers.getAll('set-cookie'), [c.want]);
    });
  }

  void it('reuses one hook per value (no allocation per request)', () => {
    const cookie = new StickyCookie(DEFAULTS, 's');
    const first = exchange([]);
    const second = exchange([]);
    cookie.write(first.ex, 'v');
    cookie.write(second.ex, 'v');
    assert.equal(first.hooks[0], second.hooks[0]);
  });
});
