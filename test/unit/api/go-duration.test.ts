/** formatGoDuration prints milliseconds as Go's time.Duration.String() does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatGoDuration } from '../../../src/api/go-duration.js';

void describe('formatGoDuration', () => {
  const cases: { desc: string; ms: number; want: string }[] = [
    { desc: 'zero', ms: 0, want: '0s' },
    { desc: 'milliseconds', ms: 100, want: '100ms' },
    { desc: 'fractional seconds', ms: 1500, want: '1.5s' },
    { desc: 'whole seconds', ms: 10_000, want: '10s' },
    { desc: 'minutes and seconds', ms: 90_000, want: '1m30s' },
    { desc: 'a minute', ms: 60_000, want: '1m0s' },
    { desc: 'hours', ms: 3_600_000, want: '1h0m0s' },
    { desc: 'microseconds', ms: 0.0015, want: '1.5µs' },
    { desc: 'nanoseconds', ms: 0.000002, want: '2ns' },
    { desc: 'negative', ms: -100, want: '-100ms' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(formatGoDuration(c.ms), c.want));
});
