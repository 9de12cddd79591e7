/**
 * The young generation's limit (src/runtime/young-generation.ts): the limit for each configuration
 * size, the node arguments that turn it off, the growth factor it sets, and, in a child process of
 * real V8, that the new space stops at the limit where it would otherwise have grown past it.
 * What it saves in RSS under load is measured by the scale bench (docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { MIN_SEMI_SPACE, YoungGenerationLimit, semiSpaceLimit, youngGenerationLimit, youngGenerationSetByUser, type YoungGenerationHeap } from '../../../src/runtime/young-generation.js';

const MB = 1024 * 1024;

/** A heap whose semi-space size the test sets, recording the factors set and the checks asked for. */
function fakeHeap(): YoungGenerationHeap & { semi: number; factors: number[]; check: (() => void) | undefined; stopped: number } {
  const h = {
    semi: 1 * MB,
    factors: [] as number[],
    check: undefined as (() => void) | undefined,
    stopped: 0,
    semiSpace: () => h.semi,
    setGrowthFactor: (f: number) => void h.factors.push(f),
    afterCollections: (check: () => void) => {
      h.check = check;
      return () => {
        h.stopped++;
        h.check = undefined;
      };
    },
  };
  return h;
}

/** A collection happened: the limit's check runs (if it watches). */
function collected(heap: { check: (() => void) | undefined }): void {
  heap.check?.();
}

void describe('semiSpaceLimit', () => {
  void it('gives 1 KB of semi-space per object of the largest collection, as a power of two from 4 MB, and none from V8 s 16 MB', () => {
    assert.equal(semiSpaceLimit(0), 4 * MB);
    assert.equal(semiSpaceLimit(10), 4 * MB);
    assert.equal(semiSpaceLimit(4096), 4 * MB);
    assert.equal(semiSpaceLimit(4097), 8 * MB);
    assert.equal(semiSpaceLimit(6000), 8 * MB);
    assert.equal(semiSpaceLimit(8192), 8 * MB);
    assert.equal(semiSpaceLimit(8193), Infinity);
    assert.equal(semiSpaceLimit(10_000), Infinity);
    assert.equal(semiSpaceLimit(100_000), Infinity);
    assert.equal(MIN_SEMI_SPACE, 4 * MB);
  });
});

void describe('youngGenerationSetByUser', () => {
  void it('sees node arguments and NODE_OPTIONS that size the young generation or its growth', () => {
    for (const flag of ['--max-semi-space-size=8', '--max_semi_space_size=8', '--min-semi-space-size=2', '--semi-space-growth-factor=4', '--semi_space_growth_factor=1']) {
      assert.equal(youngGenerationSetByUser([flag], undefined), true, flag);
      assert.equal(youngGenerationSetByUser([], `--enable-source-maps ${flag}`), true, `NODE_OPTIONS ${flag}`);
    }
    assert.equal(youngGenerationLimit(['--max-semi-space-size=8'], undefined), undefined);
  });

  void it('leaves other arguments alone', () => {
    assert.equal(youngGenerationSetByUser(['--single-threaded-gc', '--max-old-space-size=512'], '--enable-source-maps'), false);
    assert.equal(youngGenerationSetByUser(['--max-semi-space-size-x=8'], undefined), false);
    assert.equal(youngGenerationSetByUser([], '--max-old-space-size=64'), false);
    assert.ok(youngGenerationLimit([], undefined) instanceof YoungGenerationLimit);
  });
});

void describe('YoungGenerationLimit', () => {
  void it('lets the new space grow below the limit and holds it at the limit, checking after each collection', () => {
    const heap = fakeHeap();
    const young = new YoungGenerationLimit(heap);
    assert.equal(young.limit, Infinity);
    assert.equal(heap.check, undefined, 'nothing watched before a configuration');
    young.fit(10);
    assert.equal(young.limit, 4 * MB);
    assert.deepEqual(heap.factors, [2], 'below the limit: V8 s factor');
    heap.semi = 2 * MB;
    collected(heap);
    assert.deepEqual(heap.factors, [2], 'set only when it changes');
    heap.semi = 4 * MB;
    collected(heap);
    assert.deepEqual(heap.factors, [2, 1], 'at the limit: held');
    collected(heap);
    assert.deepEqual(heap.factors, [2, 1]);
    // A larger configuration raises the limit: growth again.
    young.fit(6000);
    assert.equal(young.limit, 8 * MB);
    assert.deepEqual(heap.factors, [2, 1, 2]);
    heap.semi = 8 * MB;
    collected(heap);
    assert.deepEqual(heap.factors, [2, 1, 2, 1]);
    // No limit from V8's maximum on.
    young.fit(20_000);
    assert.deepEqual(heap.factors, [2, 1, 2, 1, 2]);
    // Shrunk by V8 (an idle process) under a smaller configuration's limit: it may grow back to it.
    young.fit(10);
    assert.deepEqual(heap.factors, [2, 1, 2, 1, 2, 1]);
    heap.semi = 1 * MB;
    collected(heap);
    assert.deepEqual(heap.factors, [2, 1, 2, 1, 2, 1, 2]);
  });

  void it('stops watching on close and gives V8 its factor back', () => {
    const heap = fakeHeap();
    const young = new YoungGenerationLimit(heap);
    heap.semi = 4 * MB;
    young.fit(10);
    assert.deepEqual(heap.factors, [1]);
    young.close();
    assert.equal(heap.stopped, 1);
    assert.equal(heap.check, undefined);
    assert.deepEqual(heap.factors, [1, 2]);
    assert.equal(young.limit, Infinity);
    young.close();
    assert.equal(heap.stopped, 1, 'a second close does nothing');
  });

  /**
   * A child process of real V8 that makes objects surviving a few scavenges each, a chunk at a time
   * with a turn of the event loop between chunks (the collections' observer runs then, as between
   * requests). `before` chunks run first with no limit, then `fit(objects)` (none if negative) and
   * 400 more; it prints the semi-space size (committed, halved) at start, when `fit` was called,
   * and the largest after. V8's maximum is given (16 MB), since by default it depends on the
   * machine's memory.
   */
  function child(objects: number, growFirstTo = 0): Promise<{ start: number; atFit: number; max: number }> {
    const moduleUrl = new URL('../../../src/runtime/young-generation.js', import.meta.url).href;
    const script = `
      import { getHeapSpaceStatistics } from 'node:v8';
      const { YoungGenerationLimit } = await import(${JSON.stringify(moduleUrl)});
      const young = new YoungGenerationLimit();
      const semi = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2;
      let keep = [];
      const chunk = () => { for (let i = 0; i < 10000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 30000) keep = []; } };
      const start = semi();
      for (let n = 0; n < 2000 && semi() < ${growFirstTo}; n++) { chunk(); await new Promise((r) => setImmediate(r)); }
      const atFit = semi();
      if (${objects} >= 0) young.fit(${objects});
      let max = 0;
      for (let n = 0; n < 400; n++) {
        chunk();
        max = Math.max(max, semi());
        await new Promise((r) => setImmediate(r));
      }
      young.close();
      console.log(JSON.stringify({ start, atFit, max }));`;
    return new Promise((resolve, reject) => {
      execFile(process.execPath, ['--max-semi-space-size=16', '--input-type=module', '-e', script], { timeout: 60_000 }, (err, out) =>
        err ? reject(new Error(err.message)) : resolve(JSON.parse(out) as { start: number; atFit: number; max: number }),
      );
    });
  }

  void it('keeps a real new space at the limit where V8 would have grown it to its maximum', async () => {
    const [limited, unlimited] = await Promise.all([child(10), child(-1)]);
    assert.ok(unlimited.max >= 8 * MB, `without a limit the new space grows past 4 MB per semi-space: ${unlimited.max / MB} MB`);
    assert.ok(limited.start < 4 * MB, `it starts below the limit: ${limited.start / MB} MB`);
    assert.equal(limited.max, 4 * MB, `held at the limit: ${limited.max / MB} MB`);
  });

  void it('holds a real new space that grew past the limit before it was set where it is (V8 shrinks it when idle)', async () => {
    const grown = await child(10, 8 * MB);
    assert.equal(grown.atFit, 8 * MB, `grown first: ${grown.atFit / MB} MB`);
    assert.equal(grown.max, 8 * MB, `neither grown further nor shrunk while busy: ${grown.max / MB} MB`);
  });
});
