import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetName } from '../../../../bench/load/options.js';
import { buildRows, formatTable, median, ratioByRound, type Sample } from '../../../../bench/load/report.js';

function sample(round: number, requestsPerSec: number, extra: Partial<Sample> = {}): Sample {
  return { round, requestsPerSec, requests: requestsPerSec * 10, p50Ms: 1, p99Ms: 2, non2xx: 0, socketErrors: 0, cpuUsPerRequest: 20, rssMiB: 10, otherCpuPct: 1, ...extra };
}

void describe('median', () => {
  const cases = [
    { desc: 'odd count', input: [3, 1, 2], want: 2 },
    { desc: 'even count', input: [4, 1, 3, 2], want: 2.5 },
    { desc: 'one value', input: [7], want: 7 },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(median(c.input), c.want));
  void it('is NaN for nothing', () => assert.ok(Number.isNaN(median([]))));
});

void describe('ratioByRound', () => {
  void it('takes the median of ratios inside each round, not the ratio of medians', () => {
    // The machine drifts: round 2 is twice as fast for both targets.
    const a = [sample(1, 100), sample(2, 200), sample(3, 90)];
    const b = [sample(1, 200), sample(2, 400), sample(3, 100)];
    assert.equal(ratioByRound(a, b), 0.5);
  });
  void it('is undefined without the reference target', () => assert.equal(ratioByRound([sample(1, 1)], undefined), undefined));
});

void describe('buildRows / formatTable', () => {
  void it('gives nginx 1.00 x nginx and sums errors', () => {
    const samples = new Map<TargetName, Sample[]>([
      ['nginx', [sample(1, 30000), sample(2, 32000)]],
      ['caddy', [sample(1, 7500), sample(2, 8000, { non2xx: 2 })]],
    ]);
    const rows = buildRows(samples);
    assert.equal(rows[0]?.xNginx, 1);
    assert.equal(rows[1]?.xNginx, 0.25);
    assert.equal(rows[1]?.xCaddy, 1);
    assert.equal(rows[1]?.errors, 2);
    const table = formatTable(rows);
    assert.match(table, /\| nginx \(reverse proxy\) +\| +31,000 \|/);
    assert.equal(table.split('\n').length, 4);
  });
});
