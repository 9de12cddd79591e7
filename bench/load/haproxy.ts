/**
 * HAProxy in http mode: one thread, no logs, keep-alive to the upstream with `http-reuse always`,
 * Host-routed (404 for other hosts), X-Forwarded-For/Proto/Host added like Traefik does; with
 * `tls`, the benchmark's certificate and `alpn h2,http/1.1` on the bind line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_HOST } from './constants.js';
import { freePort } from './processes.js';
import { waitTargetReady } from './readiness.js';
import type { Running, StartContext } from './targets.js';

/** The configuration file; `combinedPem` (certificate + key) turns TLS and HTTP/2 on. */
export function haproxyConfig(port: number, upstreamPort: number, combinedPem: string | undefined): string {
  const bind = combinedPem === undefined ? '' : ` ssl crt ${combinedPem} alpn h2,http/1.1`;
  return `global
  nbthread 1
  # Each connection needs 2 descriptors; 4096 stays under common open-file limits.
  maxconn 4096
  # TLS 1.3 suites in the order nginx and Caddy end up with (AES-128-GCM first), for a like-for-like cost.
  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256

defaults
  mode http
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
  http-reuse always
  option forwardfor

frontend bench
  bind 127.0.0.1:${port}${bind}
  acl bench_host req.hdr(host),field(1,:) -m str -i ${BENCH_HOST}
  http-request return status 404 unless bench_host
  http-request set-header X-Forwarded-Proto ${combinedPem === undefined ? 'http' : 'https'}
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  default_backend upstream

backend upstream
  server upstream 127.0.0.1:${upstreamPort}
`;
}

export async function startHaproxy(ctx: StartContext, tls: boolean): Promise<Running> {
  if (tls && !ctx.cert) throw new Error('no certificate for the HTTP/2 targets');
  const label = tls ? 'haproxy-h2' : 'haproxy';
  const dir = join(ctx.dir, label);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(port, ctx.upstreamPort, tls ? ctx.cert?.combined : undefined));
  // -db: stay in the foreground (no daemon), so the PID we hold is HAProxy itself.
  const proc = ctx.procs.start(label, ctx.cpu, ctx.tools.haproxy, ['-db', '-f', file], join(dir, 'haproxy.log'));
  const protocol = tls ? 'h2' : 'h1';
  await waitTargetReady(proc, port, protocol);
  return { name: 'haproxy', protocol, port, proc };
}
