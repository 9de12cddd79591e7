/**
 * The targets of the load benchmark: what each one is, how it starts (HTTP/1.1, and HTTP/2 over
 * TLS where it has it), and the checks every started target passes before it is measured. All
 * route `Host: h500.test` to the one nginx upstream with keep-alive and listen on 127.0.0.1 only.
 *
 * Adding a target (or giving one HTTP/2) is one entry in TARGETS.
 */
import type { TargetName } from './options.js';
import type { ProcessSet, Started } from './processes.js';
import type { CertFiles } from './tls.js';
import { startCaddy } from './caddy.js';
import { startHaproxy } from './haproxy.js';
import { startNginxProxy } from './nginx.js';
import { NODE_PEER_SCRIPTS, startNodePeer } from './node-peers.js';
import { startTurnpike } from './turnpike.js';

export { BENCH_HOST, UPSTREAM_BODY } from './constants.js';
export { turnpikeDynamic } from './turnpike.js';
/** Kept here for bench/scale, which starts the same upstream. */
export { startUpstream } from './nginx.js';

/** Executables; '' for one that is not installed. */
export interface Tools {
  readonly nginx: string;
  readonly caddy: string;
  readonly haproxy: string;
  readonly node: string;
  /** nginx's version (`1.22.1`), for directives that changed between versions. */
  readonly nginxVersion: string;
}

/**
 * `h1`: HTTP/1.1 in the clear (wrk); `h1s`: HTTP/1.1 over TLS (wrk, https); `h2`: HTTP/2 over TLS
 * (h2load). A target started with TLS serves both `h1s` and `h2` (ALPN picks).
 */
export type Protocol = 'h1' | 'h1s' | 'h2';

export interface StartContext {
  readonly procs: ProcessSet;
  /** Scratch directory owned by this benchmark run (configs, pid files, logs). */
  readonly dir: string;
  readonly tools: Tools;
  /** CPU (or taskset list) the process is pinned to; undefined: not pinned. */
  readonly cpu: number | string | undefined;
  readonly upstreamPort: number;
  readonly turnpikeEntry: string;
  readonly nodeArgs: readonly string[];
  /** YAML appended to the static file of the turnpike-x target (--turnpike-static-extra). */
  readonly turnpikeStaticExtra?: string;
  /** When set, Turnpike runs with `--cpu-prof` writing into this directory. */
  readonly profileDir: string | undefined;
  /** The certificate of the HTTP/2 over TLS targets; undefined when the scenarios are off. */
  readonly cert: CertFiles | undefined;
}

export interface Running {
  readonly name: TargetName;
  readonly protocol: Protocol;
  readonly port: number;
  readonly proc: Started;
}

/** Starts one target; `tls`: HTTP/2 (and HTTP/1.1) over TLS instead of plain HTTP/1.1. */
export type Starter = (ctx: StartContext, tls: boolean) => Promise<Running>;

export interface TargetSpec {
  readonly name: Exclude<TargetName, 'upstream'>;
  /** The tool it needs beyond node, wrk and nginx; its rows read "skipped" without it. */
  readonly tool: 'caddy' | 'haproxy' | undefined;
  /** `proxy`: pinned to the proxy CPU; `all`: a multi-process target, pinned to every CPU. */
  readonly cpus: 'proxy' | 'all';
  readonly start: Starter;
  /** TLS (HTTP/2 and HTTPS/1.1): true when `start(ctx, true)` works, or why the rows read n/a. */
  readonly h2: true | string;
}

export const NODE_PEER_H2_NA = 'n/a (HTTP/1.1-only peer)';

/** Every proxy under test, in table order (the upstream-alone row is run.ts's own). */
export const TARGETS: readonly TargetSpec[] = [
  { name: 'turnpike-1', tool: undefined, cpus: 'proxy', h2: true, start: (ctx, tls) => startTurnpike(ctx, 'turnpike-1', { routers: 1, workers: 1, tls }) },
  { name: 'turnpike-1k', tool: undefined, cpus: 'proxy', h2: true, start: (ctx, tls) => startTurnpike(ctx, 'turnpike-1k', { routers: 1000, workers: 1, tls }) },
  { name: 'turnpike-2w', tool: undefined, cpus: 'all', h2: true, start: (ctx, tls) => startTurnpike(ctx, 'turnpike-2w', { routers: 1, workers: 2, tls }) },
  { name: 'turnpike-mw', tool: undefined, cpus: 'proxy', h2: true, start: (ctx, tls) => startTurnpike(ctx, 'turnpike-mw', { routers: 1, workers: 1, tls, middlewares: true }) },
  { name: 'turnpike-x', tool: undefined, cpus: 'proxy', h2: true, start: (ctx, tls) => startTurnpike(ctx, 'turnpike-x', { routers: 1, workers: 1, tls, staticExtra: ctx.turnpikeStaticExtra ?? '' }) },
  { name: 'nginx', tool: undefined, cpus: 'proxy', h2: true, start: (ctx, tls) => startNginxProxy(ctx, 'nginx', 1, tls) },
  { name: 'nginx-2w', tool: undefined, cpus: 'all', h2: true, start: (ctx, tls) => startNginxProxy(ctx, 'nginx-2w', 2, tls) },
  { name: 'haproxy', tool: 'haproxy', cpus: 'proxy', h2: true, start: (ctx, tls) => startHaproxy(ctx, tls) },
  { name: 'caddy', tool: 'caddy', cpus: 'proxy', h2: true, start: (ctx, tls) => startCaddy(ctx, tls) },
  ...NODE_PEER_SCRIPTS.map(
    (p): TargetSpec => ({ name: p.name, tool: undefined, cpus: 'proxy', h2: NODE_PEER_H2_NA, start: (ctx, tls) => startNodePeer(ctx, p.name, p.script, tls) }),
  ),
];

export function targetSpec(name: TargetName): TargetSpec | undefined {
  return TARGETS.find((t) => t.name === name);
}
