/**
 * The benchmark's processes and their configuration files: the nginx upstream (fixed 6-byte
 * body) and the proxies under test, all routing `Host: h500.test` to the upstream with
 * keep-alive, all listening on 127.0.0.1 only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetName } from './options.js';
import { freePort, waitReady, type ProcessSet, type Started } from './processes.js';

/** The Host every proxy routes (the middle one of the 1,000 routers). */
export const BENCH_HOST = 'h500.test';
/** What the upstream answers; readiness checks wait for exactly this body. */
export const UPSTREAM_BODY = 'hello\n';

export interface Tools {
  readonly nginx: string;
  readonly caddy: string;
  readonly node: string;
}

export interface StartContext {
  readonly procs: ProcessSet;
  /** Scratch directory owned by this benchmark run (configs, pid files, logs). */
  readonly dir: string;
  readonly tools: Tools;
  /** CPU the process is pinned to; undefined: not pinned. */
  readonly cpu: number | undefined;
  readonly upstreamPort: number;
  readonly turnpikeEntry: string;
  readonly nodeArgs: readonly string[];
  /** When set, Turnpike runs with `--cpu-prof` writing into this directory. */
  readonly profileDir: string | undefined;
}

export interface Running {
  readonly name: TargetName;
  readonly port: number;
  readonly proc: Started;
}

function nginxMain(prefix: string, port: number, httpBody: string): string {
  const tmp = (n: string): string => join(prefix, 'tmp', n);
  return `daemon off;
master_process on;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  keepalive_requests 10000000;
  keepalive_timeout 120s;
${httpBody.replaceAll('PORT', String(port))}
}
`;
}

async function startNginx(ctx: StartContext, label: string, httpBody: string, host: string): Promise<{ port: number; proc: Started }> {
  const prefix = join(ctx.dir, label);
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxMain(prefix, port, httpBody));
  const log = join(prefix, 'stdout.log');
  const proc = ctx.procs.start(label, ctx.cpu, ctx.tools.nginx, ['-p', prefix + '/', '-e', join(prefix, 'error.log'), '-c', conf], log);
  await waitReady(proc, port, host, UPSTREAM_BODY);
  return { port, proc };
}

/** nginx answering `hello\n` itself: the upstream of every proxy, and the "upstream alone" target. */
export async function startUpstream(ctx: Omit<StartContext, 'upstreamPort'>): Promise<{ port: number; proc: Started }> {
  const server = `  server {
    listen 127.0.0.1:PORT;
    location / {
      default_type text/plain;
      return 200 "hello\\n";
    }
  }`;
  return startNginx({ ...ctx, upstreamPort: 0 }, 'upstream', server, BENCH_HOST);
}

/** nginx as a reverse proxy: 1 worker, Host-routed server block, keep-alive upstream pool. */
export async function startNginxProxy(ctx: StartContext): Promise<Running> {
  const body = `  upstream backend {
    server 127.0.0.1:${ctx.upstreamPort};
    keepalive 128;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
  }
  server {
    listen 127.0.0.1:PORT default_server;
    return 404;
  }
  server {
    listen 127.0.0.1:PORT;
    server_name ${BENCH_HOST};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
    }
  }`;
  const { port, proc } = await startNginx(ctx, 'nginx', body, BENCH_HOST);
  return { name: 'nginx', port, proc };
}

/** Caddy: reverse_proxy on a Host-matched site, admin API and automatic HTTPS off, GOMAXPROCS=1. */
export async function startCaddy(ctx: StartContext): Promise<Running> {
  const dir = join(ctx.dir, 'caddy');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const file = join(dir, 'Caddyfile');
  writeFileSync(
    file,
    `{
	admin off
	auto_https off
	storage file_system ${join(dir, 'data')}
}

http://${BENCH_HOST}:${port} {
	bind 127.0.0.1
	reverse_proxy 127.0.0.1:${ctx.upstreamPort} {
		transport http {
			keepalive 120s
			keepalive_idle_conns 128
			keepalive_idle_conns_per_host 128
		}
	}
}
`,
  );
  const env = { ...process.env, GOMAXPROCS: '1', HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  const proc = ctx.procs.start('caddy', ctx.cpu, ctx.tools.caddy, ['run', '--config', file, '--adapter', 'caddyfile'], join(dir, 'caddy.log'), env);
  await waitReady(proc, port, BENCH_HOST, UPSTREAM_BODY);
  return { name: 'caddy', port, proc };
}

/** Traefik-style dynamic configuration: `count` Host routers, each with its own service. */
export function turnpikeDynamic(count: number, upstreamPort: number): string {
  const routers: string[] = [];
  const services: string[] = [];
  // With one router it is the benchmarked host; with 1,000 the benchmarked host is h500 (the middle).
  const first = count === 1 ? 500 : 1;
  for (let i = first; i < first + count; i++) {
    routers.push(`    r${i}:\n      entryPoints: [web]\n      rule: "Host(\`h${i}.test\`)"\n      service: s${i}\n`);
    services.push(`    s${i}:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:${upstreamPort}"\n`);
  }
  return `http:\n  routers:\n${routers.join('')}  services:\n${services.join('')}`;
}

/** Turnpike (Traefik static config + file provider), `routers` Host routers. */
export async function startTurnpike(ctx: StartContext, name: 'turnpike-1' | 'turnpike-1k', routers: number): Promise<Running> {
  const dir = join(ctx.dir, name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const dynamic = join(dir, 'dynamic.yml');
  writeFileSync(dynamic, turnpikeDynamic(routers, ctx.upstreamPort));
  const staticFile = join(dir, 'traefik.yml');
  writeFileSync(
    staticFile,
    `entryPoints:
  web:
    address: "127.0.0.1:${port}"
providers:
  file:
    filename: ${JSON.stringify(dynamic)}
    watch: false
log:
  level: ERROR
# One process on the one pinned core (the default is one worker per core).
workers: 1
`,
  );
  const prof = ctx.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`];
  const args = [...ctx.nodeArgs, ...prof, ctx.turnpikeEntry, `--configFile=${staticFile}`];
  const proc = ctx.procs.start(name, ctx.cpu, ctx.tools.node, args, join(dir, 'turnpike.log'));
  await waitReady(proc, port, BENCH_HOST, UPSTREAM_BODY, 60_000);
  return { name, port, proc };
}
