/**
 * Forwarder throughput (a script, not a test): wrk against Turnpike's data path (node:http entry
 * point + the hand-written upstream client), Caddy, and node:http + http.request, all proxying to
 * one nginx upstream (6-byte body). Proxies are pinned to CPU 0, wrk and nginx to CPU 1 (taskset,
 * when present); rounds are interleaved; reports requests/s, CPU us per request of the proxy
 * process, and ratios to Caddy (compare ratios only: these machines drift between runs).
 *
 *   npx tsc -p . --outDir dist-bench && node dist-bench/bench/micro/forwarder.bench.js [seconds] [rounds]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request as httpRequest, createServer, Agent } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import { createForwarder } from '../../src/proxy/forwarder.js';
import { parseServerUrl } from '../../src/proxy/server-target.js';
import { DEFAULT_TRANSPORT_DEFAULTS, resolveTransport } from '../../src/proxy/transport.js';

const UPSTREAM_PORT = 18181;
const PORTS = { turnpike: 18182, caddy: 18183, 'node-http': 18184 } as const;
type Target = keyof typeof PORTS;

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Role: the Turnpike data path (entry point + forwarder), no routing. */
async function serveTurnpike(port: number, upstream: number): Promise<void> {
  const ep = new HttpEntryPoint(
    {
      name: 'bench',
      address: `127.0.0.1:${port}`,
      host: '127.0.0.1',
      port,
      protocol: 'tcp',
      asDefault: false,
      forwardedHeaders: { trustedIPs: [], insecure: false },
      transport: {
        respondingTimeouts: { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 },
        lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: 1_000 },
      },
      http: { redirections: undefined, middlewares: [] },
    },
    { hostname: 'bench' },
  );
  const forward = createForwarder({ transport: resolveTransport(DEFAULT_TRANSPORT_DEFAULTS), passHostHeader: true });
  const target = parseServerUrl(`http://127.0.0.1:${upstream}`);
  ep.setHandler((ex) => forward(ex, target));
  await ep.listen();
}

/** Role: the naive Node proxy (node:http server + http.request with a keep-alive agent). */
function serveNodeHttp(port: number, upstream: number): void {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  createServer((req, res) => {
    const up = httpRequest({ host: '127.0.0.1', port: upstream, path: req.url, method: req.method, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  }).listen(port, '127.0.0.1');
}

function waitPort(port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`port ${port} not ready`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 Hz)
}

interface Sample {
  rps: number;
  cpuUsPerReq: number;
}

function runWrk(port: number, seconds: number, pid: number, pin: boolean): Sample {
  const before = cpuTicks(pid);
  const args = ['-t1', '-c64', `-d${seconds}s`, `http://127.0.0.1:${port}/`];
  const out = pin ? spawnSync('taskset', ['-c', '1', 'wrk', ...args]) : spawnSync('wrk', args);
  const after = cpuTicks(pid);
  const text = out.stdout.toString();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  return { rps, cpuUsPerReq: total > 0 ? ((after - before) * 10_000) / total : 0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const [role, a, b] = process.argv.slice(2);
  if (role === '--serve-turnpike') return serveTurnpike(Number(a), Number(b));
  if (role === '--serve-node-http') return serveNodeHttp(Number(a), Number(b));

  const seconds = Number(role ?? 8);
  const rounds = Number(a ?? 3);
  if (!has('wrk') || !has('nginx')) throw new Error('needs wrk and nginx');
  const pin = has('taskset');
  const dir = mkdtempSync(join(tmpdir(), 'tpk-fwd-bench-'));
  const procs: ChildProcess[] = [];
  const launch = (cpu: number, cmd: string, args: string[]): ChildProcess => {
    const p = pin ? spawn('taskset', ['-c', String(cpu), cmd, ...args], { stdio: 'ignore' }) : spawn(cmd, args, { stdio: 'ignore' });
    procs.push(p);
    return p;
  };
  try {
    mkdirSync(join(dir, 'tmp'));
    const t = (n: string): string => join(dir, 'tmp', n);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; master_process off; worker_processes 1; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  client_body_temp_path ${t('b')}; proxy_temp_path ${t('p')}; fastcgi_temp_path ${t('f')}; uwsgi_temp_path ${t('u')}; scgi_temp_path ${t('s')};
  server { listen 127.0.0.1:${UPSTREAM_PORT}; location / { return 200 "hello\\n"; } } }\n`,
    );
    launch(1, 'nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
    await waitPort(UPSTREAM_PORT);

    const pids = new Map<Target, number>();
    const self = fileURLToPath(import.meta.url);
    pids.set('turnpike', launch(0, process.execPath, [self, '--serve-turnpike', String(PORTS.turnpike), String(UPSTREAM_PORT)]).pid as number);
    pids.set('node-http', launch(0, process.execPath, [self, '--serve-node-http', String(PORTS['node-http']), String(UPSTREAM_PORT)]).pid as number);
    if (has('caddy')) {
      writeFileSync(
        join(dir, 'Caddyfile'),
        `{\n  admin off\n  auto_https off\n}\n:${PORTS.caddy} {\n  bind 127.0.0.1\n  reverse_proxy 127.0.0.1:${UPSTREAM_PORT}\n}\n`,
      );
      pids.set('caddy', launch(0, 'caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile']).pid as number);
    }
    for (const target of pids.keys()) await waitPort(PORTS[target]);

    const samples = new Map<Target, Sample[]>();
    for (const target of pids.keys()) runWrk(PORTS[target], 2, pids.get(target) as number, pin); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const [target, pid] of pids) {
        const s = runWrk(PORTS[target], seconds, pid, pin);
        samples.set(target, [...(samples.get(target) ?? []), s]);
      }
    }
    const caddyRps = median((samples.get('caddy') ?? []).map((s) => s.rps));
    console.log(`wrk -t1 -c64 -d${seconds}s, ${rounds} interleaved rounds, medians (pinned: ${pin})`);
    for (const [target, list] of samples) {
      const rps = median(list.map((s) => s.rps));
      const cpu = median(list.map((s) => s.cpuUsPerReq));
      const ratio = caddyRps > 0 ? ` x Caddy ${(rps / caddyRps).toFixed(2)}` : '';
      console.log(`${target.padEnd(10)} ${rps.toFixed(0).padStart(7)} req/s  ${cpu.toFixed(0).padStart(4)} us CPU/req${ratio}  [${list.map((s) => s.rps.toFixed(0)).join(', ')}]`);
    }
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
