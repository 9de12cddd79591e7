/**
 * After a large read, V8's string table is resized to what it holds once a string goes in after a
 * full collection (src/scheduling/string-table.ts): one after each of the next two full
 * collections, and none before. What it gives back is measured by the scale bench (docs/
 * benchmarks.md): in a test process other work puts strings in too, which hides it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { shrinkStringTableSoon, stringTableNudges } from '../../../src/scheduling/string-table.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

/** Full collections (each followed by a turn for finalizers) until `n` nudges were made; bounded. */
async function untilNudges(n: number): Promise<number> {
  for (let i = 0; i < 10 && stringTableNudges() < n; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return stringTableNudges();
}

void describe('shrinkStringTableSoon', () => {
  void it('puts a string in after each of the next two full collections, then can be asked again', async () => {
    const start = stringTableNudges();
    shrinkStringTableSoon();
    shrinkStringTableSoon();
    assert.equal(stringTableNudges(), start, 'nothing before a collection');
    // A young-generation collection does not free the large-object sentinel.
    gc({ type: 'minor' });
    await new Promise((r) => setImmediate(r));
    assert.equal(stringTableNudges(), start, 'nothing after a minor collection');
    assert.equal(await untilNudges(start + 2), start + 2);
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(stringTableNudges(), start + 2, 'two rounds, no more (the second call was the same shrink)');
    shrinkStringTableSoon();
    assert.equal(await untilNudges(start + 4), start + 4);
  });
});
