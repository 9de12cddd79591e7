/**
 * The weighted service: split by weight, nested, health-aware with `healthCheck: {}`, and sticky
 * by cookie (Traefik's cookie name and value).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProxyError } from '../../../../src/errors/codes.js';
import { fnv64Hex, stickyValue } from '../../../../src/services/loadbalancer/sticky.js';
import { createWeighted, stickyKey } from '../../../../src/services/weighted/weighted.js';
import type { StickyConfig } from '../../../../src/config/dynamic/types.js';
import { fakeExchange, namedChild, tally } from './fake-exchange.js';

const STICKY: StickyConfig = { cookie: { name: undefined, secure: false, httpOnly: true, sameSite: '', maxAge: 0, path: '/', domain: '' } };

void describe('weighted service', () => {
  const splits: { desc: string; weights: number[]; n: number; expect: number[] }[] = [
    { desc: 'the docs canary 90/10', weights: [90, 10], n: 10_000, expect: [9000, 1000] },
    { desc: '3:1', weights: [3, 1], n: 400, expect: [300, 100] },
    { desc: 'weight 0 is never picked', weights: [1, 0], n: 50, expect: [50, 0] },
    { desc: 'three ways', weights: [1, 2, 3], n: 600, expect: [100, 200, 300] },
  ];
  for (const c of splits) {
    void it(`splits by weight: ${c.desc}`, () => {
      const children = c.weights.map((weight, i) => ({ name: `s${i}@file`, weight, service: namedChild(`s${i}`).service }));
      const w = createWeighted(children, { name: 'w@file', sticky: undefined, healthCheck: false });
      const counts = tally(w.handler, c.n);
      c.expect.forEach((n, i) => assert.equal(counts.get(`s${i}`) ?? 0, n, `s${i}`));
      assert.equal(w.health, undefined);
    });
  }

  void it('spreads picks out (EDF), not in runs', () => {
    const w = createWeighted(
      [
        { name: 'a@file', weight: 3, service: namedChild('a').service },
        { name: 'b@file', weight: 1, service: namedChild('b').service },
      ],
      { name: 'w@file', sticky: undefined, healthCheck: false, noShuffle: true },
    );
    const seq: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { ex, answer } = fakeExchange();
      void w.handler(ex);
      seq.push(answer.body);
    }
    assert.deepEqual(seq.filter((s) => s === 'b').length, 2);
    assert.ok(!seq.join('').includes('bb'), seq.join(''));
  });

  void it('nests: a weighted child splits its share again', () => {
    const inner = createWeighted(
      [
        { name: 'b@file', weight: 1, service: namedChild('b').service },
        { name: 'c@file', weight: 1, service: namedChild('c').service },
      ],
      { name: 'inner@file', sticky: undefined, healthCheck: false },
    );
    const outer = createWeighted(
      [
        { name: 'a@file', weight: 1, service: namedChild('a').service },
        { name: 'inner@file', weight: 1, service: inner },
      ],
      { name: 'outer@file', sticky: undefined, healthCheck: false },
    );
    const counts = tally(outer.handler, 400);
    assert.deepEqual([counts.get('a'), counts.get('b'), counts.get('c')], [200, 100, 100]);
  });

  void it('with healthCheck: {} skips children that are down and reports its own health upward', () => {
    const a = namedChild('a', { health: true });
    const b = namedChild('b', { health: true });
    const w = createWeighted(
      [
        { name: 'a@file', weight: 1, service: a.service },
        { name: 'b@file', weight: 1, service: b.service },
      ],
      { name: 'w@file', sticky: undefined, healthCheck: true },
    );
    assert.ok(w.health);
    const flips: boolean[] = [];
    w.health.watch((up) => flips.push(up));

    a.health?.set(false);
    assert.deepEqual([...tally(w.handler, 10)], [['b', 10]]);
    assert.equal(w.health.up, true);

    b.health?.set(false);
    assert.equal(w.health.up, false);
    const { ex } = fakeExchange();
    assert.throws(
      () => w.handler(ex),
      (err: unknown) => err instanceof ProxyError && err.status === 503 && err.body === 'no available server\n',
    );

    a.health?.set(true);
    assert.equal(w.health.up, true);
    assert.deepEqual([...tally(w.handler, 4)], [['a', 4]]);
    assert.deepEqual(flips, [false, true]);

    // Disposed: no longer follows its children.
    w.dispose();
    a.health?.set(false);
    assert.equal(w.health.up, true);
  });

  void it('without healthCheck keeps picking a child that is down (the child answers for itself)', () => {
    const a = namedChild('a', { health: false });
    const w = createWeighted([{ name: 'a@file', weight: 1, service: a.service }], { name: 'w@file', sticky: undefined, healthCheck: false });
    assert.deepEqual([...tally(w.handler, 3)], [['a', 3]]);
  });

  void it('refuses healthCheck: {} when a child reports no health', () => {
    assert.throws(
      () =>
        createWeighted(
          [
            { name: 'a@file', weight: 1, service: namedChild('a', { health: true }).service },
            { name: 'plain@file', weight: 1, service: namedChild('plain').service },
          ],
          { name: 'w@file', sticky: undefined, healthCheck: true },
        ),
      /healthCheck is set on "w@file" but its child service "plain@file" reports no health/,
    );
  });

  void it('leaves a child of weight 0 out of its health and its cookie', () => {
    const zero = namedChild('zero', { health: true });
    const one = namedChild('one', { health: true });
    const w = createWeighted(
      [
        { name: 'zero@file', weight: 0, service: zero.service },
        { name: 'one@file', weight: 1, service: one.service },
      ],
      { name: 'w@file', sticky: STICKY, healthCheck: true },
    );
    one.health?.set(false);
    assert.equal(w.health?.up, false, 'only the weight-0 child is up: nothing can be picked');
    one.health?.set(true);
    const cookieName = '_' + createHash('sha1').update('_TRAEFIK_BACKEND_w@file').digest('hex').slice(0, 5);
    const { ex, answer } = fakeExchange(['Cookie', `${cookieName}=${stickyValue('zero')}`]);
    void w.handler(ex);
    assert.equal(answer.body, 'one');
  });

  void it('no child with a weight: 503 no available server', () => {
    const w = createWeighted([{ name: 'a@file', weight: 0, service: namedChild('a').service }], { name: 'w@file', sticky: undefined, healthCheck: false });
    const { ex } = fakeExchange();
    assert.throws(() => w.handler(ex), (err: unknown) => err instanceof ProxyError && err.status === 503);
  });

  void describe('sticky cookie', () => {
    const cookieName = '_' + createHash('sha1').update('_TRAEFIK_BACKEND_w@file').digest('hex').slice(0, 5);
    const build = (a = namedChild('a', { health: true }), b = namedChild('b', { health: true })) => ({
      a,
      b,
      w: createWeighted(
        [
          { name: 'a@file', weight: 1, service: a.service },
          { name: 'b@file', weight: 1, service: b.service },
        ],
        { name: 'w@file', sticky: STICKY, healthCheck: true, noShuffle: true },
      ),
    });

    void it('writes Traefik\'s cookie (derived name, SHA-256 of the child name as written) and follows it', () => {
      const { w } = build();
      const first = fakeExchange();
      void w.handler(first.ex);
      const setCookie = first.answer.headers.get('set-cookie');
      assert.equal(setCookie, `${cookieName}=${stickyValue(first.answer.body)}; Path=/; HttpOnly`);
      for (let i = 0; i < 5; i++) {
        const next = fakeExchange(['Cookie', `other=1; ${cookieName}=${stickyValue(first.answer.body)}`]);
        void w.handler(next.ex);
        assert.equal(next.answer.body, first.answer.body);
        assert.equal(next.answer.headers.get('set-cookie'), undefined, 'a valid cookie is not rewritten');
      }
    });

    void it('re-picks and rewrites the cookie when its child is down, unknown, or the value is legacy', () => {
      const { a, w } = build();
      a.health?.set(false);
      const down = fakeExchange(['Cookie', `${cookieName}=${stickyValue('a')}`]);
      void w.handler(down.ex);
      assert.equal(down.answer.body, 'b');
      assert.equal(down.answer.headers.get('set-cookie')?.split(';')[0], `${cookieName}=${stickyValue('b')}`);

      const unknown = fakeExchange(['Cookie', `${cookieName}=0123456789abcdef`]);
      void w.handler(unknown.ex);
      assert.equal(unknown.answer.body, 'b');
      assert.ok(unknown.answer.headers.get('set-cookie'));

      a.health?.set(true);
      const legacy = fakeExchange(['Cookie', `${cookieName}=${fnv64Hex('a')}`]);
      void w.handler(legacy.ex);
      assert.equal(legacy.answer.body, 'a');
      assert.equal(legacy.answer.headers.get('set-cookie')?.split(';')[0], `${cookieName}=${stickyValue('a')}`);
    });
  });

  void it('hashes a child by its name as written: the parent\'s own provider suffix is left out', () => {
    const table: { desc: string; child: string; parent: string; key: string }[] = [
      { desc: 'same provider', child: 'app@file', parent: 'w@file', key: 'app' },
      { desc: 'another provider', child: 'app@docker', parent: 'w@file', key: 'app@docker' },
      { desc: 'unqualified parent', child: 'app', parent: 'w', key: 'app' },
    ];
    for (const t of table) assert.equal(stickyKey(t.child, t.parent), t.key, t.desc);
  });
});
