/**
 * ping and `turnpike healthcheck` against a running instance: `/ping` answers 200 OK, then the
 * configured terminatingStatusCode during a graceful stop (while the entry point still accepts,
 * requestAcceptGraceTimeout), when healthcheck fails; and healthcheck with `--workers 2`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, TurnpikeProcess } from '../helpers/turnpike-process.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const p = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return p;
}

function healthcheck(configFile: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'healthcheck', `--configFile=${configFile}`], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('ping and healthcheck', () => {
  let dir: string;
  const procs: TurnpikeProcess[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-ping-'));
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 OK, then terminatingStatusCode during a graceful stop (healthcheck exits 1)', async () => {
    const port = await freePort();
    const st = join(dir, 'stop.yml');
    writeFileSync(
      st,
      `entryPoints:
  traefik:
    address: "127.0.0.1:${port}"
    transport:
      lifeCycle:
        requestAcceptGraceTimeout: 4s
        graceTimeOut: 1s
ping:
  terminatingStatusCode: 500
log:
  level: INFO
  format: json
`,
    );
    const tp = new TurnpikeProcess([`--configFile=${st}`]);
    procs.push(tp);
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied', 20_000);
    const ok = await get(port, '/ping');
    assert.deepEqual([ok.status, ok.body], [200, 'OK']);
    assert.equal((await get(port, '/ping', { method: 'HEAD' })).status, 200);
    assert.equal(healthcheck(st).code, 0);

    tp.child.kill('SIGTERM');
    const stopping = await waitFor('ping answering 500', async () => {
      const r = await get(port, '/ping');
      return r.status === 500 ? r : undefined;
    });
    assert.equal(stopping.body, 'Internal Server Error');
    const hc = healthcheck(st);
    assert.equal(hc.code, 1, hc.out);
    assert.match(hc.out, /Bad healthcheck status: 500/);
    assert.equal(await tp.exited(20_000), 0);
    assert.equal(healthcheck(st).code, 1, 'nothing listens any more');
  });

  it('healthcheck exits 0 against an instance running two workers', async () => {
    const port = await freePort();
    const st = join(dir, 'workers.yml');
    writeFileSync(st, `workers: 2\nentryPoints:\n  traefik:\n    address: "127.0.0.1:${port}"\nping: {}\nlog:\n  level: INFO\n  format: json\n`);
    const tp = new TurnpikeProcess([`--configFile=${st}`]);
    procs.push(tp);
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied', 20_000);
    for (let i = 0; i < 4; i++) {
      const hc = healthcheck(st);
      assert.equal(hc.code, 0, hc.out);
      assert.match(hc.out, new RegExp(`OK: http://127\\.0\\.0\\.1:${port}/ping`));
    }
    await tp.stop();
    assert.equal(healthcheck(st).code, 1);
  });
});
