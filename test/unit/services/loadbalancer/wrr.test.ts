import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SmoothWeightedRoundRobin } from '../../../../src/services/loadbalancer/wrr.js';

function sequence(weights: Record<string, number>, n: number): string {
  const wrr = new SmoothWeightedRoundRobin(Object.entries(weights).map(([value, weight]) => ({ value, weight })));
  let out = '';
  for (let i = 0; i < n; i++) out += wrr.next() ?? '-';
  return out;
}

void describe('SmoothWeightedRoundRobin', () => {
  const cases = [
    { desc: 'weights 3:1 interleave (a a b a), not a a a b', weights: { a: 3, b: 1 }, n: 8, want: 'aabaaaba' },
    { desc: 'equal weights: plain round robin in list order', weights: { a: 1, b: 1, c: 1 }, n: 6, want: 'abcabc' },
    { desc: 'weights 1:3 (order matters only for ties)', weights: { a: 1, b: 3 }, n: 8, want: 'bbabbbab' },
    { desc: 'weights 2:1', weights: { a: 2, b: 1 }, n: 6, want: 'abaaba' },
    { desc: 'weights 5:1:1 (EDF: ties at whole deadlines go to the longest waiting)', weights: { a: 5, b: 1, c: 1 }, n: 14, want: 'aaaabcaaaaabca' },
    { desc: 'weight 0 is never picked', weights: { a: 0, b: 1 }, n: 4, want: 'bbbb' },
    { desc: 'negative weight is never picked', weights: { a: -2, b: 1, c: 1 }, n: 4, want: 'bcbc' },
    { desc: 'all weights 0: nothing to pick', weights: { a: 0, b: 0 }, n: 2, want: '--' },
    { desc: 'no items', weights: {}, n: 2, want: '--' },
    { desc: 'single item', weights: { a: 7 }, n: 3, want: 'aaa' },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(sequence(c.weights, c.n), c.want);
    });
  }

  void it('5:1:1: every period of 7 holds 5 a, 1 b, 1 c', () => {
    const s = sequence({ a: 5, b: 1, c: 1 }, 70);
    for (let p = 0; p < 70; p += 7) {
      const period = s.slice(p, p + 7);
      assert.equal([...period].filter((x) => x === 'a').length, 5, period);
      assert.equal([...period].filter((x) => x === 'b').length, 1, period);
    }
  });

  void it('is deterministic: same input, same sequence', () => {
    assert.equal(sequence({ a: 3, b: 2, c: 7 }, 100), sequence({ a: 3, b: 2, c: 7 }, 100));
  });

  void it('property: after k * sum(weights) picks each item was picked exactly k * weight times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), (weights, k) => {
        const items = weights.map((weight, value) => ({ value, weight }));
        const wrr = new SmoothWeightedRoundRobin(items);
        const total = weights.reduce((a, b) => a + b, 0);
        const counts = new Array<number>(weights.length).fill(0);
        for (let i = 0; i < k * total; i++) {
          const v = wrr.next();
          assert.notEqual(v, undefined);
          counts[v as number] = (counts[v as number] as number) + 1;
        }
        assert.deepEqual(counts, weights.map((w) => k * w));
      }),
    );
  });

  void it('property: picks stay close to the ideal share at every step (lag below the number of items)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 2, maxLength: 6 }), (weights) => {
        const wrr = new SmoothWeightedRoundRobin(weights.map((weight, value) => ({ value, weight })));
        const total = weights.reduce((a, b) => a + b, 0);
        const counts = new Array<number>(weights.length).fill(0);
        for (let m = 1; m <= total * 3; m++) {
          const v = wrr.next() as number;
          counts[v] = (counts[v] as number) + 1;
          weights.forEach((w, i) => {
            const lag = Math.abs((counts[i] as number) - (m * w) / total);
            assert.ok(lag <= weights.length, `item ${i} lag ${lag} after ${m} picks`);
          });
        }
      }),
    );
  });
});
