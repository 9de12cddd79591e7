import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthCheckConfig } from '../../../../src/config/dynamic/types.js';
import { ProxyError } from '../../../../src/errors/codes.js';
import { parseServerUrl } from '../../../../src/proxy/server-target.js';
import { DEFAULT_TRANSPORT_DEFAULTS, resolveTransport } from '../../../../src/proxy/transport.js';
import { healthyStatus, probeUrl, startActiveHealthChecks } from '../../../../src/services/loadbalancer/health-check.js';
import { isServerFailure, PassiveHealth } from '../../../../src/services/loadbalancer/passive-health.js';
import { DOWN_ACTIVE, DOWN_PASSIVE, ServerSetHealth } from '../../../../src/services/loadbalancer/server-health.js';

/**
 * `p` bounded by `ms`. The timer is ref'd on purpose: the code under test uses unref'd timers, which
 * alone would let the test process exit before they fire.
 */
function within<T>(p: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms}ms`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const HC: HealthCheckConfig = {
  path: '/health',
  scheme: undefined,
  mode: 'http',
  hostname: undefined,
  port: undefined,
  interval: 20,
  unhealthyInterval: 20,
  timeout: 1000,
  headers: {},
  followRedirects: true,
  method: 'GET',
  status: 0,
};

void describe('PassiveHealth (fake clock)', () => {
  function setup(failureWindow: number, maxFailedAttempts: number) {
    let now = 0;
    const changes: string[] = [];
    const p = new PassiveHealth<string>({ failureWindow, maxFailedAttempts }, (s, down) => changes.push(`${s}:${down ? 'down' : 'up'}`), {
      now: () => now,
    });
    return { p, changes, at: (t: number) => (now = t) };
  }

  const cases = [
    { desc: '1 attempt: the first failure takes the server out', window: 1000, max: 1, failures: [0], down: true },
    { desc: '3 attempts within the window', window: 1000, max: 3, failures: [0, 400, 900], down: true },
    { desc: '3 attempts spread wider than the window', window: 1000, max: 3, failures: [0, 600, 1200], down: false },
    { desc: 'the window slides: the last 3 are within it', window: 1000, max: 3, failures: [0, 1500, 1800, 2100], down: true },
    { desc: '2 of 3 only', window: 1000, max: 3, failures: [0, 10], down: false },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const { p, changes, at } = setup(c.window, c.max);
      for (const t of c.failures) {
        at(t);
        p.failed('s');
      }
      assert.deepEqual(changes, c.down ? ['s:down'] : []);
      assert.equal(p.isDown('s'), c.down);
      p.dispose();
    });
  }

  void it('a success clears the failure history (failures count only back to back)', () => {
    const { p, changes, at } = setup(1000, 2);
    p.failed('s');
    at(10);
    p.succeeded('s');
    at(20);
    p.failed('s');
    assert.deepEqual(changes, []);
    at(30);
    p.failed('s');
    assert.deepEqual(changes, ['s:down']);
    p.dispose();
  });

  void it('recover false (an active check exists): taken out, never put back by the passive check', () => {
    const changes: string[] = [];
    const p = new PassiveHealth<string>({ failureWindow: 1, maxFailedAttempts: 1 }, (s, down) => changes.push(`${s}:${String(down)}`), { recover: false });
    p.failed('s');
    assert.deepEqual(changes, ['s:true']);
    assert.equal(p.isDown('s'), false, 'no timer running');
    p.dispose();
  });

  void it('comes back after failureWindow (real timer), history cleared', async () => {
    const changes: string[] = [];
    let back: () => void = () => undefined;
    const wentUp = new Promise<void>((r) => (back = r));
    const p = new PassiveHealth<string>({ failureWindow: 30, maxFailedAttempts: 1 }, (s, down) => {
      changes.push(`${s}:${down ? 'down' : 'up'}`);
      if (!down) back();
    });
    p.failed('s');
    p.failed('s'); // ignored while out
    await within(wentUp);
    assert.deepEqual(changes, ['s:down', 's:up']);
    p.dispose();
  });

  void it('counts network errors and timeouts (502/504), not client-gone or server answers', () => {
    assert.equal(isServerFailure(new ProxyError('TPK_ERR_UPSTREAM_UNREACHABLE', 'x')), true);
    assert.equal(isServerFailure(new ProxyError('TPK_ERR_UPSTREAM_TIMEOUT', 'x')), true);
    assert.equal(isServerFailure(new ProxyError('TPK_ERR_UPSTREAM_BAD_RESPONSE', 'x')), true);
    assert.equal(isServerFailure(new ProxyError('TPK_ERR_CLIENT_GONE', 'x')), false);
    assert.equal(isServerFailure(new ProxyError('TPK_ERR_NO_SERVER', 'x')), false);
  });
});

void describe('ServerSetHealth', () => {
  void it('a server is UP only while no check holds it out; service up = any weighted server up', () => {
    const a = { url: 'http://a', weight: 1, up: true };
    const b = { url: 'http://b', weight: 1, up: true };
    const z = { url: 'http://z', weight: 0, up: true };
    const rebuilt: string[][] = [];
    const h = new ServerSetHealth([a, b, z], (up) => rebuilt.push(up.map((m) => m.url)));
    const flips: boolean[] = [];
    const serverEvents: string[] = [];
    h.watch((up) => flips.push(up));
    h.watchServers((url, s) => serverEvents.push(`${url}=${s}`));
    h.set(a, DOWN_ACTIVE, true);
    h.set(a, DOWN_PASSIVE, true);
    h.set(a, DOWN_ACTIVE, false); // still out: passive
    assert.equal(h.serverStatus.get('http://a'), 'DOWN');
    h.set(b, DOWN_ACTIVE, true); // only the weight-0 server left: the service is down
    assert.equal(h.up, false);
    h.set(a, DOWN_PASSIVE, false);
    assert.equal(h.up, true);
    assert.deepEqual(flips, [false, true]);
    assert.deepEqual(serverEvents, ['http://a=DOWN', 'http://b=DOWN', 'http://a=UP']);
    assert.deepEqual(rebuilt, [['http://b', 'http://z'], ['http://z'], ['http://a', 'http://z']]);
    h.dispose();
    h.set(b, DOWN_ACTIVE, false);
    assert.equal(serverEvents.length, 3, 'no event after dispose');
  });
});

void describe('active health checks', () => {
  void it('probeUrl: path (with query) resolved on the server URL, scheme and port replaced', () => {
    const t = parseServerUrl('http://10.0.0.1:8080/base/');
    assert.equal(probeUrl(HC, t).href, 'http://10.0.0.1:8080/health');
    assert.equal(probeUrl({ ...HC, path: 'ready?x=1' }, t).href, 'http://10.0.0.1:8080/base/ready?x=1');
    assert.equal(probeUrl({ ...HC, scheme: 'https', port: 9443 }, t).href, 'https://10.0.0.1:9443/health');
    assert.equal(probeUrl(HC, parseServerUrl('https://[::1]')).href, 'https://[::1]/health');
  });

  const statusCases = [
    { desc: '200 healthy by default', status: 0, code: 200, want: true },
    { desc: '302 healthy by default', status: 0, code: 302, want: true },
    { desc: '399 healthy by default', status: 0, code: 399, want: true },
    { desc: '404 unhealthy by default', status: 0, code: 404, want: false },
    { desc: '199 unhealthy by default', status: 0, code: 199, want: false },
    { desc: 'status 204: 200 unhealthy', status: 204, code: 200, want: false },
    { desc: 'status 503: 503 healthy', status: 503, code: 503, want: true },
  ];
  for (const c of statusCases) {
    void it(c.desc, () => assert.equal(healthyStatus({ ...HC, status: c.status }, c.code), c.want));
  }

  void it('stop() aborts the probe in flight and nothing is reported after it', async () => {
    const reports: boolean[] = [];
    let started: () => void = () => undefined;
    const probing = new Promise<void>((r) => (started = r));
    let aborted: () => void = () => undefined;
    const abortSeen = new Promise<void>((r) => (aborted = r));
    const checks = startActiveHealthChecks(
      HC,
      resolveTransport(DEFAULT_TRANSPORT_DEFAULTS),
      [{ target: parseServerUrl('http://a') }],
      (_s, up) => reports.push(up),
      (_cfg, _t, _target, signal) =>
        new Promise<boolean>((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () => {
            aborted();
            reject(new Error('aborted'));
          });
        }),
    );
    await within(probing);
    checks.stop();
    await within(abortSeen);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(reports, []);
  });

  void it('a probe that throws counts as unhealthy; results are reported per server', async () => {
    const reports: string[] = [];
    let done: () => void = () => undefined;
    const two = new Promise<void>((r) => (done = r));
    const checks = startActiveHealthChecks(
      HC,
      resolveTransport(DEFAULT_TRANSPORT_DEFAULTS),
      [{ target: parseServerUrl('http://a') }, { target: parseServerUrl('http://b') }],
      (s, up) => {
        reports.push(`${s.target.host}:${String(up)}`);
        if (reports.length === 2) done();
      },
      (_cfg, _t, target) => (target.host === 'a' ? Promise.resolve(true) : Promise.reject(new Error('refused'))),
    );
    await within(two);
    checks.stop();
    assert.deepEqual(reports.sort(), ['a:true', 'b:false']);
  });
});
