import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_WORKERS_ENV, defaultWorkers } from '../../../../src/config/static/build.js';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { tempDir, type TempDir } from './fixtures.js';

void describe('workers default', () => {
  void it('is the number of CPU cores, unless TURNPIKE_DEFAULT_WORKERS is an integer >= 1', () => {
    const cases = [
      { desc: 'unset', env: {}, want: availableParallelism() },
      { desc: 'one', env: { [DEFAULT_WORKERS_ENV]: '1' }, want: 1 },
      { desc: 'three, with blanks', env: { [DEFAULT_WORKERS_ENV]: ' 3 ' }, want: 3 },
      { desc: 'zero: ignored', env: { [DEFAULT_WORKERS_ENV]: '0' }, want: availableParallelism() },
      { desc: 'negative: ignored', env: { [DEFAULT_WORKERS_ENV]: '-2' }, want: availableParallelism() },
      { desc: 'fraction: ignored', env: { [DEFAULT_WORKERS_ENV]: '2.5' }, want: availableParallelism() },
      { desc: 'word: ignored', env: { [DEFAULT_WORKERS_ENV]: 'max' }, want: availableParallelism() },
      { desc: 'empty: ignored', env: { [DEFAULT_WORKERS_ENV]: '' }, want: availableParallelism() },
    ];
    for (const c of cases) assert.equal(defaultWorkers(c.env), c.want, c.desc);
  });

  void describe('TURNPIKE_DEFAULT_WORKERS in the process environment', () => {
    let dir: TempDir;
    let saved: string | undefined;
    before(() => {
      dir = tempDir();
      saved = process.env[DEFAULT_WORKERS_ENV];
      process.env[DEFAULT_WORKERS_ENV] = '1';
    });
    after(() => {
      if (saved === undefined) delete process.env[DEFAULT_WORKERS_ENV];
      else process.env[DEFAULT_WORKERS_ENV] = saved;
      dir.remove();
    });

    void it('replaces only the default: workers from any source wins, and it is no configuration source itself', () => {
      const file = dir.write('workers.yml', 'workers: 4\n');
      const cases = [
        { desc: 'no source: the default it sets', argv: [], env: {}, want: 1, origin: 'defaults' },
        { desc: 'flags without workers', argv: ['--log.level=INFO'], env: {}, want: 1, origin: 'flags' },
        { desc: 'a flag', argv: ['--workers=3'], env: {}, want: 3, origin: 'flags' },
        { desc: 'the env source', argv: [], env: { TURNPIKE_WORKERS: '2' }, want: 2, origin: 'env' },
        { desc: 'a file', argv: [`--configFile=${file}`], env: {}, want: 4, origin: 'file' },
      ];
      for (const c of cases) {
        // Passed in `env` too: it must not count as a TURNPIKE_* configuration variable.
        const r = loadStaticConfig({ argv: c.argv, env: { ...c.env, [DEFAULT_WORKERS_ENV]: '1' }, cwd: dir.path, searchDirs: [] });
        assert.deepEqual(r.diagnostics, [], c.desc);
        assert.equal(r.config?.workers, c.want, c.desc);
        assert.equal(r.config?.origin.kind, c.origin, c.desc);
      }
    });
  });
});
