/**
 * `--workers=2`: the real binary as a node:cluster primary with two data-path workers. After a
 * reload every worker serves the new routes; a worker that is stopped or killed is restarted with
 * the current configuration while the other keeps serving. Which worker served a request is not
 * visible to clients (no test-only header): the tests open many fresh connections (the primary
 * hands them round-robin to the workers) and read from the log which worker pids applied what.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor } from '../helpers/wait.js';

function dynamicYaml(a: Upstream, b: Upstream, target: 'a' | 'b'): string {
  return `http:
  routers:
    app:
      rule: "Host(\`app.test\`)"
      service: ${target}
  services:
    a:
      loadBalancer:
        servers:
          - url: "${a.url}"
    b:
      loadBalancer:
        servers:
          - url: "${b.url}"
`;
}

/** One request on a fresh connection (so the primary distributes it), failing after `ms`. */
function fetchOnce(port: number, ms = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'app.test' }, agent: false, timeout: ms }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`status ${res.statusCode}: ${body}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ms} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `count` requests, `parallel` at a time, each on its own connection; returns the bodies. */
async function many(port: number, count: number, parallel = 8): Promise<string[]> {
  const bodies: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      bodies.push(await fetchOnce(port));
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return bodies;
}

const isApplied = (r: LogRecord): boolean => r.msg === 'configuration applied';
const isReady = (r: LogRecord): boolean => r.msg === 'worker ready';

describe('--workers=2', () => {
  let dir: string;
  let file: string;
  let a: Upstream;
  let b: Upstream;
  let tp: TurnpikeProcess;
  let port: number;

  function writeConfig(text: string): void {
    const tmp = join(dir, `.tmp-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }

  /** Pids of the workers that are ready and have not exited (per the log). */
  function liveWorkers(): number[] {
    const exited = new Set(tp.logs.filter((r) => r.msg === 'worker exited').map((r) => r.pid));
    return [...new Set(tp.logs.filter(isReady).map((r) => r.pid as number))].filter((pid) => !exited.has(pid));
  }

  /** The latest snapshot version a worker applied, per worker pid. */
  function appliedBy(): Map<number, number> {
    const out = new Map<number, number>();
    for (const r of tp.logs) if (r.msg === 'worker applied configuration') out.set(r.pid as number, r.version as number);
    return out;
  }

  /** Runs a steady load of fresh-connection requests until `until` settles; returns failures with their start time. */
  async function underLoad(until: Promise<unknown>): Promise<{ ok: number; failures: { at: number; err: string }[] }> {
    let stop = false;
    let ok = 0;
    const failures: { at: number; err: string }[] = [];
    const lane = async (): Promise<void> => {
      while (!stop) {
        const at = performance.now();
        try {
          const body = await fetchOnce(port);
          if (body === 'B') ok++;
          else failures.push({ at, err: `body ${body}` });
        } catch (err) {
          failures.push({ at, err: String(err) });
        }
      }
    };
    const lanes = Array.from({ length: 4 }, lane);
    try {
      await until;
    } finally {
      stop = true;
      await Promise.all(lanes);
    }
    return { ok, failures };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-workers-'));
    file = join(dir, 'dynamic.yml');
    a = await namedUpstream('A');
    b = await namedUpstream('B');
    writeConfig(dynamicYaml(a, b, 'a'));
    tp = new TurnpikeProcess([
      '--workers=2',
      '--entryPoints.web.address=127.0.0.1:0',
      `--providers.file.filename=${file}`,
      '--providers.providersThrottleDuration=20ms',
      '--log.format=json',
      '--log.level=DEBUG',
    ]);
    const listening = await tp.waitForLog('entry point listening', (r) => r.msg === 'entryPoint listening');
    port = listening.port as number;
    await tp.waitForLog('first configuration', isApplied);
  });

  after(async () => {
    await tp?.stop();
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs entryPoint listening once, with the real port, and starts two workers', () => {
    assert.equal(tp.count((r) => r.msg === 'entryPoint listening'), 1);
    assert.ok(port > 0);
    assert.equal(liveWorkers().length, 2);
    const listened = tp.logs.filter((r) => r.msg === 'worker listening');
    assert.deepEqual(new Set(listened.map((r) => r.port)), new Set([port]));
    assert.equal(tp.count(isApplied), 1);
  });

  it('after a reload every worker answers with the new routes', async () => {
    assert.deepEqual(new Set(await many(port, 20)), new Set(['A']));
    writeConfig(dynamicYaml(a, b, 'b'));
    const applied = await tp.waitForLog('configuration applied version 2', (r) => isApplied(r) && r.version === 2);
    assert.deepEqual(applied.changed, ['app@file']);
    // Both workers applied the latest snapshot before the primary logged "configuration applied" ...
    const versions = appliedBy();
    const workers = liveWorkers();
    const latest = Math.max(...versions.values());
    assert.deepEqual(workers.map((pid) => versions.get(pid)), [latest, latest]);
    // ... and every fresh connection, whichever worker takes it, gets the new route.
    assert.deepEqual(new Set(await many(port, 60)), new Set(['B']));
    assert.equal(tp.count(isApplied), 2, 'one "configuration applied" line per snapshot, not one per worker');
  });

  // Not asserted yet: zero failed requests across a worker's SIGTERM. Rarely (about 1 run in 8 on a
  // loaded 2-core box) one request handed to the stopping worker by node:cluster hangs; see the issue note.
  it('restarts a worker that was stopped (SIGTERM); the new one serves the current configuration', async () => {
    const [victim] = liveWorkers();
    assert.ok(victim !== undefined);
    const readyBefore = tp.count(isReady);
    process.kill(victim, 'SIGTERM');
    await tp.waitForLog('worker exited', (r) => r.msg === 'worker exited' && r.pid === victim);
    const restarted = await tp.waitForLog('a new worker ready', (r) => isReady(r) && tp.logs.filter(isReady).indexOf(r) >= readyBefore);
    const fresh = restarted.pid as number;
    assert.notEqual(fresh, victim);
    assert.equal(appliedBy().get(fresh), Math.max(...appliedBy().values()), 'the new worker applied the current snapshot');
    assert.deepEqual(new Set(await many(port, 40)), new Set(['B']));
  });

  it('restarts a crashed worker (SIGKILL); the other keeps serving', async () => {
    const [victim, survivor] = liveWorkers();
    assert.ok(victim !== undefined && survivor !== undefined);
    const readyBefore = tp.count(isReady);
    let exitSeenAt = Infinity;
    const restarted = (async () => {
      process.kill(victim, 'SIGKILL');
      await tp.waitForLog('worker exited', (r) => r.msg === 'worker exited' && r.pid === victim);
      exitSeenAt = performance.now();
      return tp.waitForLog('a new worker ready', (r) => isReady(r) && tp.logs.filter(isReady).indexOf(r) >= readyBefore);
    })();
    const load = await underLoad(restarted);
    // Only requests the killed worker held at its death may fail; none started once the primary saw it die.
    assert.deepEqual(load.failures.filter((f) => f.at > exitSeenAt), []);
    assert.ok(load.failures.length <= 4, `at most one failure per load lane: ${JSON.stringify(load.failures)}`);
    assert.ok(load.ok > 0);
    const fresh = (await restarted).pid as number;
    await waitFor('the new worker applied the current snapshot', () => (appliedBy().get(fresh) === Math.max(...appliedBy().values()) ? true : undefined));
    assert.deepEqual(new Set(await many(port, 40)), new Set(['B']));
    assert.equal(liveWorkers().length, 2);
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    tp.child.kill('SIGTERM');
    assert.equal(await tp.exited(), 0);
    assert.equal(tp.count((r) => r.msg === 'worker stopped'), 2);
    assert.ok(tp.logs.some((r) => r.msg === 'stopped'));
  });
});

describe('workers: default and start-up failure', () => {
  it('defaults to one process, and exits 1 with one "cannot listen" when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const tp = new TurnpikeProcess([`--entryPoints.web.address=127.0.0.1:${taken}`, '--log.format=json', '--log.level=INFO']);
    try {
      const starting = await tp.waitForLog('starting', (r) => r.msg === 'starting turnpike');
      assert.equal(starting.workers, 1);
      assert.equal(await tp.exited(), 1);
      assert.equal(tp.count((r) => r.msg === 'cannot listen'), 1);
      assert.equal(tp.count((r) => r.msg === 'entryPoint listening'), 0);
    } finally {
      await tp.stop();
      blocker.close();
    }
  });
});
