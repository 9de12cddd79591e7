/**
 * Caddy (Go, Traefik's class): reverse_proxy on a Host-matched site, admin API and automatic
 * HTTPS off, GOMAXPROCS=1, with TLS a site for any host and `default_sni` (wrk sends the IP address
 * as its server name, which a `https://h500.test` site would refuse), up to 1,024 idle upstream connections (more than the requests in flight,
 * HTTP/2 included); with `tls`, the benchmark's certificate and HTTP/2 by ALPN.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_HOST } from './constants.js';
import { freePort } from './processes.js';
import { waitTargetReady } from './readiness.js';
import type { Running, StartContext } from './targets.js';

export function caddyfile(dir: string, port: number, upstreamPort: number, cert: { cert: string; key: string } | undefined): string {
  return `{
	admin off
	auto_https off
${cert ? `\tdefault_sni ${BENCH_HOST}\n` : ''}	storage file_system ${join(dir, 'data')}
}

${cert ? `https://:${port}` : `http://${BENCH_HOST}:${port}`} {
	bind 127.0.0.1
${cert ? `\ttls ${cert.cert} ${cert.key}\n` : ''}	reverse_proxy 127.0.0.1:${upstreamPort} {
		transport http {
			keepalive 120s
			keepalive_idle_conns 1024
			keepalive_idle_conns_per_host 1024
		}
	}
}
`;
}

export async function startCaddy(ctx: StartContext, tls: boolean): Promise<Running> {
  if (tls && !ctx.cert) throw new Error('no certificate for the HTTP/2 targets');
  const dir = join(ctx.dir, tls ? 'caddy-h2' : 'caddy');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, caddyfile(dir, port, ctx.upstreamPort, tls ? ctx.cert : undefined));
  const env = { ...process.env, GOMAXPROCS: '1', HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  const proc = ctx.procs.start(tls ? 'caddy-h2' : 'caddy', ctx.cpu, ctx.tools.caddy, ['run', '--config', file, '--adapter', 'caddyfile'], join(dir, 'caddy.log'), env);
  const protocol = tls ? 'h2' : 'h1';
  await waitTargetReady(proc, port, protocol);
  return { name: 'caddy', protocol, port, proc };
}
