/**
 * Token-bucket arithmetic with an injected clock (plain millisecond numbers): Traefik's
 * parameters, delay-or-refuse decisions, refill cap, and the figure — 100/s with burst 50
 * lets 50 + 100/s through — computed exactly over a simulated 10 s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullBucket, isFull, rateParams, reserve, tokensAt } from '../../../../src/middlewares/rate-limit/token-bucket.js';

void describe('rateParams', () => {
  const cases: { desc: string; average: number; period: number; perMs: number; maxDelayMs: number }[] = [
    { desc: '100/s: maxDelay 1s/(2*100) = 5ms', average: 100, period: 1000, perMs: 0.1, maxDelayMs: 5 },
    { desc: '3/s: Go integer nanoseconds 1e9/6', average: 3, period: 1000, perMs: 0.003, maxDelayMs: 166.666666 },
    { desc: '1.5/s: int(rate) = 1, so 500ms', average: 3, period: 2000, perMs: 0.0015, maxDelayMs: 500 },
    { desc: 'below 1/s: capped at 500ms', average: 1, period: 60_000, perMs: 1 / 60_000, maxDelayMs: 500 },
    { desc: '6 per 10s = 0.6/s: 500ms', average: 6, period: 10_000, perMs: 0.0006, maxDelayMs: 500 },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const p = rateParams({ average: c.average, period: c.period, burst: 1 });
      assert.ok(Math.abs(p.perMs - c.perMs) < 1e-12, `perMs ${p.perMs}`);
      assert.ok(Math.abs(p.maxDelayMs - c.maxDelayMs) < 1e-9, `maxDelay ${p.maxDelayMs}`);
    });
  }
});

void describe('reserve', () => {
  const p = rateParams({ average: 100, period: 1000, burst: 50 });

  void it('serves the burst at once, then refuses what would wait longer than maxDelay without taking a token', () => {
    const b = fullBucket(p, 0);
    for (let i = 0; i < 50; i++) assert.equal(reserve(b, p, 0), 0, `request ${i + 1}`);
    const wait = reserve(b, p, 0);
    assert.ok(Math.abs(wait - 10) < 1e-9, `a token is 10ms away, got ${wait}`);
    // Refused requests took nothing: the same answer again.
    assert.ok(Math.abs(reserve(b, p, 0) - 10) < 1e-9);
    assert.ok(Math.abs(tokensAt(b, p, 0)) < 1e-9);
  });

  void it('delays a request whose token comes within maxDelay, taking it in advance', () => {
    const b = fullBucket(p, 0);
    for (let i = 0; i < 50; i++) reserve(b, p, 0);
    // At 5ms half a token is there: wait 5ms = maxDelay, served later.
    assert.ok(Math.abs(reserve(b, p, 5) - 5) < 1e-9);
    // That token is gone: the next one is 15ms away, refused.
    assert.ok(Math.abs(reserve(b, p, 5) - 15) < 1e-9);
    // At 10ms the bucket is empty (0 tokens): 10ms away, refused.
    assert.ok(Math.abs(reserve(b, p, 10) - 10) < 1e-9);
    // At 15ms: half a token, delayed 5ms again.
    assert.ok(Math.abs(reserve(b, p, 15) - 5) < 1e-9);
    // At 30ms one whole token exists (the one taken at 15ms was due at 20ms): no wait.
    assert.equal(reserve(b, p, 30), 0);
  });

  void it('never refills beyond the burst', () => {
    const b = fullBucket(p, 0);
    reserve(b, p, 0);
    assert.equal(tokensAt(b, p, 3_600_000), 50);
    assert.ok(isFull(b, p, 3_600_000));
    assert.ok(!isFull(b, p, 1));
    let served = 0;
    while (reserve(b, p, 3_600_000) === 0) served++;
    assert.equal(served, 50);
  });

  void it('gives the wait of a slow limit: 1 per minute, burst 2', () => {
    const slow = rateParams({ average: 1, period: 60_000, burst: 2 });
    const b = fullBucket(slow, 1000);
    assert.equal(reserve(b, slow, 1000), 0);
    assert.equal(reserve(b, slow, 1000), 0);
    assert.ok(Math.abs(reserve(b, slow, 1000) - 60_000) < 1e-6);
    // 30s later half a token: 30s to wait, refused (> 500ms).
    assert.ok(Math.abs(reserve(b, slow, 31_000) - 30_000) < 1e-6);
    // 59.6s after: 400ms to wait, within the 500ms cap: delayed.
    assert.ok(Math.abs(reserve(b, slow, 60_600) - 400) < 1e-6);
  });

  void it('lets 50 + 100/s through over 10 s of saturating load (simulated clock, a request every 0.25ms)', () => {
    const b = fullBucket(p, 0);
    let served = 0;
    let delayed = 0;
    for (let t = 0; t <= 10_000; t += 0.25) {
      const wait = reserve(b, p, t);
      if (wait === 0) served++;
      else if (wait <= p.maxDelayMs) {
        served++;
        delayed++;
      }
    }
    // 50 at once, then one per 10ms for 10s = 1000; a delayed request may run up to 5ms past the end.
    assert.ok(served >= 1050 && served <= 1051, `served ${served}`);
    // With maxDelay = half a token interval, each token is taken in advance by a delayed request.
    assert.ok(delayed >= 990, `delayed ${delayed}`);
  });

  void it('treats a wait below one nanosecond as none (float rounding)', () => {
    const q = rateParams({ average: 3, period: 1000, burst: 1 });
    const b = fullBucket(q, 0);
    reserve(b, q, 0);
    b.tokens = -1e-12;
    assert.equal(reserve(b, q, 1000 / 3), 0);
  });
});
