/**
 * Change notes between versions of a collection record (record-changes.ts): the names a chain of
 * notes links, and that a chain does not keep the records it passes through alive. A forced full GC
 * (V8's gc(), reached through a flag set at run time) shows a record dropped by everything else is
 * collected: the notes hold bases weakly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { changedNames, noteChanges } from '../../../src/providers/record-changes.js';

function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

void describe('record change notes', () => {
  void it('follows a chain of notes and merges their names', () => {
    const a = { x: 1 };
    const b = { x: 2 };
    const c = { x: 2, y: 3 };
    noteChanges(b, a, ['x']);
    noteChanges(c, b, ['y']);
    assert.deepEqual(changedNames(c, c), []);
    assert.deepEqual(changedNames(b, a), ['x']);
    assert.deepEqual([...(changedNames(c, a) ?? [])].sort(), ['x', 'y']);
    assert.equal(changedNames(a, c), undefined, 'no note links them that way');
  });

  void it('does not keep earlier records alive through the chain', async () => {
    const newest = ((): { record: object; first: WeakRef<object>; middle: WeakRef<object> } => {
      let record: object = { v: 0 };
      const first = new WeakRef(record);
      let middle: WeakRef<object> | undefined;
      for (let i = 1; i <= 10; i++) {
        const next = { v: i };
        noteChanges(next, record, [`n${i}`]);
        if (i === 5) middle = new WeakRef(next);
        record = next;
      }
      return { record, first, middle: middle as WeakRef<object> };
    })();
    // WeakRefs hold their targets until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    fullGc();
    assert.equal(newest.first.deref(), undefined, 'the first record was collected');
    assert.equal(newest.middle.deref(), undefined, 'a record in the middle of the chain was collected');
    assert.ok(newest.record !== undefined);
  });

  void it('says it cannot tell when a base in the chain is gone', async () => {
    const kept = { v: 'kept' };
    const last = ((): object => {
      let record: object = kept;
      for (let i = 0; i < 3; i++) {
        const next = { v: i };
        noteChanges(next, record, [`n${i}`]);
        record = next;
      }
      return record;
    })();
    await new Promise((resolve) => setImmediate(resolve));
    fullGc();
    // The two records between `kept` and `last` are gone: the caller compares the records itself.
    assert.equal(changedNames(last, kept), undefined);
  });
});
