/**
 * Metrics when things go wrong, through the real binary: the series of a router removed from the
 * configuration disappear (memory follows the live configuration, as Traefik drops outdated
 * series); with `--workers=2` a scrape still answers, with what it has, when a worker hangs or dies
 * during it; a StatsD address that does not resolve is logged once and requests keep flowing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { get } from '../helpers/http-client.js';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor, within } from '../helpers/wait.js';

/** Bytes waiting in the receive queues of a process's Unix sockets (its IPC channel), from `ss`. */
function ipcQueued(pid: number): number {
  let n = 0;
  for (const line of execFileSync('ss', ['-xpn'], { encoding: 'utf8' }).split('\n')) {
    if (line.includes(`pid=${pid},`)) n += Number(line.trim().split(/\s+/)[2] ?? 0);
  }
  return n;
}

const isApplied = (r: LogRecord): boolean => r.msg === 'configuration applied';

function dynamicYaml(up: Upstream, routers: string[]): string {
  const lines = ['http:', '  routers:'];
  for (const r of routers) lines.push(`    ${r}:`, `      rule: "Host(\`${r}.test\`)"`, `      service: svc-${r}`);
  lines.push('  services:');
  for (const r of routers) lines.push(`    svc-${r}:`, '      loadBalancer:', '        servers:', `          - url: "${up.url}"`);
  return lines.join('\n') + '\n';
}

async function start(
  dir: string,
  dynamic: string,
  flags: string[],
  watch = false,
  env: NodeJS.ProcessEnv = {},
): Promise<{ tp: TurnpikeProcess; ports: Map<string, number>; file: string }> {
  const file = join(dir, 'dynamic.yml');
  writeFileSync(file, dynamic);
  const tp = new TurnpikeProcess([`--providers.file.filename=${file}`, `--providers.file.watch=${watch}`, '--log.format=json', '--log.level=DEBUG', ...flags], { env });
  await tp.waitForLog('first configuration', isApplied, 20_000);
  const ports = new Map<string, number>();
  for (const r of tp.logs) if (r.msg === 'entryPoint listening') ports.set(r.entryPoint as string, r.port as number);
  return { tp, ports, file };
}

async function traffic(port: number, host: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) assert.equal((await get(port, '/', { host })).status, 200);
}

describe('metrics: series of removed routers and services are dropped', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-prune-'));
    up = await namedUpstream('up');
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a scrape after the reload no longer shows the removed router and service', async () => {
    const s = await start(dir, dynamicYaml(up, ['a', 'b']), ['--entryPoints.web.address=127.0.0.1:0', '--entryPoints.metrics.address=127.0.0.1:0', '--metrics.prometheus.entryPoint=metrics', '--metrics.prometheus.addRoutersLabels=true'], true);
    tp = s.tp;
    const web = s.ports.get('web') ?? 0;
    const metrics = s.ports.get('metrics') ?? 0;
    await traffic(web, 'a.test', 2);
    await traffic(web, 'b.test', 3);
    const before1 = (await get(metrics, '/metrics')).body;
    assert.match(before1, /^traefik_router_requests_total\{code="200",method="GET",protocol="http",router="b@file",service="svc-b@file"\} 3$/m);
    assert.match(before1, /^traefik_service_requests_total\{code="200",method="GET",protocol="http",service="svc-b@file"\} 3$/m);
    const tmp = s.file + '.tmp';
    writeFileSync(tmp, dynamicYaml(up, ['a']));
    renameSync(tmp, s.file);
    await waitFor('second configuration applied', () => (tp.count(isApplied) >= 2 ? true : undefined), 15_000);
    const after1 = (await get(metrics, '/metrics')).body;
    assert.doesNotMatch(after1, /b@file/);
    assert.match(after1, /^traefik_router_requests_total\{code="200",method="GET",protocol="http",router="a@file",service="svc-a@file"\} 2$/m);
    assert.match(after1, /^traefik_entrypoint_requests_total\{code="200",entrypoint="web",method="GET",protocol="http"\} 5$/m);
  });
});

describe('metrics: --workers=2, a scrape answers when a worker hangs or dies during it', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let metrics: number;
  let workers: number[];
  const stopped: number[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-dead-'));
    up = await namedUpstream('up');
    const s = await start(dir, dynamicYaml(up, ['a']), ['--workers=2', '--entryPoints.web.address=127.0.0.1:0', '--entryPoints.metrics.address=127.0.0.1:0', '--metrics.prometheus.entryPoint=metrics']);
    tp = s.tp;
    metrics = s.ports.get('metrics') ?? 0;
    workers = await waitFor('two workers ready', () => {
      const pids = [...new Set(tp.logs.filter((r) => r.msg === 'worker ready').map((r) => r.pid as number))];
      return pids.length === 2 ? pids : undefined;
    });
  });

  after(async () => {
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hung worker: the scrape answers 200 with the live worker part, within the collection bound', async () => {
    const [hung] = workers as [number];
    process.kill(hung, 'SIGSTOP');
    stopped.push(hung);
    // The stopped worker cannot accept: the live one takes the scrape; the primary waits 3 s at most for the other.
    const t0 = performance.now();
    const r = await within('scrape with a hung worker', get(metrics, '/metrics'), 8_000);
    assert.equal(r.status, 200);
    assert.match(r.body, /^traefik_config_reloads_total 1$/m);
    assert.ok(performance.now() - t0 < 6_000);
  });

  it('a worker killed while the scrape waits for it: the answer comes without waiting for the bound', async () => {
    const [hung] = workers as [number];
    const queued = ipcQueued(hung);
    const pending = get(metrics, '/metrics');
    // The primary's `metrics-collect` lands in the stopped worker's IPC socket: then it waits for it.
    await waitFor('the collection waiting for the stopped worker', () => (ipcQueued(hung) > queued ? true : undefined));
    const killed = performance.now();
    process.kill(hung, 'SIGKILL');
    const r = await within('scrape with a worker dying', pending, 8_000);
    const ms = performance.now() - killed;
    assert.equal(r.status, 200);
    assert.match(r.body, /^traefik_config_reloads_total 1$/m);
    // Without waiting for the 3 s collection bound (that would be ~2.9 s after the kill).
    assert.ok(ms < 1_500, `answered ${Math.round(ms)} ms after the kill`);
  });
});

describe('metrics: a StatsD address that does not resolve', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-dns-'));
    up = await namedUpstream('up');
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is logged once, and requests keep flowing', async () => {
    // The name is looked up through this machine's resolver: RES_OPTIONS (glibc) bounds each query
    // to one 1 s try, so a resolver that does not answer (a machine with no network) fails the
    // lookup in about 2 s instead of glibc's default 5 s x 2 per address family.
    const s = await start(
      dir,
      dynamicYaml(up, ['a']),
      ['--entryPoints.web.address=127.0.0.1:0', '--metrics.statsD.address=nowhere.invalid:8125', '--metrics.statsD.pushInterval=50ms'],
      false,
      { RES_OPTIONS: 'timeout:1 attempts:1' },
    );
    tp = s.tp;
    const web = s.ports.get('web') ?? 0;
    await traffic(web, 'a.test', 3);
    const warned = await tp.waitForLog('cannot push metrics', (r) => r.msg === 'cannot push metrics', 30_000);
    assert.equal(warned.metricsProvider, 'statsd');
    assert.match(String(warned.err), /ENOTFOUND|EAI_AGAIN/);
    // Later pushes fail too, silently; the proxy still serves.
    await waitFor('more pushes', () => (tp.count((r) => r.msg === 'cannot push metrics') === 1 ? true : undefined));
    await traffic(web, 'a.test', 3);
    assert.equal(tp.count((r) => r.msg === 'cannot push metrics'), 1);
    assert.equal(tp.child.exitCode, null);
  });
});
