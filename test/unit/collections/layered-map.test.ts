import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LayeredMap } from '../../../src/collections/layered-map.js';

/** Runs a generator to its end. */
function run<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

function sameAs(layered: ReadonlyMap<string, number>, want: ReadonlyMap<string, number>, what: string): void {
  assert.equal(layered.size, want.size, `${what}: size`);
  assert.deepEqual(new Map([...layered].sort((a, b) => (a[0] < b[0] ? -1 : 1))), new Map([...want].sort((a, b) => (a[0] < b[0] ? -1 : 1))), `${what}: entries`);
  for (let k = 0; k < 200; k += 3) {
    const key = `k${k}`;
    assert.equal(layered.get(key), want.get(key), `${what}: get ${key}`);
    assert.equal(layered.has(key), want.has(key), `${what}: has ${key}`);
  }
  assert.deepEqual([...layered.keys()], [...layered.entries()].map(([k]) => k));
  assert.deepEqual([...layered.values()], [...layered.entries()].map(([, v]) => v));
}

// 200 keys: enough changed keys for an overlay to pass 64 and a new base to be made.
const keyArb = fc.nat(199).map((k) => `k${k}`);
const change = fc.record({
  set: fc.array(fc.tuple(keyArb, fc.integer()), { maxLength: 8 }),
  removed: fc.array(keyArb, { maxLength: 8 }),
});

void describe('LayeredMap', () => {
  void it('a chain of derived maps holds what a copied Map would, and each earlier map stays as it was', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.integer()), { maxLength: 120 }), fc.array(change, { minLength: 1, maxLength: 60 }), (initial, changes) => {
        let want = new Map(initial);
        let layered = LayeredMap.of(new Map(initial));
        const history: [ReadonlyMap<string, number>, Map<string, number>][] = [];
        for (const c of changes) {
          history.push([layered, want]);
          const set = new Map(c.set);
          want = new Map(want);
          for (const k of c.removed) if (!set.has(k)) want.delete(k);
          for (const [k, v] of set) want.set(k, v);
          layered = run(LayeredMap.derive(layered, set, c.removed));
          sameAs(layered, want, 'derived');
        }
        for (const [m, w] of history) sameAs(m, w, 'earlier');
      }),
      { numRuns: 200 },
    );
  });

  void it('makes a new base once the overlay outgrows an eighth of the base, yielding while it copies', () => {
    const base = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) base.set(`r${i}`, i);
    let m = LayeredMap.of(base);
    let yields = 0;
    const earlier: LayeredMap<string, number>[] = [];
    for (let i = 0; i < 2_600; i++) {
      if (i % 500 === 0) earlier.push(m);
      const steps = LayeredMap.derive(m, new Map([[`n${i}`, i]]), [`r${i}`]);
      for (;;) {
        const r = steps.next();
        if (r.done === true) {
          m = r.value;
          break;
        }
        yields++;
      }
    }
    assert.ok(yields > 0, 'the new base was copied in slices');
    assert.equal(m.size, 20_000);
    assert.equal(m.get('r5'), undefined);
    assert.equal(m.get('n5'), 5);
    assert.equal(m.get('r19999'), 19_999);
    assert.equal(base.size, 20_000, 'the first base is untouched');
    // Each earlier map still holds what it held: r<i> gone and n<i> there for i below its step.
    earlier.forEach((e, j) => {
      const upTo = j * 500;
      assert.equal(e.size, 20_000);
      if (upTo > 0) {
        assert.equal(e.get(`r${upTo - 1}`), undefined);
        assert.equal(e.get(`n${upTo - 1}`), upTo - 1);
      }
      assert.equal(e.get(`r${upTo}`), upTo);
      assert.equal(e.get(`n${upTo}`), undefined);
    });
  });

  void it('derives nothing new for no change', () => {
    const m = LayeredMap.of(new Map([['a', 1]]));
    assert.equal(run(LayeredMap.derive(m, new Map(), [])), m);
  });
});
