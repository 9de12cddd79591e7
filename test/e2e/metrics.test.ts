/**
 * Metrics through the real binary: a real Prometheus server (Debian `prometheus`) scrapes
 * Turnpike and its query API returns the counts the test's traffic made; with `--workers=2` one
 * scrape shows the sum over both workers (which worker served a request is found from the
 * upstream's view of the proxy's source port and the worker's sockets in /proc); StatsD and
 * DogStatsD lines reach a local UDP socket; internal routers are left out unless addInternals;
 * manualRouting with a file router to prometheus@internal, addRoutersLabels, headerLabels, buckets.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { get } from '../helpers/http-client.js';
import { BIN, TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor, within } from '../helpers/wait.js';
import { peerPortUpstream, tcpPortsOf } from './workers-load.js';

const isApplied = (r: LogRecord): boolean => r.msg === 'configuration applied';

function dynamicYaml(up: Upstream, extra = ''): string {
  return `http:
  routers:
    app:
      rule: "Host(\`app.test\`)"
      service: svc
${extra}  services:
    svc:
      loadBalancer:
        servers:
          - url: "${up.url}"
`;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Starts Turnpike with `flags`; resolves with the port of each entry point. */
async function start(dir: string, dynamic: string, flags: string[]): Promise<{ tp: TurnpikeProcess; ports: Map<string, number> }> {
  const file = join(dir, 'dynamic.yml');
  writeFileSync(file, dynamic);
  const tp = new TurnpikeProcess([`--providers.file.filename=${file}`, '--providers.file.watch=false', '--log.format=json', '--log.level=DEBUG', ...flags]);
  await tp.waitForLog('first configuration', isApplied, 20_000);
  const ports = new Map<string, number>();
  for (const r of tp.logs) if (r.msg === 'entryPoint listening') ports.set(r.entryPoint as string, r.port as number);
  return { tp, ports };
}

/** The value of one sample line of Prometheus text (`name{labels} value`), or undefined. */
function sample(text: string, line: RegExp): number | undefined {
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? undefined : Number(m.slice(m.lastIndexOf(' ') + 1));
}

/** Sum of the values of every sample line matching. */
function sum(text: string, line: RegExp): number {
  return text
    .split('\n')
    .filter((l) => line.test(l))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function traffic(port: number, n: number, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await get(port, '/', { host: 'app.test', headers });
    assert.equal(r.status, 200);
  }
}

interface Prometheus {
  readonly port: number;
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

async function startPrometheus(dir: string, target: number): Promise<Prometheus> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: turnpike
    scrape_interval: 1s
    static_configs:
      - targets: ["127.0.0.1:${target}"]
`,
  );
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = once(child, 'exit');
  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await get(port, `/api/v1/query?query=${encodeURIComponent(q)}`);
    if (r.status !== 200) throw new Error(`query ${q}: ${r.status} ${r.body}`);
    return (JSON.parse(r.body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };
  await waitFor(`prometheus ready (${stderr.join('')})`, async () => ((await get(port, '/-/ready')).status === 200 ? true : undefined), 30_000);
  return {
    port,
    query,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await within('prometheus exit', exited, 15_000).catch(() => child.kill('SIGKILL'));
      }
    },
  };
}

describe('metrics: a real Prometheus scrapes Turnpike', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let prom: Prometheus | undefined;
  let web: number;
  let metricsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-'));
    up = await namedUpstream('up');
    ({ tp } = await start(dir, dynamicYaml(up), [
      '--entryPoints.web.address=127.0.0.1:0',
      '--entryPoints.metrics.address=127.0.0.1:0',
      '--metrics.prometheus.entryPoint=metrics',
      '--metrics.prometheus.addRoutersLabels=true',
      '--metrics.addInternals=true',
    ]).then((s) => {
      web = s.ports.get('web') ?? 0;
      metricsPort = s.ports.get('metrics') ?? 0;
      return s;
    }));
  });

  after(async () => {
    await prom?.stop();
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the query API returns the request counter the traffic produced', async () => {
    await traffic(web, 7);
    prom = await startPrometheus(dir, metricsPort);
    const p = prom;
    const result = await waitFor(
      'prometheus to scrape 7 requests',
      async () => {
        const r = await p.query('traefik_entrypoint_requests_total{entrypoint="web",code="200",method="GET",protocol="http"}');
        return r.length === 1 && r[0]?.value[1] === '7' ? r : undefined;
      },
      30_000,
    );
    assert.equal(result[0]?.metric['job'], 'turnpike');
    const router = await p.query('traefik_router_requests_total{router="app@file"}');
    assert.deepEqual(
      router.map((r) => [r.metric['service'], r.value[1]]),
      [['svc@file', '7']],
    );
    const service = await p.query('sum(traefik_service_requests_total{service="svc@file"})');
    assert.equal(service[0]?.value[1], '7');
    const reloads = await p.query('traefik_config_reloads_total');
    assert.equal(reloads[0]?.value[1], '1');
    const lastReload = Number((await p.query('traefik_config_last_reload_success'))[0]?.value[1]);
    assert.ok(Math.abs(lastReload - Date.now() / 1000) < 120, `last reload ${lastReload}`);
    // addInternals: Prometheus's own scrapes of prometheus@internal are counted too.
    const scrapes = await waitFor('scrapes counted', async () => {
      const r = await p.query('traefik_router_requests_total{router="prometheus@internal"}');
      return r.length > 0 && Number(r[0]?.value[1]) > 0 ? r : undefined;
    });
    assert.equal(scrapes[0]?.metric['entrypoint'], undefined);
    const open = await p.query('traefik_open_connections{entrypoint="metrics",protocol="TCP"}');
    assert.equal(open.length, 1);
  });
});

describe('metrics: --workers=2, one scrape sums both workers', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let web: number;
  let metricsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-w-'));
    up = await peerPortUpstream('W');
    const s = await start(dir, dynamicYaml(up), ['--workers=2', '--entryPoints.web.address=127.0.0.1:0', '--entryPoints.metrics.address=127.0.0.1:0', '--metrics.prometheus.entryPoint=metrics']);
    tp = s.tp;
    web = s.ports.get('web') ?? 0;
    metricsPort = s.ports.get('metrics') ?? 0;
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One request on a fresh connection; the proxy's source port as the upstream saw it. */
  function once1(): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: web, path: '/', headers: { host: 'app.test' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(res.headers['x-peer-port'])) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('both workers served requests and the scrape shows their sum', async () => {
    const workers = await waitFor('two workers ready', () => {
      const pids = [...new Set(tp.logs.filter((r) => r.msg === 'worker ready').map((r) => r.pid as number))];
      return pids.length === 2 ? pids : undefined;
    });
    const perWorker = new Map<number, number>(workers.map((pid) => [pid, 0]));
    let sent = 0;
    // Fresh connections in parallel until both workers served some (bounded).
    while (sent < 400 && [...perWorker.values()].some((n) => n === 0)) {
      const ports = await Promise.all(Array.from({ length: 10 }, () => once1()));
      sent += ports.length;
      for (const port of ports) {
        const pid = workers.find((w) => tcpPortsOf(w).has(port));
        if (pid !== undefined) perWorker.set(pid, (perWorker.get(pid) ?? 0) + 1);
      }
    }
    assert.ok([...perWorker.values()].every((n) => n > 0), `per worker: ${JSON.stringify([...perWorker])}`);
    assert.equal([...perWorker.values()].reduce((a, b) => a + b, 0), sent);
    // Every scrape (whichever worker takes it) shows the sum over both.
    for (let i = 0; i < 4; i++) {
      const r = await get(metricsPort, '/metrics');
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      assert.equal(sample(r.body, /^traefik_entrypoint_requests_total\{code="200",entrypoint="web",method="GET",protocol="http"\} /), sent, r.body);
      assert.equal(sample(r.body, /^traefik_config_reloads_total /), 1);
      assert.equal(sample(r.body, /^traefik_entrypoint_request_duration_seconds_count\{code="200",entrypoint="web"/), sent);
    }
  });
});

describe('metrics: StatsD and Datadog lines over UDP', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let statsd: Socket;
  let dogstatsd: Socket;
  const got = { statsd: [] as string[], datadog: [] as string[] };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-udp-'));
    up = await namedUpstream('up');
    statsd = createSocket('udp4');
    dogstatsd = createSocket('udp4');
    statsd.on('message', (m: Buffer) => got.statsd.push(...m.toString().split('\n').filter(Boolean)));
    dogstatsd.on('message', (m: Buffer) => got.datadog.push(...m.toString().split('\n').filter(Boolean)));
    await Promise.all([new Promise<void>((r) => statsd.bind(0, '127.0.0.1', r)), new Promise<void>((r) => dogstatsd.bind(0, '127.0.0.1', r))]);
    const s = await start(dir, dynamicYaml(up), [
      '--entryPoints.web.address=127.0.0.1:0',
      `--metrics.statsD.address=127.0.0.1:${statsd.address().port}`,
      '--metrics.statsD.pushInterval=100ms',
      '--metrics.statsD.prefix=tp',
      `--metrics.datadog.address=127.0.0.1:${dogstatsd.address().port}`,
      '--metrics.datadog.pushInterval=100ms',
      '--metrics.datadog.addRoutersLabels=true',
    ]);
    tp = s.tp;
    await traffic(s.ports.get('web') ?? 0, 3);
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    statsd?.close();
    dogstatsd?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const value = (line: string): number => Number(/:([0-9.]+)\|/.exec(line)?.[1]);

  it('StatsD: plain dotted names under the prefix, counters summed, durations in ms', async () => {
    await waitFor('3 requests pushed to StatsD', () => (sum3(got.statsd, 'tp.entrypoint.request.total:') === 3 ? true : undefined));
    assert.equal(sum3(got.statsd, 'tp.service.request.total:'), 3);
    assert.equal(sum3(got.statsd, 'tp.config.reload.total:'), 1);
    assert.ok(got.statsd.some((l) => /^tp\.entrypoint\.request\.duration:[0-9]+\.[0-9]{6}\|ms$/.test(l)), got.statsd.join('\n'));
    assert.ok(got.statsd.some((l) => /^tp\.open\.connections:[0-9]+\.000000\|g$/.test(l)));
    assert.ok(!got.statsd.some((l) => l.includes('|#')));
  });

  it('Datadog: DogStatsD lines with tags, durations in seconds as histograms', async () => {
    const tags = '|#entrypoint:web,method:GET,protocol:http,code:200';
    await waitFor('3 requests pushed to Datadog', () => (sum3(got.datadog, 'traefik.entrypoint.request.total:', tags) === 3 ? true : undefined));
    assert.equal(sum3(got.datadog, 'traefik.router.request.total:', '|#router:app@file,service:svc@file,method:GET,protocol:http,code:200'), 3);
    assert.equal(sum3(got.datadog, 'traefik.service.request.total:', '|#service:svc@file,method:GET,protocol:http,code:200'), 3);
    const durations = got.datadog.filter((l) => l.startsWith('traefik.entrypoint.request.duration:'));
    assert.equal(durations.length, 3);
    for (const d of durations) {
      assert.ok(d.endsWith(`|h${tags}`), d);
      assert.ok(value(d) < 5, `${d} is in seconds`);
    }
    assert.ok(got.datadog.some((l) => l.startsWith('traefik.open.connections:') && l.endsWith('|g|#entrypoint:web,protocol:TCP')));
  });

  function sum3(lines: string[], head: string, tail = ''): number {
    return lines.filter((l) => l.startsWith(head) && l.endsWith(`|c${tail}`)).reduce((n, l) => n + value(l), 0);
  }
});

describe('metrics: internals, manualRouting, addRoutersLabels, headerLabels, buckets', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let web: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-m-'));
    up = await namedUpstream('up');
    const extra = `    metrics:
      rule: "Path(\`/custom-metrics\`)"
      service: prometheus@internal
`;
    const s = await start(dir, dynamicYaml(up, extra), [
      '--entryPoints.web.address=127.0.0.1:0',
      '--ping.entryPoint=web',
      '--metrics.prometheus.entryPoint=web',
      '--metrics.prometheus.manualRouting=true',
      '--metrics.prometheus.addRoutersLabels=true',
      '--metrics.prometheus.buckets=0.05,2',
      '--metrics.prometheus.headerLabels.agent=X-Agent',
    ]);
    tp = s.tp;
    web = s.ports.get('web') ?? 0;
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the metrics only on the router the user made, with the configured labels and buckets', async () => {
    assert.equal(tp.logs.filter((r) => r.msg === 'entryPoint listening').length, 1, 'no traefik entry point is created');
    assert.equal((await get(web, '/metrics')).status, 404, 'no automatic /metrics router with manualRouting');
    await traffic(web, 2, { 'X-Agent': 'probe' });
    await traffic(web, 1);
    for (let i = 0; i < 3; i++) assert.equal((await get(web, '/ping')).status, 200);
    const r = await get(web, '/custom-metrics');
    assert.equal(r.status, 200);
    const text = r.body;
    assert.equal(sample(text, /^traefik_entrypoint_requests_total\{agent="probe",code="200",entrypoint="web",method="GET",protocol="http"\} /), 2, text);
    assert.equal(sample(text, /^traefik_entrypoint_requests_total\{agent="",code="200",entrypoint="web",method="GET",protocol="http"\} /), 1);
    assert.equal(sample(text, /^traefik_entrypoint_request_duration_seconds_bucket\{code="200",entrypoint="web",method="GET",protocol="http",le="2"\} /), 3);
    assert.ok(text.includes('le="0.05"'));
    assert.ok(!text.includes('le="0.1"'));
    assert.equal(sample(text, /^traefik_router_requests_total\{agent="probe",code="200",method="GET",protocol="http",router="app@file",service="svc@file"\} /), 2);
    // ping@internal is internal: not counted (404 of /metrics above is, on no router).
    assert.equal(sum(text, /^traefik_entrypoint_requests_total\{.*entrypoint="web".*\} /), 4, text);
    assert.ok(!text.includes('ping@internal'));
    // The user's router to prometheus@internal is a user router (counted once its first answer is done);
    // the internal service itself is not.
    assert.ok(!text.includes('service="prometheus@internal"'));
    const again = (await get(web, '/custom-metrics')).body;
    assert.equal(sample(again, /^traefik_router_requests_total\{agent="",code="200",method="GET",protocol="http",router="metrics@file",service="prometheus@internal"\} /), 1, again);
  });
});

describe('metrics: turnpike check', () => {
  it('knows prometheus@internal when metrics.prometheus is configured, and only then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-metrics-check-'));
    try {
      const dyn = join(dir, 'dynamic.yml');
      writeFileSync(dyn, 'http:\n  routers:\n    m:\n      rule: "Path(`/m`)"\n      service: prometheus@internal\n');
      const check = async (extra: string[]): Promise<{ code: number | null; out: string }> => {
        const child = spawn(process.execPath, [BIN, 'check', '--entryPoints.web.address=:0', `--providers.file.filename=${dyn}`, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
        const [code] = (await within('turnpike check', once(child, 'exit'), 20_000)) as [number | null];
        return { code, out };
      };
      const on = await check(['--metrics.prometheus.manualRouting=true', '--metrics.prometheus.entryPoint=web']);
      assert.equal(on.code, 0, on.out);
      const off = await check([]);
      assert.equal(off.code, 1);
      assert.match(off.out, /prometheus@internal/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
