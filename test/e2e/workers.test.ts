/**
 * `--workers=2`: the real binary as a node:cluster primary with two data-path workers. After a
 * reload every worker serves the new routes; a worker that is stopped or killed under load is
 * restarted with the current configuration while the other keeps serving, and no connection
 * made once the primary reported the death fails or hangs (lossless restarts). Which worker
 * served a request is not visible to clients (no test-only header): the upstream echoes the
 * source port of the proxy's connection and the test finds which worker pid holds that socket
 * (/proc); the log says which worker pids applied what.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import type { Upstream } from '../helpers/upstream.js';
import { waitFor } from '../helpers/wait.js';
import { peerPortUpstream, startLoad, tcpPortsOf, type Load, type Outcome } from './workers-load.js';

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

/** One request on a fresh connection (so any worker may take it), failing after `ms`. */
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
/** Load for the restart tests: lanes of each kind (fresh connections, keep-alive), a request's bound. */
const LANES = 4;
const BOUND_MS = 3_000;
const MAX_PER_LANE = 20_000;
const isReady = (r: LogRecord): boolean => r.msg === 'worker ready';

describe('--workers=2', () => {
  let dir: string;
  let file: string;
  let a: Upstream;
  let b: Upstream;
  let tp: TurnpikeProcess;
  let port: number;
  /** The body the current route answers with. */
  let current = 'A';
  /** What the load saw across the graceful stop (judged by two tests). */
  let graceful: Outcome[] = [];

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

  /** The version of the latest "configuration applied". */
  function appliedVersion(): number {
    return Math.max(0, ...tp.logs.filter(isApplied).map((r) => r.version as number));
  }

  /** The first "worker ready" after the `readyBefore` ones seen so far. */
  function newWorkerReady(readyBefore: number): Promise<LogRecord> {
    return tp.waitForLog('a new worker ready', (r) => isReady(r) && tp.logs.filter(isReady).indexOf(r) >= readyBefore);
  }

  /** Waits until worker `pid` answered a few load requests made after `since`; returns them. */
  function servedBy(load: Load, pid: number, since: number): Promise<Outcome[]> {
    return waitFor(`worker ${pid} serves requests`, () => {
      const ports = tcpPortsOf(pid);
      const mine = load.outcomes.filter((o) => o.start > since && o.peerPort !== undefined && ports.has(o.peerPort));
      return mine.length >= 5 ? mine : undefined;
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-workers-'));
    file = join(dir, 'dynamic.yml');
    a = await peerPortUpstream('A');
    b = await peerPortUpstream('B');
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
    // As many workers as CPUs (or more): V8's GC helper threads would only take turns with them.
    const single = 2 >= availableParallelism();
    for (const pid of liveWorkers()) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.equal(argv.includes('--single-threaded-gc'), single, argv.join(' '));
    }
    const listened = tp.logs.filter((r) => r.msg === 'worker listening');
    assert.deepEqual(new Set(listened.map((r) => r.port)), new Set([port]));
    assert.equal(tp.count(isApplied), 1);
  });

  it('after a reload every worker answers with the new routes', async () => {
    assert.deepEqual(new Set(await many(port, 20)), new Set(['A']));
    writeConfig(dynamicYaml(a, b, 'b'));
    const applied = await tp.waitForLog('configuration applied version 2', (r) => isApplied(r) && r.version === 2);
    assert.deepEqual(applied.changed, ['app@file']);
    current = 'B';
    // Both workers applied the latest snapshot before the primary logged "configuration applied" ...
    const versions = appliedBy();
    const workers = liveWorkers();
    const latest = Math.max(...versions.values());
    assert.deepEqual(workers.map((pid) => versions.get(pid)), [latest, latest]);
    // ... and every fresh connection, whichever worker takes it, gets the new route.
    assert.deepEqual(new Set(await many(port, 60)), new Set(['B']));
    assert.equal(tp.count(isApplied), 2, 'one "configuration applied" line per snapshot, not one per worker');
  });

  it('replaces a worker stopped under load (SIGTERM): nothing hangs, only the keep-alive close race fails; the new one serves the current routes', async () => {
    const load = startLoad({ port, lanes: LANES, boundMs: BOUND_MS, maxPerLane: MAX_PER_LANE });
    let stopSeen = 0;
    try {
      await load.progress(30);
      const [victim] = liveWorkers();
      assert.ok(victim !== undefined);
      const readyBefore = tp.count(isReady);
      process.kill(victim, 'SIGTERM');
      const exit = await tp.waitForLog('worker exited', (r) => r.msg === 'worker exited' && r.pid === victim);
      assert.equal(exit.code, 0, 'a graceful stop');
      stopSeen = performance.now();
      const fresh = (await newWorkerReady(readyBefore)).pid as number;
      assert.equal(appliedBy().get(fresh), Math.max(...appliedBy().values()), 'the new worker applied the current snapshot');
      const served = await servedBy(load, fresh, stopSeen);
      assert.deepEqual(new Set(served.map((o) => o.body)), new Set([current]));
    } finally {
      await load.stop();
    }
    graceful = load.outcomes;
    assert.deepEqual(graceful.filter((o) => o.error === 'hang'), [], `no request hangs (bound ${BOUND_MS} ms)`);
    // Draining closes idle keep-alive connections at once (as Go and nginx do): a request a client
    // sends on one at that very moment meets a reset on a reused connection, the case HTTP clients
    // retry (RFC 9112 section 9.3.1). At most one per keep-alive lane; nothing else fails.
    const keepAlive = graceful.filter((o) => o.kind === 'keepAlive' && o.error !== undefined);
    for (const o of keepAlive) assert.ok(o.reused && o.error === 'ECONNRESET' && o.start < stopSeen, `keep-alive failure: ${JSON.stringify(o)}`);
    assert.ok(keepAlive.length <= LANES, `${keepAlive.length} keep-alive failures`);
    assert.deepEqual(graceful.filter((o) => o.kind === 'fresh' && o.error !== undefined && o.start > stopSeen), []);
  });

  it('a graceful worker stop drops no connection it accepted', () => {
    assert.deepEqual(graceful.filter((o) => o.kind === 'fresh' && o.error !== undefined), []);
  });

  it('replaces a worker killed under load (SIGKILL), three times, a reload applied while it is down: no new connection fails, nothing hangs', async () => {
    const load = startLoad({ port, lanes: LANES, boundMs: BOUND_MS, maxPerLane: MAX_PER_LANE });
    const rounds: { killAt: number; exitSeen: number; reloadAt: number; appliedSeen: number; body: string }[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        await load.progress(30);
        const [victim] = liveWorkers();
        assert.ok(victim !== undefined);
        const readyBefore = tp.count(isReady);
        const killAt = performance.now();
        process.kill(victim, 'SIGKILL');
        const exit = await tp.waitForLog('worker exited', (r) => r.msg === 'worker exited' && r.pid === victim);
        assert.equal(exit.signal, 'SIGKILL');
        const exitSeen = performance.now();
        // Reload while the slot is empty (the restart waits its backoff, 100 ms at least, then starts a
        // process); should the new worker say hello first, it is sent the snapshot like the others.
        const target = current === 'A' ? 'b' : 'a';
        const version = appliedVersion() + 1;
        const reloadAt = performance.now();
        writeConfig(dynamicYaml(a, b, target));
        await tp.waitForLog(`configuration applied version ${version}`, (r) => isApplied(r) && r.version === version);
        const appliedSeen = performance.now();
        current = target.toUpperCase();
        rounds.push({ killAt, exitSeen, reloadAt, appliedSeen, body: current });
        const fresh = (await newWorkerReady(readyBefore)).pid as number;
        const served = await servedBy(load, fresh, appliedSeen);
        assert.deepEqual(new Set(served.map((o) => o.body)), new Set([current]), 'the restarted worker serves the current routes');
      }
    } finally {
      await load.stop();
    }
    const outcomes = load.outcomes;
    assert.deepEqual(outcomes.filter((o) => o.error === 'hang'), [], `no request hangs (bound ${BOUND_MS} ms)`);
    // A request may fail only if it was in flight when a worker died: made before the primary
    // reported the death, settled after the kill, and fast, as a reset.
    const unexplained = outcomes.filter((o) => o.error !== undefined && !rounds.some((r) => o.start < r.exitSeen && o.end >= r.killAt && o.end - r.killAt < 1_000));
    assert.deepEqual(unexplained, [], 'only requests in flight on the killed worker fail');
    for (const o of outcomes) if (o.error !== undefined) assert.match(o.error, /^(ECONNRESET|EPIPE)$/, `fails as a reset: ${JSON.stringify(o)}`);
    // After each reload was applied, every answer (whichever worker gave it) has the new route.
    rounds.forEach((r, i) => {
      const until = rounds[i + 1]?.reloadAt ?? Infinity;
      const stale = outcomes.filter((o) => o.body !== undefined && o.start > r.appliedSeen && o.start < until && o.body !== r.body);
      assert.deepEqual(stale, [], `round ${i + 1}: no answer from the previous configuration`);
    });
    const failed = outcomes.filter((o) => o.error !== undefined).length;
    assert.ok(failed <= 2 * LANES * rounds.length, `${failed} failures`);
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
  it('defaults to one process per CPU core, and exits 1 with one "cannot listen" when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    // The real default: without the harness's TURNPIKE_DEFAULT_WORKERS=1.
    const tp = new TurnpikeProcess([`--entryPoints.web.address=127.0.0.1:${taken}`, '--log.format=json', '--log.level=INFO'], { env: { TURNPIKE_DEFAULT_WORKERS: undefined } });
    try {
      const starting = await tp.waitForLog('starting', (r) => r.msg === 'starting turnpike');
      assert.equal(starting.workers, availableParallelism());
      assert.equal(await tp.exited(), 1);
      assert.equal(tp.count((r) => r.msg === 'cannot listen'), 1);
      assert.equal(tp.count((r) => r.msg === 'entryPoint listening'), 0);
    } finally {
      await tp.stop();
      blocker.close();
    }
  });
});
