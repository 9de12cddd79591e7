/**
 * Weighted services through the real binary: Traefik's canary example (90/10) splits 10,000
 * requests within ±2 % of 90/10; nested weighted services split their share again; a reference
 * loop and a missing child are reported on the services and on the routers using them while the
 * others keep serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';

describe('weighted services through the binary', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let v1: Upstream;
  let v2: Upstream;
  let v3: Upstream;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-svc-canary-'));
    [v1, v2, v3] = await Promise.all([namedUpstream('v1'), namedUpstream('v2'), namedUpstream('v3')]);
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      [
        'http:',
        '  routers:',
        '    canary:',
        '      rule: Host(`canary.test`)',
        '      service: app',
        '    nested:',
        '      rule: Host(`nested.test`)',
        '      service: outer',
        '    loop:',
        '      rule: Host(`loop.test`)',
        '      service: loopa',
        '    missing:',
        '      rule: Host(`missing.test`)',
        '      service: usesghost',
        '  services:',
        '    app:',
        '      weighted:',
        '        services:',
        '          - name: appv1',
        '            weight: 90',
        '          - name: appv2',
        '            weight: 10',
        '    outer:',
        '      weighted:',
        '        services: [{name: appv3, weight: 2}, {name: app, weight: 2}]',
        '    loopa:',
        '      weighted:',
        '        services: [{name: loopb}]',
        '    loopb:',
        '      failover: {service: loopa, fallback: appv1}',
        '    usesghost:',
        '      mirroring: {service: appv1, mirrors: [{name: ghost, percent: 10}]}',
        '    appv1:',
        '      loadBalancer:',
        `        servers: [{url: "${v1.url}"}]`,
        '    appv2:',
        '      loadBalancer:',
        `        servers: [{url: "${v2.url}"}]`,
        '    appv3:',
        '      loadBalancer:',
        `        servers: [{url: "${v3.url}"}]`,
        '',
      ].join('\n'),
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    agent.destroy();
    await tp?.stop();
    await Promise.all([v1?.close(), v2?.close(), v3?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `n` requests, `concurrency` at a time, and counts the answers by body. */
  async function split(host: string, n: number, concurrency = 16): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < n) {
        next++;
        const r = await get(port, '/', { host, agent });
        assert.equal(r.status, 200, r.body);
        counts.set(r.body, (counts.get(r.body) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return counts;
  }

  it('splits 10,000 requests 90/10 within ±2 % (Traefik\'s canary example)', async () => {
    const counts = await split('canary.test', 10_000);
    const share = (counts.get('v1') ?? 0) / 10_000;
    assert.equal((counts.get('v1') ?? 0) + (counts.get('v2') ?? 0), 10_000);
    assert.ok(share >= 0.88 && share <= 0.92, `v1 got ${(share * 100).toFixed(2)} %`);
  });

  it('nests: a weighted child splits its share again', async () => {
    const counts = await split('nested.test', 400, 4);
    const v3n = counts.get('v3') ?? 0;
    assert.ok(v3n >= 190 && v3n <= 210, `v3 got ${v3n} of 400 (half)`);
    assert.equal(v3n + (counts.get('v1') ?? 0) + (counts.get('v2') ?? 0), 400);
  });

  it('reports a reference loop on each service of it and on the router, which answers 404', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    for (const svc of ['loopa@file', 'loopb@file']) {
      assert.ok(errors.some((e) => e.includes(svc) && e.includes('reference loop: ')), `${svc}: ${errors.join('\n')}`);
    }
    assert.ok(errors.some((e) => e.includes('loop@file') && e.includes('service "loopa@file" is disabled: reference loop')), errors.join('\n'));
    assert.equal((await get(port, '/', { host: 'loop.test', agent })).status, 404);
  });

  it('reports a missing child on its parent and the router using it', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(errors.some((e) => e.includes('usesghost@file') && e.includes('service "ghost@file" does not exist')), errors.join('\n'));
    assert.ok(errors.some((e) => e.includes('missing@file') && e.includes('service "usesghost@file" is disabled: service "ghost@file" does not exist')), errors.join('\n'));
    assert.equal((await get(port, '/', { host: 'missing.test', agent })).status, 404);
    assert.equal((await get(port, '/', { host: 'canary.test', agent })).status, 200, 'the others keep serving');
  });
});
