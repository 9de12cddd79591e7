import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../../src/config/paths/duration.js';

void describe('parseDuration', () => {
  const cases: { desc: string; text: string; ms: number | undefined }[] = [
    { desc: 'bare integer = seconds', text: '10', ms: 10_000 },
    { desc: 'bare decimal = seconds', text: '2.5', ms: 2500 },
    { desc: 'zero', text: '0', ms: 0 },
    { desc: 'seconds', text: '10s', ms: 10_000 },
    { desc: 'minutes and seconds', text: '1m30s', ms: 90_000 },
    { desc: 'milliseconds', text: '250ms', ms: 250 },
    { desc: 'hours', text: '1h', ms: 3_600_000 },
    { desc: 'fractional hours', text: '1.5h', ms: 5_400_000 },
    { desc: 'micro and nano seconds', text: '1500us500000ns', ms: 2 },
    { desc: 'micro sign', text: '1000µs', ms: 1 },
    { desc: 'negative', text: '-1s', ms: -1000 },
    { desc: 'surrounding spaces', text: ' 5s ', ms: 5000 },
    { desc: 'unknown unit', text: '5d', ms: undefined },
    { desc: 'missing number', text: 's', ms: undefined },
    { desc: 'words', text: 'ten seconds', ms: undefined },
    { desc: 'empty', text: '', ms: undefined },
    { desc: 'sign only', text: '-', ms: undefined },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(parseDuration(c.text), c.ms));
  }
});

void describe('formatDuration', () => {
  const cases: { desc: string; ms: number; text: string }[] = [
    { desc: 'zero', ms: 0, text: '0s' },
    { desc: 'milliseconds', ms: 250, text: '250ms' },
    { desc: 'seconds', ms: 10_000, text: '10s' },
    { desc: 'minutes', ms: 90_000, text: '1m30s' },
    { desc: 'hours', ms: 3_600_000, text: '1h0m0s' },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(formatDuration(c.ms), c.text));
  }
});
