/**
 * nginx, twice over: the upstream every proxy forwards to (`/` = "hello\n", `/16k` = a 16 KiB
 * static file), and nginx as a proxy under test (1 or 2 workers, plain HTTP/1.1 or HTTP/2 over TLS).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_HOST, BIG_BODY_BYTES, BODY_PATHS, UPSTREAM_BODY } from './constants.js';
import { freePort, waitReady, type Started } from './processes.js';
import { waitTargetReady } from './readiness.js';
import type { Running, StartContext, Tools } from './targets.js';

/** What starting an nginx needs (a StartContext has it). */
type NginxContext = Pick<StartContext, 'procs' | 'dir' | 'cpu'> & { readonly tools: Pick<Tools, 'nginx'> };

/** The upstream needs no more than nginx; the rest of a StartContext may be passed along (bench/scale does). */
export type UpstreamContext = Partial<Omit<StartContext, 'tools'>> & NginxContext & { readonly tools: Partial<Tools> };

function nginxMain(prefix: string, port: number, workers: number, httpBody: string): string {
  const tmp = (n: string): string => join(prefix, 'tmp', n);
  return `daemon off;
master_process on;
worker_processes ${workers};
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
  # Also bounds requests per HTTP/2 connection (nginx >= 1.19.7): h2load does not reconnect.
  keepalive_requests 10000000;
  keepalive_timeout 120s;
${httpBody.replaceAll('PORT', String(port))}
}
`;
}

/** Writes the configuration under `<dir>/<label>/` and starts nginx on a free port. */
async function startNginx(ctx: NginxContext, label: string, workers: number, httpBody: string): Promise<{ port: number; proc: Started; prefix: string }> {
  const prefix = join(ctx.dir, label);
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxMain(prefix, port, workers, httpBody.replaceAll('PREFIX', prefix)));
  const proc = ctx.procs.start(label, ctx.cpu, ctx.tools.nginx, ['-p', prefix + '/', '-e', join(prefix, 'error.log'), '-c', conf], join(prefix, 'stdout.log'));
  return { port, proc, prefix };
}

/** 16 KiB of printable ASCII (so a string length is its byte count). */
export function bigBody(): string {
  return 'abcdefghijklmno\n'.repeat(BIG_BODY_BYTES / 16);
}

/**
 * nginx answering itself, one worker: the upstream of every proxy and the "upstream alone" target.
 * `/16k` is a static file (sendfile, open file cache), everything else `return 200 "hello\n"`.
 */
export async function startUpstream(ctx: UpstreamContext): Promise<{ port: number; proc: Started }> {
  const server = `  sendfile on;
  open_file_cache max=16 inactive=1h;
  server {
    listen 127.0.0.1:PORT;
    location = ${BODY_PATHS['16k']} {
      default_type text/plain;
      alias PREFIX/16k.txt;
    }
    location / {
      default_type text/plain;
      return 200 "${UPSTREAM_BODY.replace('\n', '\\n')}";
    }
  }`;
  const { port, proc, prefix } = await startNginx(ctx, 'upstream', 1, server);
  writeFileSync(join(prefix, '16k.txt'), bigBody(), { mode: 0o644 });
  // Started by root, nginx's workers run as `nobody`: they must be able to reach the file
  // (mkdtemp makes the scratch directory 0700). Traverse only, no listing.
  chmodSync(ctx.dir, 0o711);
  await waitReady(proc, port, BENCH_HOST, UPSTREAM_BODY);
  return { port, proc };
}

/** `1.25.1` >= `1.25.1`: nginx versions compared numerically. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < b.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The listen parameters and directives of an HTTP/2 over TLS server (syntax by nginx version). */
export function nginxTlsListen(version: string, cert: { cert: string; key: string }): { listen: string; http: string } {
  // `http2 on;` replaced `listen ... http2` in nginx 1.25.1.
  const modern = versionAtLeast(version, '1.25.1');
  return {
    listen: modern ? 'ssl' : 'ssl http2',
    http: `  ssl_certificate ${cert.cert};
  ssl_certificate_key ${cert.key};
  ssl_protocols TLSv1.2 TLSv1.3;
${modern ? '  http2 on;\n' : ''}`,
  };
}

/**
 * nginx as a reverse proxy: `workers` worker processes, a Host-routed server block, a keep-alive
 * upstream pool; with `tls`, HTTP/2 over TLS (h2 and http/1.1 by ALPN) in front.
 */
export async function startNginxProxy(ctx: StartContext, name: 'nginx' | 'nginx-2w', workers: number, tls: boolean): Promise<Running> {
  if (tls && !ctx.cert) throw new Error('no certificate for the HTTP/2 targets');
  const t = tls && ctx.cert ? nginxTlsListen(ctx.tools.nginxVersion, ctx.cert) : { listen: '', http: '' };
  const listen = `127.0.0.1:PORT${t.listen === '' ? '' : ' ' + t.listen}`;
  // Idle keep-alive connections kept: above the most requests in flight (h2load -c64 -m10 = 640),
  // or nginx closes and reopens upstream connections under load.
  const body = `${t.http}  upstream backend {
    server 127.0.0.1:${ctx.upstreamPort};
    keepalive 1024;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
  }
  server {
    listen ${listen} default_server;
    return 404;
  }
  server {
    listen ${listen};
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
  const protocol = tls ? 'h2' : 'h1';
  const { port, proc } = await startNginx(ctx, tls ? `${name}-h2` : name, workers, body);
  await waitTargetReady(proc, port, protocol);
  return { name, protocol, port, proc };
}
