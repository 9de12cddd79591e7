import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOGGED_NAMES, logApplied, type ApplySummary } from '../../../src/runtime/runtime.js';
import { captureLogs } from '../../helpers/log-capture.js';

function summary(added: number, changed: number): ApplySummary {
  const names = (n: number, p: string): string[] => Array.from({ length: n }, (_, i) => `${p}${i}@file`);
  return { skipped: false, version: 3, snapshot: 3, routers: added, enabled: added, added: names(added, 'a'), removed: [], changed: names(changed, 'c'), errors: 0, ms: 1.5, diagnostics: [] };
}

void describe('logApplied', () => {
  void it('lists every changed router when there are few', () => {
    const { logger, records } = captureLogs('info');
    logApplied(logger, summary(2, LOGGED_NAMES));
    const line = records.find((r) => r['msg'] === 'configuration applied');
    assert.deepEqual(line?.['added'], ['a0@file', 'a1@file']);
    assert.equal((line?.['changed'] as string[]).length, LOGGED_NAMES);
    assert.equal(line?.['addedCount'], undefined);
    assert.equal(line?.['changedCount'], undefined);
  });

  void it('lists the first names and the count when there are many (a first load of 100,000 routers is not one 1.2 MB line)', () => {
    const { logger, records } = captureLogs('info');
    logApplied(logger, summary(100_000, 0));
    const line = records.find((r) => r['msg'] === 'configuration applied');
    assert.deepEqual(line?.['added'], Array.from({ length: LOGGED_NAMES }, (_, i) => `a${i}@file`));
    assert.equal(line?.['addedCount'], 100_000);
    assert.deepEqual(line?.['removed'], []);
    assert.equal(line?.['routers'], 100_000);
  });
});
