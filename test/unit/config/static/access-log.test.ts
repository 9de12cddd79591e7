/** Static `accessLog`: Traefik's keys and defaults from a file, flags and the environment. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { tempDir, type TempDir } from './fixtures.js';

void describe('static accessLog', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  const load = (argv: string[], env: Record<string, string> = {}): ReturnType<typeof loadStaticConfig> => loadStaticConfig({ argv, env, cwd: dir.path, searchDirs: [] });

  void it('is absent unless configured', () => {
    const r = load([]);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config?.accessLog, undefined);
  });

  void it('--accessLog alone turns it on with Traefik defaults', () => {
    const r = load(['--accessLog']);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config?.accessLog, {
      filePath: undefined,
      format: 'common',
      bufferingSize: 0,
      addInternals: false,
      filters: undefined,
      fields: { defaultMode: 'keep', names: {}, headers: { defaultMode: 'drop', names: {} } },
    });
  });

  void it('reads every option from a file', () => {
    const file = dir.write(
      'traefik.yml',
      [
        'accessLog:',
        '  filePath: /var/log/access.log',
        '  format: genericclf',
        '  bufferingSize: 100',
        '  addInternals: true',
        '  filters:',
        '    statusCodes: ["200", "300-302"]',
        '    retryAttempts: true',
        '    minDuration: 10ms',
        '  fields:',
        '    defaultMode: drop',
        '    names:',
        '      ClientUsername: keep',
        '    headers:',
        '      defaultMode: keep',
        '      names:',
        '        User-Agent: redact',
        '        Authorization: drop',
      ].join('\n'),
    );
    const r = load([`--configFile=${file}`]);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config?.accessLog, {
      filePath: '/var/log/access.log',
      format: 'genericCLF',
      bufferingSize: 100,
      addInternals: true,
      filters: { statusCodes: ['200', '300-302'], retryAttempts: true, minDuration: 10 },
      fields: { defaultMode: 'drop', names: { ClientUsername: 'keep' }, headers: { defaultMode: 'keep', names: { 'User-Agent': 'redact', Authorization: 'drop' } } },
    });
  });

  void it('reads flags and TRAEFIK_ variables', () => {
    const flags = load(['--accesslog.format=json', '--accesslog.filters.statuscodes=200,404', '--accessLog.fields.headers.names.X-Id=keep']);
    assert.deepEqual(flags.diagnostics, []);
    assert.equal(flags.config?.accessLog?.format, 'json');
    assert.deepEqual(flags.config?.accessLog?.filters?.statusCodes, ['200', '404']);
    assert.deepEqual(flags.config?.accessLog?.fields.headers.names, { 'X-Id': 'keep' });
    const env = load([], { TRAEFIK_ACCESSLOG_FILEPATH: '/tmp/a.log' });
    assert.deepEqual(env.diagnostics, []);
    assert.equal(env.config?.accessLog?.filePath, '/tmp/a.log');
  });

  const bad: { desc: string; argv: string[]; path: string }[] = [
    { desc: 'an unknown format', argv: ['--accessLog.format=xml'], path: 'accessLog.format' },
    { desc: 'a bad status range', argv: ['--accessLog.filters.statusCodes=2xx'], path: 'accessLog.filters.statusCodes' },
    { desc: 'a field mode other than keep/drop', argv: ['--accessLog.fields.names.ClientHost=redact'], path: 'accessLog.fields.names.ClientHost' },
    { desc: 'a negative bufferingSize', argv: ['--accessLog.bufferingSize=-1'], path: 'accessLog.bufferingSize' },
  ];
  for (const c of bad) {
    void it(`rejects ${c.desc}`, () => {
      const r = load(c.argv);
      assert.equal(r.config, undefined);
      assert.ok(
        r.diagnostics.some((d) => d.path?.startsWith(c.path)),
        JSON.stringify(r.diagnostics),
      );
    });
  }
});
