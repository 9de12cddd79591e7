import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration, type DurationOptions } from '../../../../src/config/paths/duration.js';

/** Both ways of reading: as Traefik (dynamic configuration, the default) and the static decoder's. */
const TRAEFIK: DurationOptions = {};
const STATIC: DurationOptions = { fractionalSeconds: true };
const BOTH = [TRAEFIK, STATIC];

void describe('parseDuration', () => {
  const cases: { desc: string; input: string | number | bigint; want: number | undefined; options: DurationOptions[] }[] = [
    { desc: 'bare integer text is seconds', input: '10', want: 10_000, options: BOTH },
    { desc: 'bare integer number is seconds', input: 3, want: 3000, options: BOTH },
    { desc: 'bigint is seconds', input: 2n, want: 2000, options: BOTH },
    { desc: 'zero', input: '0', want: 0, options: BOTH },
    { desc: 'negative seconds', input: '-1', want: -1000, options: BOTH },
    { desc: 'milliseconds', input: '100ms', want: 100, options: BOTH },
    { desc: 'compound', input: '1h2m3s', want: 3_723_000, options: BOTH },
    { desc: 'fractional hours', input: '1.5h', want: 5_400_000, options: BOTH },
    { desc: 'micro and nano seconds', input: '500us', want: 0.5, options: BOTH },
    { desc: 'micro sign', input: '2µs', want: 0.002, options: BOTH },
    { desc: 'negative Go duration', input: '-1ms', want: -1, options: BOTH },
    { desc: 'leading dot', input: '.5s', want: 500, options: BOTH },
    { desc: 'float without unit is rejected', input: '1.5', want: undefined, options: [TRAEFIK] },
    { desc: 'float number is rejected', input: 1.5, want: undefined, options: [TRAEFIK] },
    { desc: 'unknown unit', input: '3d', want: undefined, options: BOTH },
    { desc: 'empty', input: '', want: undefined, options: BOTH },
    { desc: 'garbage', input: 'soon', want: undefined, options: BOTH },
    { desc: 'bare decimal = seconds', input: '2.5', want: 2500, options: [STATIC] },
    { desc: 'seconds', input: '10s', want: 10_000, options: BOTH },
    { desc: 'minutes and seconds', input: '1m30s', want: 90_000, options: BOTH },
    { desc: 'more milliseconds', input: '250ms', want: 250, options: BOTH },
    { desc: 'hours', input: '1h', want: 3_600_000, options: BOTH },
    { desc: 'micro and nano seconds together', input: '1500us500000ns', want: 2, options: BOTH },
    { desc: 'micro sign, a whole millisecond', input: '1000µs', want: 1, options: BOTH },
    { desc: 'negative', input: '-1s', want: -1000, options: BOTH },
    { desc: 'surrounding spaces', input: ' 5s ', want: 5000, options: BOTH },
    { desc: 'days are no Go unit', input: '5d', want: undefined, options: BOTH },
    { desc: 'missing number', input: 's', want: undefined, options: BOTH },
    { desc: 'words', input: 'ten seconds', want: undefined, options: BOTH },
    { desc: 'sign only', input: '-', want: undefined, options: BOTH },
    { desc: 'fractional number of seconds', input: 1.5, want: 1500, options: [STATIC] },
    { desc: 'leading dot, no unit', input: '.5', want: 500, options: [STATIC] },
    { desc: 'leading dot, no unit, as Traefik', input: '.5', want: undefined, options: [TRAEFIK] },
    { desc: 'too large for a number', input: '9'.repeat(400), want: undefined, options: BOTH },
    { desc: 'too large in a unit', input: `${'9'.repeat(400)}ms`, want: undefined, options: BOTH },
  ];
  for (const c of cases) {
    for (const options of c.options) {
      const how = options.fractionalSeconds === true ? 'fractional seconds' : 'as Traefik';
      void it(`${c.desc} (${how})`, () => {
        const got = parseDuration(c.input, options);
        if (c.want === undefined || got === undefined || Number.isInteger(c.want)) assert.equal(got, c.want);
        else assert.ok(Math.abs(got - c.want) < 1e-9, `${got} != ${c.want}`);
      });
    }
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
