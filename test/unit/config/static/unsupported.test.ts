import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadStaticConfig } from '../../../../src/config/static/load.js';
import { matchKnownKey } from '../../../../src/config/static/traefik-keys.js';
import { tempDir, type TempDir } from './fixtures.js';

void describe('Traefik options Turnpike does not support yet', () => {
  let dir: TempDir;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.remove());

  void it('reports each unsupported section of a file once, at its line, with TPK_CFG_UNSUPPORTED', () => {
    const file = dir.write(
      'traefik.yml',
      [
        'api:', // 1: supported now
        '  insecure: true',
        '  dashboard: true',
        'entryPoints:', // 4
        '  websecure:',
        '    address: ":443"',
        '    http:',
        '      encodedCharacters:', // 8 (http.tls is supported now)
        '        allowEncodedSlash: false',
        '    http3: {}', // 10
        'certificatesResolvers:', // 11
        '  le:',
        '    acme:',
        '      email: a@b.example',
        'providers:',
        '  swarm:', // 16 (docker is supported now)
        '    exposedByDefault: false',
        'log:',
        '  maxSize: 10', // 19
        'workers: 4', // 20: a Turnpike option now, accepted
        'global:',
        '  checkNewVersion: false',
        '  sendAnonymousUsage: true',
      ].join('\n'),
    );
    const r = loadStaticConfig({ argv: [`--configFile=${file}`], env: {}, cwd: dir.path, searchDirs: [] });
    assert.equal(r.config, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line, d.path]),
      [
        ['TPK_CFG_UNSUPPORTED', 8, 'entryPoints.websecure.http.encodedCharacters'],
        ['TPK_CFG_UNSUPPORTED', 10, 'entryPoints.websecure.http3'],
        ['TPK_CFG_UNSUPPORTED', 11, 'certificatesResolvers'],
        ['TPK_CFG_UNSUPPORTED', 16, 'providers.swarm'],
        ['TPK_CFG_UNSUPPORTED', 19, 'log.maxSize'],
      ],
    );
  });

  void it('accepts workers (Turnpike option) from a file, a flag and the environment', () => {
    const file = dir.write('workers.yml', 'workers: 3\n');
    const cases: { desc: string; argv: string[]; env: Record<string, string>; want: number }[] = [
      { desc: 'file', argv: [`--configFile=${file}`], env: {}, want: 3 },
      { desc: 'flag', argv: ['--workers=2'], env: {}, want: 2 },
      { desc: 'flag, two-argument form', argv: ['--workers', '5'], env: {}, want: 5 },
      { desc: 'TURNPIKE_ env', argv: [], env: { TURNPIKE_WORKERS: '4' }, want: 4 },
      { desc: 'TRAEFIK_ env', argv: [], env: { TRAEFIK_WORKERS: '6' }, want: 6 },
    ];
    for (const c of cases) {
      const r = loadStaticConfig({ argv: c.argv, env: c.env, cwd: dir.path, searchDirs: [] });
      assert.deepEqual(r.diagnostics, [], c.desc);
      assert.equal(r.config?.workers, c.want, c.desc);
    }
    const zero = loadStaticConfig({ argv: ['--workers=0'], env: {}, cwd: dir.path, searchDirs: [] });
    assert.equal(zero.config, undefined);
    assert.equal(zero.diagnostics.length, 1);
  });

  void it('reports unsupported flags with their whole key, and bare ones take no value', () => {
    const r = loadStaticConfig({
      argv: [
        '--providers.swarm',
        '--providers.swarm.exposedByDefault=false',
        '--entryPoints.web.address=:80',
        '--certificatesresolvers.le.acme.email',
        'a@b.example',
        '--metrics.influxDB2',
      ],
      env: {},
      cwd: dir.path,
      searchDirs: [],
    });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.source, d.path]),
      [
        ['TPK_CFG_UNSUPPORTED', 'flag --providers.swarm', 'providers.swarm'],
        ['TPK_CFG_UNSUPPORTED', 'flag --providers.swarm.exposedByDefault', 'providers.swarm.exposedByDefault'],
        ['TPK_CFG_UNSUPPORTED', 'flag --certificatesresolvers.le.acme.email', 'certificatesresolvers.le.acme.email'],
        ['TPK_CFG_UNSUPPORTED', 'flag --metrics.influxDB2', 'metrics.influxDB2'],
      ],
    );
  });

  void it('reports unsupported environment variables', () => {
    const r = loadStaticConfig({ argv: [], env: { TRAEFIK_PROVIDERS_SWARM: 'true', TRAEFIK_HOSTRESOLVER: 'true' }, cwd: dir.path, searchDirs: [] });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.source]),
      [
        ['TPK_CFG_UNSUPPORTED', 'env TRAEFIK_HOSTRESOLVER'],
        ['TPK_CFG_UNSUPPORTED', 'env TRAEFIK_PROVIDERS_SWARM'],
      ],
    );
  });

  void it('accepts and ignores global.checkNewVersion and global.sendAnonymousUsage', () => {
    const r = loadStaticConfig({ argv: ['--global.checkNewVersion=false', '--global.sendAnonymousUsage'], env: {}, cwd: dir.path, searchDirs: [] });
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.config);
    assert.equal('global' in r.config, false);
  });

  const catalogue: { desc: string; key: string; want: string | undefined }[] = [
    { desc: 'a section', key: 'providers.docker', want: 'section' },
    { desc: 'a boolean', key: 'api.insecure', want: 'flag' },
    { desc: 'a value below a user-chosen name', key: 'certificatesResolvers.myresolver.acme.email', want: 'value' },
    { desc: 'a list index', key: 'entryPoints.web.http.tls.domains[0].main', want: 'value' },
    { desc: 'a free-form map entry', key: 'accessLog.fields.headers.names.User-Agent', want: 'value' },
    { desc: 'a Turnpike planned key', key: 'workers', want: 'value' },
    { desc: 'not a key', key: 'providers.dockr', want: undefined },
  ];
  for (const c of catalogue) {
    void it(`the catalogue knows ${c.desc}`, () => assert.equal(matchKnownKey(c.key.split('.'))?.kind, c.want));
  }
});
