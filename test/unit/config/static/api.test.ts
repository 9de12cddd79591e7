/** Static `api`: off unless present, Traefik's defaults, basePath normalised, `traefik` entry point for insecure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadStaticConfig } from '../../../../src/config/static/load.js';

function load(argv: string[]): ReturnType<typeof loadStaticConfig> {
  return loadStaticConfig({ argv, env: {}, cwd: process.cwd(), searchDirs: [] });
}

void describe('static api', () => {
  const cases: { desc: string; argv: string[]; api: unknown; entryPoints: string[] }[] = [
    { desc: 'absent: off, no traefik entry point', argv: [], api: undefined, entryPoints: ['http'] },
    {
      desc: '--api alone: Traefik defaults, nothing exposed',
      argv: ['--api'],
      api: { insecure: false, dashboard: true, debug: false, basePath: '/', disableDashboardAd: false, dashboardName: undefined },
      entryPoints: ['http'],
    },
    {
      desc: 'insecure creates entry point traefik on :8080',
      argv: ['--api.insecure=true'],
      api: { insecure: true, dashboard: true, debug: false, basePath: '/', disableDashboardAd: false, dashboardName: undefined },
      entryPoints: ['http', 'traefik'],
    },
    {
      desc: 'basePath gets a trailing slash; options read',
      argv: ['--api.basePath=/tp', '--api.dashboard=false', '--api.debug', '--api.dashboardName=edge', '--entryPoints.traefik.address=:9000', '--api.insecure'],
      api: { insecure: true, dashboard: false, debug: true, basePath: '/tp/', disableDashboardAd: false, dashboardName: 'edge' },
      entryPoints: ['traefik'],
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const r = load(c.argv);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config?.api, c.api);
      assert.deepEqual(Object.keys(r.config?.entryPoints ?? {}), c.entryPoints);
    });
  }

  void it('insecure keeps a user-defined traefik entry point; :8080 otherwise', () => {
    assert.equal(load(['--api.insecure', '--entryPoints.traefik.address=:9000']).config?.entryPoints['traefik']?.port, 9000);
    assert.equal(load(['--api.insecure']).config?.entryPoints['traefik']?.port, 8080);
  });

  void it('a basePath not starting with / is refused', () => {
    const r = load(['--api.basePath=tp']);
    assert.equal(r.config, undefined);
    assert.equal(r.diagnostics.length, 1);
  });
});
