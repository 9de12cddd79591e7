/** `ping` and Traefik's implicit `traefik` entry point on :8080. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadStaticConfig } from '../../../../src/config/static/load.js';

function load(argv: string[]) {
  return loadStaticConfig({ argv, env: {}, cwd: '/tmp', searchDirs: [] });
}

describe('ping', () => {
  const cases: { desc: string; argv: string[]; entryPoints: string[]; ping: unknown }[] = [
    { desc: 'absent = disabled', argv: ['--entryPoints.web.address=:81'], entryPoints: ['web'], ping: undefined },
    {
      desc: 'a bare --ping creates entry point traefik on :8080 beside the default http',
      argv: ['--ping'],
      entryPoints: ['http', 'traefik'],
      ping: { entryPoint: 'traefik', manualRouting: false, terminatingStatusCode: 503 },
    },
    {
      desc: 'ping on a user entry point creates nothing',
      argv: ['--entryPoints.web.address=:81', '--ping.entryPoint=web', '--ping.terminatingStatusCode=204'],
      entryPoints: ['web'],
      ping: { entryPoint: 'web', manualRouting: false, terminatingStatusCode: 204 },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = load(c.argv);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(Object.keys(r.config?.entryPoints ?? {}), c.entryPoints);
      assert.deepEqual(r.config?.ping, c.ping);
      if (c.entryPoints.includes('traefik')) assert.equal(r.config?.entryPoints.traefik?.port, 8080);
    });
  }

  it('refuses a ping entry point that is not defined, naming it', () => {
    const r = load(['--entryPoints.web.address=:81', '--ping.entryPoint=nope']);
    assert.equal(r.config, undefined);
    assert.equal(r.diagnostics[0]?.code, 'TPK_CFG_REFERENCE');
    assert.equal(r.diagnostics[0]?.path, 'ping.entryPoint');
  });
});
