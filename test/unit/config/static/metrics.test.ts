/** `metrics`: defaults, the implicit `traefik` entry point, and what is refused. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadStaticConfig } from '../../../../src/config/static/load.js';

function load(argv: string[]) {
  return loadStaticConfig({ argv, env: {}, cwd: '/tmp', searchDirs: [] });
}

describe('metrics', () => {
  it('absent = no metrics', () => {
    assert.equal(load(['--entryPoints.web.address=:81']).config?.metrics, undefined);
  });

  it('a bare --metrics.prometheus takes Traefik defaults and creates entry point traefik on :8080', () => {
    const r = load(['--entryPoints.web.address=:81', '--metrics.prometheus']);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config?.metrics, {
      addInternals: false,
      prometheus: { buckets: [0.1, 0.3, 1.2, 5], addEntryPointsLabels: true, addRoutersLabels: false, addServicesLabels: true, entryPoint: 'traefik', manualRouting: false, headerLabels: {} },
    });
    assert.deepEqual(Object.keys(r.config?.entryPoints ?? {}), ['web', 'traefik']);
    assert.equal(r.config?.entryPoints.traefik?.port, 8080);
  });

  const cases: { desc: string; argv: string[]; check: (m: NonNullable<ReturnType<typeof load>['config']>['metrics']) => void }[] = [
    {
      desc: 'buckets, labels, headerLabels and a user entry point',
      argv: ['--metrics.prometheus.buckets=1.5,0.5', '--metrics.prometheus.addRoutersLabels', '--metrics.prometheus.entryPoint=web', '--metrics.prometheus.headerLabels.ua=User-Agent', '--metrics.addInternals'],
      check: (m) => {
        assert.deepEqual(m?.prometheus?.buckets, [0.5, 1.5]);
        assert.equal(m?.prometheus?.addRoutersLabels, true);
        assert.equal(m?.prometheus?.entryPoint, 'web');
        assert.deepEqual(m?.prometheus?.headerLabels, { ua: 'User-Agent' });
        assert.equal(m?.addInternals, true);
      },
    },
    {
      desc: 'datadog and statsD defaults',
      argv: ['--metrics.datadog', '--metrics.statsD.address=127.0.0.1:9125', '--metrics.statsD.pushInterval=2s', '--metrics.statsD.prefix=tp'],
      check: (m) => {
        assert.deepEqual(m?.datadog, { address: '127.0.0.1:8125', host: '127.0.0.1', port: 8125, pushInterval: 10_000, prefix: 'traefik', addEntryPointsLabels: true, addRoutersLabels: false, addServicesLabels: true });
        assert.deepEqual(m?.statsD, { address: '127.0.0.1:9125', host: '127.0.0.1', port: 9125, pushInterval: 2000, prefix: 'tp', addEntryPointsLabels: true, addRoutersLabels: false, addServicesLabels: true });
        assert.equal(m?.prometheus, undefined);
      },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = load(['--entryPoints.web.address=:81', ...c.argv]);
      assert.deepEqual(r.diagnostics, []);
      c.check(r.config?.metrics);
    });
  }

  const refused: { desc: string; argv: string[]; code: string; path: string }[] = [
    { desc: 'an undefined entry point', argv: ['--metrics.prometheus.entryPoint=nope'], code: 'TPK_CFG_REFERENCE', path: 'metrics.prometheus.entryPoint' },
    { desc: 'a label name Prometheus refuses', argv: ['--metrics.prometheus.headerLabels.bad-name=X-A'], code: 'TPK_CFG_VALUE', path: 'metrics.prometheus.headerLabels.bad-name' },
    { desc: 'a unix socket agent', argv: ['--metrics.datadog.address=unix:///var/run/dd.sock'], code: 'TPK_CFG_VALUE', path: 'metrics.datadog.address' },
    { desc: 'influxDB2 (not supported)', argv: ['--metrics.influxDB2'], code: 'TPK_CFG_UNSUPPORTED', path: 'metrics.influxDB2' },
  ];
  for (const c of refused) {
    it(`refuses ${c.desc}`, () => {
      const r = load(['--entryPoints.web.address=:81', ...c.argv]);
      assert.equal(r.diagnostics[0]?.code, c.code, JSON.stringify(r.diagnostics));
      assert.equal(r.diagnostics[0]?.path, c.path);
    });
  }
});
