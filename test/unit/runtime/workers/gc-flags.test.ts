import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SINGLE_THREADED_GC, dataPathExecArgv } from '../../../../src/runtime/workers/gc-flags.js';

describe('dataPathExecArgv', () => {
  it('adds --single-threaded-gc when the processes leave no CPU to spare', () => {
    assert.deepEqual(dataPathExecArgv([], 1, 1), [SINGLE_THREADED_GC]);
    assert.deepEqual(dataPathExecArgv(['--enable-source-maps'], 2, 2), ['--enable-source-maps', SINGLE_THREADED_GC]);
    assert.deepEqual(dataPathExecArgv([], 4, 2), [SINGLE_THREADED_GC]);
  });

  it('leaves V8 its helper threads when there are CPUs to spare', () => {
    assert.deepEqual(dataPathExecArgv([], 1, 2), []);
    assert.deepEqual(dataPathExecArgv(['--max-old-space-size=512'], 3, 8), ['--max-old-space-size=512']);
  });

  it('keeps what the node arguments already say about the collector threads, and copies them', () => {
    for (const given of ['--single-threaded-gc', '--no-single-threaded-gc', '--single-threaded', '--single_threaded_gc', '--no-concurrent-marking', '--parallel-scavenge', '--v8-pool-size=0']) {
      const argv = ['--enable-source-maps', given];
      const out = dataPathExecArgv(argv, 2, 1);
      assert.deepEqual(out, argv, given);
      assert.notEqual(out, argv);
    }
    // A flag that only starts like one of them is not one of them.
    assert.deepEqual(dataPathExecArgv(['--single-threaded-gc-x'], 1, 1), ['--single-threaded-gc-x', SINGLE_THREADED_GC]);
  });
});
