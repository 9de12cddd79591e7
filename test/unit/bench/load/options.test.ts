import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchOptions, TARGET_NAMES } from '../../../../bench/load/options.js';
import { turnpikeDynamic } from '../../../../bench/load/targets.js';

const parse = (argv: string[]) => parseBenchOptions(argv, 'dist/src/cli/main.js', (p) => '/abs/' + p);

void describe('parseBenchOptions', () => {
  void it('has the documented defaults', () => {
    const o = parse([]);
    assert.equal(o.duration, '10s');
    assert.equal(o.warmup, '2s');
    assert.equal(o.rounds, 3);
    assert.equal(o.connections, 64);
    assert.deepEqual(o.targets, [...TARGET_NAMES]);
    assert.equal(o.turnpikeEntry, '/abs/dist/src/cli/main.js');
    assert.equal(o.profileDir, undefined);
    assert.equal(o.maxOtherCpu, 10);
    assert.equal(o.keep, false);
  });

  const cases = [
    { desc: 'turnpike expands to both variants, table order kept', only: 'caddy,turnpike', want: ['turnpike-1', 'turnpike-1k', 'caddy'] },
    { desc: 'single target', only: 'nginx', want: ['nginx'] },
    { desc: 'turnpike-1000 alias, spaces and case', only: ' Upstream , turnpike-1000', want: ['upstream', 'turnpike-1k'] },
  ];
  for (const c of cases) void it(`--only: ${c.desc}`, () => assert.deepEqual(parse(['--only', c.only]).targets, c.want));

  const bad = [
    { desc: 'unknown target', argv: ['--only', 'haproxy'], error: /unknown target/ },
    { desc: 'bad duration', argv: ['--duration', 'ten'], error: /--duration/ },
    { desc: 'zero rounds', argv: ['--rounds', '0'], error: /--rounds/ },
    { desc: 'unknown flag', argv: ['--fast'], error: /Unknown option/ },
  ];
  for (const c of bad) void it(`rejects ${c.desc}`, () => assert.throws(() => parse(c.argv), c.error));

  void it('splits --node-args', () => assert.deepEqual(parse(['--node-args=--max-semi-space-size=64  --no-opt']).nodeArgs, ['--max-semi-space-size=64', '--no-opt']));
});

void describe('turnpikeDynamic', () => {
  void it('1 router: routes h500.test', () => {
    const y = turnpikeDynamic(1, 9000);
    assert.match(y, /rule: "Host\(`h500\.test`\)"/);
    assert.equal(y.match(/rule:/g)?.length, 1);
    assert.match(y, /url: "http:\/\/127\.0\.0\.1:9000"/);
  });
  void it('1,000 routers, each with its own service; h500.test among them', () => {
    const y = turnpikeDynamic(1000, 9000);
    assert.equal(y.match(/rule:/g)?.length, 1000);
    assert.equal(y.match(/loadBalancer:/g)?.length, 1000);
    assert.match(y, /r1:\n/);
    assert.match(y, /r1000:\n/);
    assert.match(y, /Host\(`h500\.test`\)/);
  });
});
