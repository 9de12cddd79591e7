import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationMs, parseBenchOptions, TARGET_NAMES } from '../../../../bench/load/options.js';

const parse = (argv: string[]) => parseBenchOptions(argv, 'dist/src/cli/main.js', (p) => '/abs/' + p);

void describe('parseBenchOptions', () => {
  void it('has the documented defaults', () => {
    const o = parse([]);
    assert.equal(o.duration, '10s');
    assert.equal(o.warmup, '2s');
    assert.equal(o.rounds, 3);
    assert.equal(o.connections, 64);
    assert.deepEqual(o.targets, TARGET_NAMES.filter((t) => t !== 'turnpike-x'));
    assert.equal(o.turnpikeStaticExtra, undefined);
    assert.deepEqual(o.bodies, ['small', '16k']);
    assert.equal(o.h2, 'auto');
    assert.deepEqual(o.h2Bodies, ['small']);
    assert.equal(o.h2Streams, 10);
    assert.equal(o.turnpikeEntry, '/abs/dist/src/cli/main.js');
    assert.equal(o.profileDir, undefined);
    assert.equal(o.markdownOut, undefined);
    assert.equal(o.maxOtherCpu, 10);
    assert.equal(o.keep, false);
  });

  const cases = [
    { desc: 'turnpike expands to the three Turnpike rows, table order kept', only: 'caddy,turnpike', want: ['turnpike-1', 'turnpike-1k', 'turnpike-2w', 'turnpike-mw', 'caddy'] },
    { desc: 'single target', only: 'nginx', want: ['nginx'] },
    { desc: 'turnpike-1000 alias, spaces and case', only: ' Upstream , turnpike-1000', want: ['upstream', 'turnpike-1k'] },
    { desc: 'node alias: the three Node peers', only: 'node,haproxy', want: ['haproxy', 'undici', 'fastify', 'http-proxy'] },
    { desc: 'the new names', only: 'http-proxy,nginx-2w,undici,turnpike-2w,fastify', want: ['turnpike-2w', 'nginx-2w', 'undici', 'fastify', 'http-proxy'] },
  ];
  for (const c of cases) void it(`--only: ${c.desc}`, () => assert.deepEqual(parse(['--only', c.only]).targets, c.want));

  const flags = [
    { desc: '--body 16k', argv: ['--body', '16k'], key: 'bodies', want: ['16k'] },
    { desc: '--body order follows the table', argv: ['--body', '16k,small'], key: 'bodies', want: ['small', '16k'] },
    { desc: '--h2', argv: ['--h2'], key: 'h2', want: 'on' },
    { desc: '--no-h2', argv: ['--no-h2'], key: 'h2', want: 'off' },
    { desc: '--h2-body', argv: ['--h2-body', 'small,16k'], key: 'h2Bodies', want: ['small', '16k'] },
    { desc: '--h2-streams', argv: ['--h2-streams', '4'], key: 'h2Streams', want: 4 },
    { desc: '--markdown resolves the path', argv: ['--markdown', 'r.md'], key: 'markdownOut', want: '/abs/r.md' },
  ] as const;
  for (const c of flags) void it(c.desc, () => assert.deepEqual(parse([...c.argv])[c.key], c.want));

  const bad = [
    { desc: 'unknown target', argv: ['--only', 'traefik'], error: /unknown target/ },
    { desc: 'bad duration', argv: ['--duration', 'ten'], error: /--duration/ },
    { desc: 'zero rounds', argv: ['--rounds', '0'], error: /--rounds/ },
    { desc: 'unknown flag', argv: ['--fast'], error: /Unknown option/ },
    { desc: 'unknown body size', argv: ['--body', '1m'], error: /--body: unknown body size/ },
    { desc: 'no body size', argv: ['--body', ','], error: /--body selects no body size/ },
    { desc: '--h2 with --no-h2', argv: ['--h2', '--no-h2'], error: /contradict/ },
    { desc: 'zero streams', argv: ['--h2-streams', '0'], error: /--h2-streams/ },
  ];
  for (const c of bad) void it(`rejects ${c.desc}`, () => assert.throws(() => parse(c.argv), c.error));

  void it('splits --node-args', () => assert.deepEqual(parse(['--node-args=--max-semi-space-size=64  --no-opt']).nodeArgs, ['--max-semi-space-size=64', '--no-opt']));
});

void describe('durationMs', () => {
  const cases = [
    { desc: 'seconds', input: '10s', ms: 10_000 },
    { desc: 'bare number is seconds', input: '5', ms: 5000 },
    { desc: 'fraction of a minute', input: '1.5m', ms: 90_000 },
    { desc: 'hours', input: '1h', ms: 3_600_000 },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(durationMs(c.input), c.ms));
  void it('rejects garbage', () => assert.throws(() => durationMs('10 s'), /not a duration/));
});
