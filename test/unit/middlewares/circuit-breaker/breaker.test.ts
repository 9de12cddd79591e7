/**
 * The circuit breaker's metrics window, latency histogram and state machine, driven by a fake
 * clock (milliseconds): no waiting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Breaker, BreakerState } from '../../../../src/middlewares/circuit-breaker/breaker.js';
import { compileBreakerCondition } from '../../../../src/middlewares/circuit-breaker/conditions.js';
import { LatencyHistogram, RollingLatency, valueAtQuantile } from '../../../../src/middlewares/circuit-breaker/latency-histogram.js';
import { RollingMetrics } from '../../../../src/middlewares/circuit-breaker/rolling-metrics.js';

void describe('rolling metrics window (10 slots of 1 s)', () => {
  void it('counts what happened in the last 10 seconds only', () => {
    const m = new RollingMetrics();
    m.record(502, 1, 1_000);
    m.record(200, 1, 1_500);
    m.record(200, 1, 5_000);
    assert.equal(m.totalCount(5_000), 3);
    assert.equal(m.networkErrorRatio(5_000), 1 / 3);
    // At 10.999 s the slot of second 1 is still in; at 11 s it has rolled out.
    assert.equal(m.totalCount(10_999), 3);
    assert.equal(m.totalCount(11_000), 1);
    assert.equal(m.networkErrorRatio(11_000), 0);
    assert.equal(m.totalCount(15_000), 0);
  });

  void it('reuses a slot when its second comes round again', () => {
    const m = new RollingMetrics();
    m.record(500, 1, 2_100);
    m.record(200, 1, 12_100); // same slot, ten seconds later
    assert.equal(m.totalCount(12_100), 1);
    assert.equal(m.responseCodeRatio(500, 600, 0, 600, 12_100), 0);
  });

  void it('ResponseCodeRatio: from inclusive, to exclusive, 0 when nothing to divide by', () => {
    const m = new RollingMetrics();
    for (const s of [200, 404, 500, 599, 600]) m.record(s, 1, 100);
    assert.equal(m.responseCodeRatio(500, 600, 0, 600, 100), 2 / 4);
    assert.equal(m.responseCodeRatio(500, 599, 200, 201, 100), 1);
    assert.equal(m.responseCodeRatio(500, 600, 300, 400, 100), 0);
  });

  void it('reset forgets everything', () => {
    const m = new RollingMetrics();
    m.record(502, 50, 100);
    m.reset(200);
    assert.equal(m.totalCount(200), 0);
    assert.equal(m.latencyAtQuantileMs(50), 0);
  });
});

void describe('latency histogram', () => {
  const cases = [
    { desc: 'exact below 256 µs', values: [1, 2, 3, 255], q: 100, want: 255 },
    { desc: 'median of equal values', values: [10_000, 10_000, 10_000], q: 50, want: 10_047 },
    { desc: 'empty', values: [], q: 50, want: 0 },
    { desc: 'q 0 reads the first bucket', values: [500, 600], q: 0, want: 0 },
    { desc: 'one hour is the limit', values: [3_600_000_000, 3_600_000_001], q: 100, want: 3_607_101_439 },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const h = new LatencyHistogram();
      for (const v of c.values) h.record(v);
      assert.equal(valueAtQuantile([h], c.q), c.want);
    });
  }

  void it('stays within 1% of the recorded value across the range', () => {
    for (let v = 1; v < 3_600_000_000; v = Math.floor(v * 1.37) + 1) {
      const h = new LatencyHistogram();
      h.record(v);
      const got = valueAtQuantile([h], 50);
      assert.ok(got >= v && got <= v * 1.01, `${v} read back as ${got}`);
    }
  });

  void it('the rolling histogram moves on every 10 s (when recording) and merges its 6 parts', () => {
    const r = new RollingLatency();
    r.record(100, 0);
    for (let i = 1; i <= 5; i++) r.record(1, i * 10_000);
    assert.equal(r.atQuantileMs(100), 100, 'the first part is still in');
    r.record(1, 60_000);
    assert.equal(r.atQuantileMs(100), 1, 'the sixth move cleared the first part');
  });
});

function breaker(expression: string, timings = { checkPeriod: 100, fallbackDuration: 1_000, recoveryDuration: 1_000 }): Breaker {
  return new Breaker(compileBreakerCondition(expression), timings);
}

void describe('circuit breaker states', () => {
  void it('opens when the condition holds at a check, answers the fallback, then recovers and closes', () => {
    const b = breaker('NetworkErrorRatio() > 0.5');
    assert.equal(b.allow(0), true);
    b.observe(502, 1, 1);
    assert.equal(b.state, BreakerState.Open, 'the first response is checked at once');
    assert.equal(b.allow(500), false);
    assert.equal(b.allow(1_000), false, 'still open at exactly fallbackDuration');
    // Recovering: the first request is held back, a growing share goes through.
    assert.equal(b.allow(1_001), false);
    assert.equal(b.state, BreakerState.Recovering);
    const passedAt: number[] = [];
    for (let t = 1_002; t <= 2_001; t++) if (b.allow(t)) passedAt.push(t);
    const firstHalf = passedAt.filter((t) => t < 1_501).length;
    const secondHalf = passedAt.length - firstHalf;
    assert.ok(firstHalf > 0 && secondHalf > firstHalf, `first half ${firstHalf}, second half ${secondHalf}`);
    // The share let through follows 0.5 * elapsed / recoveryDuration: ~500 of 1000 by the end.
    assert.ok(passedAt.length > 450 && passedAt.length <= 500, `${passedAt.length} passed`);
    assert.equal(b.allow(2_002), true, 'past recoveryDuration the breaker closes');
    assert.equal(b.state, BreakerState.Closed);
  });

  void it('checks at most once per checkPeriod', () => {
    const b = breaker('NetworkErrorRatio() > 0.5');
    b.observe(200, 1, 0); // checked: 0 errors
    b.observe(502, 1, 50);
    b.observe(502, 1, 100); // next check only after 100
    assert.equal(b.state, BreakerState.Closed);
    b.observe(502, 1, 101);
    assert.equal(b.state, BreakerState.Open);
  });

  void it('clears the metrics when it opens', () => {
    const b = breaker('NetworkErrorRatio() > 0.5');
    b.observe(502, 1, 1);
    assert.equal(b.metrics.totalCount(1), 0);
  });

  void it('opens again when the condition holds while recovering', () => {
    const b = breaker('ResponseCodeRatio(500, 600, 0, 600) > 0.5');
    b.observe(500, 1, 1);
    assert.equal(b.state, BreakerState.Open);
    let t = 1_002;
    while (!b.allow(t)) t++;
    assert.equal(b.state, BreakerState.Recovering);
    b.observe(500, 1, t);
    assert.equal(b.state, BreakerState.Open);
    assert.equal(b.allow(t + 1), false);
  });

  void it('RequestThreshold() keeps it closed below a volume', () => {
    const b = breaker('NetworkErrorRatio() > 0.5 && RequestThreshold() >= 5');
    for (let i = 0; i < 4; i++) b.observe(502, 1, i * 200);
    assert.equal(b.state, BreakerState.Closed);
    b.observe(502, 1, 1_000);
    assert.equal(b.state, BreakerState.Open);
  });

  void it('trips on latency', () => {
    const b = breaker('LatencyAtQuantileMS(50.0) > 100');
    b.observe(200, 50, 0);
    assert.equal(b.state, BreakerState.Closed);
    b.observe(200, 300, 200);
    b.observe(200, 300, 400);
    assert.equal(b.state, BreakerState.Open);
  });
});
