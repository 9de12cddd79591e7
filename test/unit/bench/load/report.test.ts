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
  const samples = new Map<TargetName, Sample[]>([
    ['undici', [sample(1, 6000), sample(2, 8000)]],
    ['caddy', [sample(1, 7500), sample(2, 8000, { non2xx: 2, socketErrors: 1 })]],
    ['nginx', [sample(1, 30000), sample(2, 32000)]],
  ]);

  void it('takes ratios to nginx, Caddy and undici, sums non-2xx and errors, sorts in table order', () => {
    const rows = buildRows(samples);
    assert.deepEqual(
      rows.map((r) => r.target),
      ['nginx', 'caddy', 'undici'],
    );
    const [nginx, caddy] = rows;
    assert.equal(nginx?.xNginx, 1);
    assert.equal(caddy?.xNginx, 0.25);
    assert.equal(caddy?.xCaddy, 1);
    assert.equal(caddy?.xUndici, (7500 / 6000 + 1) / 2);
    assert.equal(caddy?.non2xx, 2);
    assert.equal(caddy?.socketErrors, 1);
    const table = formatTable(rows);
    assert.match(table, /\| nginx +\| +31,000 \|/);
    assert.equal(table.split('\n').length, 5);
    assert.doesNotMatch(table.split('\n')[0] ?? '', /note/);
  });

  void it('adds rows that only carry a note (n/a, skipped) in table order, with a note column', () => {
    const rows = buildRows(
      samples,
      new Map<TargetName, string>([
        ['haproxy', 'skipped: haproxy not installed'],
        ['turnpike-1', 'n/a (HTTP/2 lands with issue 5)'],
      ]),
    );
    assert.deepEqual(
      rows.map((r) => r.target),
      ['turnpike-1', 'nginx', 'haproxy', 'caddy', 'undici'],
    );
    const table = formatTable(rows);
    assert.match(table.split('\n')[0] ?? '', /\| note +\|$/);
    assert.match(table, /\| HAProxy +\| +- \|.*\| skipped: haproxy not installed +\|/);
    assert.match(table, /\| Turnpike, 1 router +\| +- \|.*\| n\/a \(HTTP\/2 lands with issue 5\) \|/);
  });

  void it('a note does not hide measured figures of the same target', () => {
    const rows = buildRows(samples, new Map<TargetName, string>([['nginx', 'failed: later round']]));
    assert.equal(rows.find((r) => r.target === 'nginx')?.note, undefined);
  });
});
