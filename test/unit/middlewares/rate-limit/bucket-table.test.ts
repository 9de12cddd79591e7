/** The bounded bucket table: same bucket per source, at most `capacity` sources, full buckets dropped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BucketTable, DEFAULT_CAPACITY } from '../../../../src/middlewares/rate-limit/bucket-table.js';
import { rateParams, reserve } from '../../../../src/middlewares/rate-limit/token-bucket.js';

const p = rateParams({ average: 100, period: 1000, burst: 5 });

void describe('BucketTable', () => {
  void it('keeps one bucket per source', () => {
    const t = new BucketTable(p);
    const a = t.get('a', 0);
    reserve(a, p, 0);
    assert.equal(t.get('a', 1), a);
    assert.notEqual(t.get('b', 1), a);
    assert.equal(t.size, 2);
    // An untouched (full) bucket is dropped by the next new source's sweep: a new one is the same.
    t.get('c', 1);
    assert.equal(t.size, 2);
  });

  void it("defaults to Traefik's 65536 sources", () => {
    assert.equal(DEFAULT_CAPACITY, 65536);
  });

  void it('never holds more than its capacity, however many busy sources come', () => {
    const t = new BucketTable(p, 100);
    for (let i = 0; i < 20_000; i++) {
      const b = t.get(`s${i}`, 0);
      reserve(b, p, 0); // busy: not full
      assert.ok(t.size <= 100, `size ${t.size} after ${i + 1}`);
    }
    // The source just added is there.
    const last = t.get('s19999', 0);
    assert.ok(last.tokens < 5);
  });

  void it('drops buckets that refilled, so idle sources cost no memory', () => {
    const t = new BucketTable(p, 100_000);
    for (let i = 0; i < 1000; i++) reserve(t.get(`old${i}`, 0), p, 0);
    assert.equal(t.size, 1000);
    // 5 tokens refill in 50ms: at 1s every old bucket is full again.
    for (let i = 0; i < 1000; i++) reserve(t.get(`new${i}`, 1000), p, 1000);
    assert.ok(t.size <= 1001, `size ${t.size}`);
  });

  void it('keeps buckets that are still refilling (their state matters)', () => {
    const t = new BucketTable(p, 100_000);
    const busy = t.get('busy', 0);
    for (let i = 0; i < 5; i++) reserve(busy, p, 0);
    for (let i = 0; i < 100; i++) t.get(`other${i}`, 10);
    assert.equal(t.get('busy', 10), busy);
  });

  void it('stays flat under a stream of one-off sources over time', () => {
    const t = new BucketTable(p, 65536);
    let max = 0;
    // 200,000 distinct sources, one request each, 10 per millisecond.
    for (let i = 0; i < 200_000; i++) {
      const now = i / 10;
      reserve(t.get(`ip${i}`, now), p, now);
      if (t.size > max) max = t.size;
    }
    // A bucket of 5 refills 1 token in 10ms: only the last ~10ms of sources (about 100) are busy.
    assert.ok(max < 1000, `max size ${max}`);
  });
});
