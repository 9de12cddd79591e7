/**
 * The process's background queue (scheduling/background.ts): jobs share one budget per turn of
 * the event loop, take turns, and let timers and sockets run between turns.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nextSlice, runSteps, schedule, SLICE_MS } from '../../../src/scheduling/background.js';

/** A generator that spins `ms` per step, `steps` times, and returns `value`. */
function* busy<T>(steps: number, ms: number, value: T, log?: string[], name = ''): Generator<void, T, void> {
  for (let i = 0; i < steps; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until);
    log?.push(name);
    yield;
  }
  return value;
}

void describe('background queue', () => {
  void it('runs a job on a later turn, never within schedule()', async () => {
    let ran = false;
    const done = new Promise<void>((resolve) => {
      schedule({
        run() {
          ran = true;
          resolve();
          return true;
        },
      });
    });
    assert.equal(ran, false);
    await done;
    assert.equal(ran, true);
  });

  void it('two jobs take turns (neither waits for the other to end) and timers run between turns', async () => {
    const log: string[] = [];
    let timerRuns = 0;
    const ticker = setInterval(() => timerRuns++, 0);
    const results = await Promise.all([runSteps(busy(12, 1, 'A', log, 'a')), runSteps(busy(12, 1, 'B', log, 'b'))]);
    clearInterval(ticker);
    assert.deepEqual(results, ['A', 'B']);
    assert.equal(log.length, 24);
    // Job b got its first turn before job a had done all its steps.
    assert.ok(log.indexOf('b') < log.lastIndexOf('a'), log.join(''));
    assert.ok(timerRuns > 0, 'timers ran while the jobs ran');
  });

  void it('one turn runs about SLICE_MS of steps in all, whatever the number of jobs', async () => {
    // Counted in steps, not time, so a busy machine cannot fail it: each step spins 0.5 ms, and a
    // probe on setImmediate sees one turn of the queue between two of its runs at most.
    const STEP_MS = 0.5;
    const counts: number[] = [];
    let steps = 0;
    let stop = false;
    const probe = (): void => {
      counts.push(steps);
      steps = 0;
      if (!stop) setImmediate(probe);
    };
    setImmediate(probe);
    function* counted(n: number): Generator<void, number, void> {
      for (let i = 0; i < n; i++) {
        const until = performance.now() + STEP_MS;
        while (performance.now() < until);
        steps++;
        yield;
      }
      return n;
    }
    await Promise.all([runSteps(counted(30)), runSteps(counted(30)), runSteps(counted(30))]);
    stop = true;
    // A turn stops at the first step that ends past its deadline: SLICE_MS / STEP_MS steps, + 1.
    // Three jobs each yielding on its own budget (as before this queue) ran 3x that in one turn.
    const most = Math.max(...counts);
    assert.ok(most <= SLICE_MS / STEP_MS + 1, `at most ${most} steps ran in one turn`);
  });

  void it('runSteps resolves undefined once cancelled, without running further steps', async () => {
    let steps = 0;
    let cancel = false;
    const result = runSteps(
      (function* () {
        for (;;) {
          steps++;
          if (steps === 3) cancel = true;
          const until = performance.now() + SLICE_MS;
          while (performance.now() < until);
          yield;
        }
      })(),
      () => cancel,
    );
    assert.equal(await result, undefined);
    assert.equal(steps, 3);
  });

  void it('runSteps rejects with what the steps threw; the queue keeps running', async () => {
    const failing = runSteps(
      (function* (): Generator<void, number, void> {
        yield;
        throw new Error('boom');
      })(),
    );
    await assert.rejects(failing, /boom/);
    assert.equal(await runSteps(busy(2, 0, 'after')), 'after');
    await nextSlice();
  });

  void it('a job that throws is dropped, the others keep their turns, and the error is uncaught', () => {
    // In a child process, which records the uncaught exception instead of ending: whether the
    // other job still runs in the failing one's turn depends on the slice's clock (a busy machine
    // may end the turn first), so what is checked is that it runs to its end and the failing job
    // never runs again.
    const module = fileURLToPath(new URL('../../../src/scheduling/background.js', import.meta.url));
    const script = `
      import { schedule } from ${JSON.stringify(module)};
      let failed = 0;
      let other = 0;
      process.on('uncaughtException', (err) => console.log('uncaught ' + err.message));
      schedule({ run() { failed++; throw new Error('job failed'); } });
      schedule({ run() { other++; return other === 3; } });
      process.on('exit', () => console.log('failing ran ' + failed + ', other ran ' + other));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /uncaught job failed/);
    assert.match(r.stdout, /failing ran 1, other ran 3/);
  });
});
