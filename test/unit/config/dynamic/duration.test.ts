import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationMs } from '../../../../src/config/dynamic/schema/duration.js';

void describe('parseDurationMs (Traefik/paerser durations)', () => {
  const cases: { desc: string; input: string | number | bigint; want: number | undefined }[] = [
    { desc: 'bare integer text is seconds', input: '10', want: 10_000 },
    { desc: 'bare integer number is seconds', input: 3, want: 3000 },
    { desc: 'bigint is seconds', input: 2n, want: 2000 },
    { desc: 'zero', input: '0', want: 0 },
    { desc: 'negative seconds', input: '-1', want: -1000 },
    { desc: 'milliseconds', input: '100ms', want: 100 },
    { desc: 'compound', input: '1h2m3s', want: 3_723_000 },
    { desc: 'fractional hours', input: '1.5h', want: 5_400_000 },
    { desc: 'micro and nano seconds', input: '500us', want: 0.5 },
    { desc: 'micro sign', input: '2µs', want: 0.002 },
    { desc: 'negative Go duration', input: '-1ms', want: -1 },
    { desc: 'leading dot', input: '.5s', want: 500 },
    { desc: 'float without unit is rejected', input: '1.5', want: undefined },
    { desc: 'float number is rejected', input: 1.5, want: undefined },
    { desc: 'unknown unit', input: '3d', want: undefined },
    { desc: 'empty', input: '', want: undefined },
    { desc: 'garbage', input: 'soon', want: undefined },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const got = parseDurationMs(c.input);
      if (c.want === undefined || got === undefined) assert.equal(got, c.want);
      else assert.ok(Math.abs(got - c.want) < 1e-9, `${got} != ${c.want}`);
    });
  }
});
