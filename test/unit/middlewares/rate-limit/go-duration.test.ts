/** Go's time.Duration.String() for X-Retry-In. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoDuration } from '../../../../src/middlewares/rate-limit/go-duration.js';

void describe('formatGoDuration', () => {
  const cases: { desc: string; ns: number; want: string }[] = [
    { desc: 'zero', ns: 0, want: '0s' },
    { desc: 'nanoseconds', ns: 42, want: '42ns' },
    { desc: 'microseconds', ns: 1500, want: '1.5µs' },
    { desc: 'milliseconds with fraction', ns: 9_500_000, want: '9.5ms' },
    { desc: 'whole milliseconds', ns: 100_000_000, want: '100ms' },
    { desc: 'sub-ms digits kept', ns: 4_999_999, want: '4.999999ms' },
    { desc: 'one second', ns: 1e9, want: '1s' },
    { desc: 'seconds with nanoseconds', ns: 59_999_999_999, want: '59.999999999s' },
    { desc: 'one minute', ns: 60e9, want: '1m0s' },
    { desc: 'hours', ns: 3_723_500_000_000, want: '1h2m3.5s' },
    { desc: 'negative', ns: -1_500_000, want: '-1.5ms' },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(formatGoDuration(c.ns), c.want));
  }
});
