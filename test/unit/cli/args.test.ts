import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, type Command } from '../../../src/cli/args.js';

void describe('parseArgs', () => {
  const cases: { desc: string; argv: string[]; command: Command; rest: string[]; configFile?: string }[] = [
    { desc: 'no arguments: run', argv: [], command: 'run', rest: [] },
    { desc: 'flags only: run', argv: ['--entryPoints.web.address=:80'], command: 'run', rest: ['--entryPoints.web.address=:80'] },
    { desc: 'explicit run', argv: ['run', '--log.level', 'DEBUG'], command: 'run', rest: ['--log.level', 'DEBUG'] },
    { desc: 'check with a config file', argv: ['check', '--configFile', 'traefik.yml'], command: 'check', rest: ['--configFile', 'traefik.yml'], configFile: 'traefik.yml' },
    { desc: 'check with --configfile=', argv: ['check', '--configfile=/etc/t.toml'], command: 'check', rest: ['--configfile=/etc/t.toml'], configFile: '/etc/t.toml' },
    { desc: 'version', argv: ['version'], command: 'version', rest: [] },
    { desc: 'healthcheck with flags', argv: ['healthcheck', '--ping'], command: 'healthcheck', rest: ['--ping'] },
    { desc: 'help command', argv: ['help'], command: 'help', rest: [] },
    { desc: '--help anywhere', argv: ['check', '--log.level=INFO', '--help'], command: 'help', rest: ['--log.level=INFO'] },
    { desc: '-h first', argv: ['-h'], command: 'help', rest: [] },
    { desc: 'a value looking like a command is not one', argv: ['--providers.file.filename', 'check'], command: 'run', rest: ['--providers.file.filename', 'check'] },
    { desc: '--help after -- is not help', argv: ['--', '--help'], command: 'run', rest: ['--', '--help'] },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const parsed = parseArgs(c.argv);
      assert.equal(parsed.command, c.command);
      assert.deepEqual(parsed.rest, c.rest);
      assert.equal(parsed.configFile, c.configFile);
      assert.deepEqual(parsed.diagnostics, []);
    });
  }

  void it('parses the flags of the command line', () => {
    const parsed = parseArgs(['run', '--entrypoints.web.address', ':80', '--providers.file', '--log.level=INFO']);
    assert.deepEqual(
      parsed.flags.map((f) => [f.name, f.value]),
      [
        ['entrypoints.web.address', ':80'],
        ['providers.file', null],
        ['log.level', 'INFO'],
      ],
    );
  });

  void it('reports an unknown command with a suggestion, and keeps it for the loader', () => {
    const parsed = parseArgs(['chek', '--log.level=INFO']);
    assert.equal(parsed.command, 'run');
    assert.deepEqual(parsed.rest, ['chek', '--log.level=INFO']);
    assert.equal(parsed.diagnostics[0]?.code, 'TPK_CLI_UNKNOWN_COMMAND');
    assert.match(parsed.diagnostics[0]?.message ?? '', /did you mean "check"/);
  });
});
