/** In-flight counters: at most `amount` per source, sources forgotten at zero. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InFlightCounters } from '../../../../src/middlewares/in-flight-req/in-flight-req.js';

void describe('InFlightCounters', () => {
  void it('admits up to amount per source, independently per source', () => {
    const c = new InFlightCounters(2);
    assert.ok(c.acquire('a'));
    assert.ok(c.acquire('a'));
    assert.ok(!c.acquire('a'));
    assert.ok(c.acquire('b'));
    assert.equal(c.count('a'), 2);
    c.release('a');
    assert.ok(c.acquire('a'));
  });

  void it('forgets a source whose count falls to zero (memory follows what is in flight)', () => {
    const c = new InFlightCounters(1);
    for (let i = 0; i < 1000; i++) c.acquire(`s${i}`);
    assert.equal(c.sources, 1000);
    for (let i = 0; i < 1000; i++) c.release(`s${i}`);
    assert.equal(c.sources, 0);
  });
});
