/**
 * Turnpike as a target: a Traefik static file (`--configFile`) plus the file provider, with 1 or
 * 1,000 Host routers and 1 or more worker processes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BENCH_HOST, UPSTREAM_BODY } from './constants.js';
import { freePort, waitReady, type Prober } from './processes.js';
import { proberFor } from './readiness.js';
import { processTree } from './proc-stats.js';
import type { Running, StartContext } from './targets.js';
import { dataPathExecArgv } from '../../src/runtime/workers/gc-flags.js';

/**
 * Traefik-style dynamic configuration: `count` Host routers, each with its own service. With
 * `cert`, the routers are TLS routers and the certificate is both in `tls.certificates` and the
 * default one (wrk sends no SNI for an IP address; every peer serves the same ECDSA certificate).
 */
export function turnpikeDynamic(count: number, upstreamPort: number, middlewares = false, cert?: { cert: string; key: string }): string {
  const routers: string[] = [];
  const chain = (middlewares ? '      middlewares: [hdr, strip, allow, limit, gzip]\n' : '') + (cert ? '      tls: {}\n' : '');
  const services: string[] = [];
  // With one router it is the benchmarked host; with 1,000 the benchmarked host is h500 (the middle).
  const first = count === 1 ? 500 : 1;
  for (let i = first; i < first + count; i++) {
    routers.push(`    r${i}:\n      entryPoints: [web]\n      rule: "Host(\`h${i}.test\`)"\n      service: s${i}\n${chain}`);
    services.push(`    s${i}:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:${upstreamPort}"\n`);
  }
  const tls = cert
    ? `tls:\n  certificates:\n    - certFile: ${JSON.stringify(cert.cert)}\n      keyFile: ${JSON.stringify(cert.key)}\n  stores:\n    default:\n      defaultCertificate:\n        certFile: ${JSON.stringify(cert.cert)}\n        keyFile: ${JSON.stringify(cert.key)}\n`
    : '';
  return `http:\n  routers:\n${routers.join('')}  services:\n${services.join('')}${middlewares ? BENCH_MIDDLEWARES : ''}${tls}`;
}

/**
 * Issue 4's "5 common middlewares": headers, stripPrefix (its prefix does not match `/`, as for most
 * requests of a real API), ipAllowList, rateLimit with a limit far above the load, compress (the
 * 6-byte body is under its 1024-byte minimum, so it only decides not to compress).
 */
const BENCH_MIDDLEWARES = `  middlewares:
    hdr:
      headers:
        customRequestHeaders: {X-Bench: "1"}
        customResponseHeaders: {X-Served-By: turnpike}
    strip:
      stripPrefix:
        prefixes: [/api]
    allow:
      ipAllowList:
        sourceRange: [127.0.0.1/32, "::1/128"]
    limit:
      rateLimit:
        average: 100000000
        burst: 100000000
    gzip:
      compress: {}
`;

/** The static configuration: one entry point, the file provider, quiet logs, `workers` processes. */
export function turnpikeStatic(port: number, dynamicFile: string, workers: number, extra = ''): string {
  return `entryPoints:
  web:
    address: "127.0.0.1:${port}"
providers:
  file:
    filename: ${JSON.stringify(dynamicFile)}
    watch: false
log:
  level: ERROR
# As the other targets are set up (nginx keepalive 1024, Caddy 1024 idle): above the most requests
# in flight (h2load -c64 -m10 = 640), so no upstream connection is closed and reopened under load.
serversTransport:
  maxIdleConnsPerHost: 1024
# 1: one process on the one pinned core; more: a node:cluster primary and that many workers.
workers: ${workers}
${extra}`;
}

export interface TurnpikeShape {
  readonly routers: number;
  readonly workers: number;
  /** TLS routers on the entry point (HTTP/2 and HTTPS/1.1 by ALPN) instead of plain HTTP/1.1. */
  readonly tls: boolean;
  /** The router runs the chain of five middlewares (BENCH_MIDDLEWARES). */
  readonly middlewares?: boolean;
  /** YAML appended to the static file (turnpike-x: metrics, access log...). */
  readonly staticExtra?: string;
}

/**
 * The node arguments bin/turnpike would use for a process pinned to `cpu` (a CPU number or a
 * taskset list): on one CPU, `--single-threaded-gc` (src/runtime/workers/gc-flags.ts). The benches
 * start node on the entry directly, to run any build, so they add what the launcher would.
 */
export function launcherNodeArgs(nodeArgs: readonly string[], cpu: number | string | undefined): string[] {
  const cpus = cpu === undefined ? availableParallelism() : String(cpu).split(',').length;
  return dataPathExecArgv(nodeArgs, 1, cpus);
}

/** Successive good answers on fresh connections asked of a multi-worker Turnpike before it counts as ready. */
const MULTI_WORKER_PROBES = 8;

export async function startTurnpike(ctx: StartContext, name: 'turnpike-1' | 'turnpike-1k' | 'turnpike-2w' | 'turnpike-mw' | 'turnpike-x', shape: TurnpikeShape): Promise<Running> {
  if (shape.tls && !ctx.cert) throw new Error('no certificate for the TLS targets');
  const dir = join(ctx.dir, shape.tls ? `${name}-tls` : name);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const dynamic = join(dir, 'dynamic.yml');
  writeFileSync(dynamic, turnpikeDynamic(shape.routers, ctx.upstreamPort, shape.middlewares === true, shape.tls ? ctx.cert : undefined));
  const staticFile = join(dir, 'traefik.yml');
  writeFileSync(staticFile, turnpikeStatic(port, dynamic, shape.workers, shape.staticExtra === undefined || shape.staticExtra === '' ? '' : `# --turnpike-static-extra\n${shape.staticExtra.replaceAll('{dir}', dir)}\n`));
  const prof = ctx.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`];
  const args = [...launcherNodeArgs(ctx.nodeArgs, ctx.cpu), ...prof, ctx.turnpikeEntry, `--configFile=${staticFile}`];
  const proc = ctx.procs.start(name, ctx.cpu, ctx.tools.node, args, join(dir, 'turnpike.log'));
  const protocol = shape.tls ? 'h2' : 'h1';
  await waitReady(proc, port, BENCH_HOST, UPSTREAM_BODY, 60_000, proberFor(protocol));
  if (shape.workers > 1) await waitWorkers(proc.pid, port, shape.workers, proberFor(protocol));
  return { name, protocol, port, proc };
}

/**
 * The first worker answering does not mean every worker does: wait (bounded) until the primary
 * has all its workers and several fresh connections in a row get the upstream's body.
 */
async function waitWorkers(pid: number, port: number, workers: number, probe: Prober): Promise<void> {
  const deadline = Date.now() + 30_000;
  let good = 0;
  while (Date.now() < deadline) {
    const r = await probe(port, BENCH_HOST, '/', 1000).catch(() => undefined);
    good = r?.status === 200 && r.body === UPSTREAM_BODY ? good + 1 : 0;
    if (good >= MULTI_WORKER_PROBES && processTree(pid).length > workers) return;
    if (good === 0) await new Promise((res) => setTimeout(res, 50)); // poll interval, bounded by the deadline
  }
  throw new Error(`Turnpike with ${workers} workers: not all workers answered within 30 s`);
}
