/**
 * Command-line options of the load benchmark (`npm run bench -- --help`).
 */
import { parseArgs } from 'node:util';
import { BODY_PATHS, type BodySize } from './constants.js';

/** Every target the benchmark knows, in the order the tables print them. */
export const TARGET_NAMES = [
  'upstream',
  'turnpike-1',
  'turnpike-1k',
  'turnpike-2w',
  'turnpike-mw',
  'turnpike-x',
  'nginx',
  'nginx-2w',
  'haproxy',
  'caddy',
  'undici',
  'fastify',
  'http-proxy',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Run only when named in --only (it needs --turnpike-static-extra). */
export const OPT_IN_TARGETS: readonly TargetName[] = ['turnpike-x'];

/** Names `--only` accepts besides the target names, and what they stand for. */
const ALIASES: Readonly<Record<string, readonly TargetName[]>> = {
  turnpike: ['turnpike-1', 'turnpike-1k', 'turnpike-2w', 'turnpike-mw'],
  'turnpike-1000': ['turnpike-1k'],
  node: ['undici', 'fastify', 'http-proxy'],
};

export const BODY_SIZES = Object.keys(BODY_PATHS) as BodySize[];

/** `auto`: HTTP/2 scenarios run when h2load (and openssl) are installed. */
export type H2Mode = 'auto' | 'on' | 'off';

export interface BenchOptions {
  /** Duration of one measured run, a wrk duration string (`10s`, `1m`). */
  readonly duration: string;
  /** Warm-up run before each measured run (not recorded). */
  readonly warmup: string;
  readonly rounds: number;
  /** Connections of wrk and of h2load. */
  readonly connections: number;
  readonly targets: readonly TargetName[];
  /** Body sizes of the HTTP/1.1 (wrk) scenarios. */
  readonly bodies: readonly BodySize[];
  readonly h2: H2Mode;
  /** Body sizes of the HTTP/2 over TLS (h2load) scenarios. */
  readonly h2Bodies: readonly BodySize[];
  /** h2load `-m`: concurrent streams per connection. */
  readonly h2Streams: number;
  /** JS entry of the Turnpike CLI, absolute. */
  readonly turnpikeEntry: string;
  /** YAML file appended to the static configuration of the `turnpike-x` target (absolute); undefined: none. */
  readonly turnpikeStaticExtra: string | undefined;
  /** Extra flags for the node process running Turnpike (e.g. `--max-semi-space-size=64`). */
  readonly nodeArgs: readonly string[];
  /** Directory to write CPU profiles of the selected Turnpike targets into; undefined: no profiling. */
  readonly profileDir: string | undefined;
  /** Write the raw results as JSON to this file. */
  readonly jsonOut: string | undefined;
  /** Write the header and tables as Markdown to this file. */
  readonly markdownOut: string | undefined;
  /** A run during which other processes used more than this % of one CPU is repeated (0: never). */
  readonly maxOtherCpu: number;
  /** Keep the scratch directory (configs, process logs, raw wrk output) instead of deleting it. */
  readonly keep: boolean;
  readonly help: boolean;
}

export const USAGE = `Load benchmark: wrk (HTTP/1.1) and h2load (HTTP/2 over TLS) against Turnpike, nginx, HAProxy,
Caddy and the Node peers (undici Pool, fastify + @fastify/reply-from, http-proxy), all proxying
Host h500.test to the same nginx upstream with keep-alive.

Usage: npm run bench -- [options]      (or: node dist/bench/load/run.js [options])

  --duration 10s           length of each measured run (wrk -d, h2load -D)
  --warmup 2s              warm-up run before each measured run (0 to skip)
  --rounds 3               interleaved rounds; the tables show medians
  --connections 64         connections (wrk -t1 -cN; h2load -t1 -cN)
  --only a,b               targets (default: all):
                             upstream      wrk straight at the upstream (the limit; HTTP/1.1 only)
                             turnpike-1    Turnpike, 1 router, workers: 1
                             turnpike-1k   Turnpike, 1,000 routers, workers: 1
                             turnpike-2w   Turnpike, 1 router, workers: 2 (pinned to CPUs 0,1)
                             turnpike-mw   Turnpike, 1 router behind a chain of 5 middlewares (headers,
                                           stripPrefix, ipAllowList, rateLimit with a high limit,
                                           compress: the 6-byte body stays under its minimum)
                             nginx         nginx, worker_processes 1
                             nginx-2w      nginx, worker_processes 2 (pinned to CPUs 0,1)
                             haproxy       HAProxy, nbthread 1, http-reuse always
                             caddy         Caddy reverse_proxy, GOMAXPROCS=1
                             undici        node:http server + undici Pool.stream (the fastest Node peer)
                             fastify       fastify + @fastify/reply-from (undici pool)
                             http-proxy    node:http server + http-proxy, keep-alive http.Agent
                           aliases: turnpike (the three Turnpike rows), turnpike-1000, node (the
                           three Node peers)
  --body small,16k         HTTP/1.1 scenarios: small = GET / (6 bytes "hello\\n"),
                           16k = GET /16k (16,384 bytes)
  --h2                     run the HTTP/2 over TLS scenarios (default: when h2load and openssl
                           are installed); --no-h2 skips them
  --h2-body small          HTTP/2 scenarios' body sizes (small, 16k)
  --h2-streams 10          h2load -m: concurrent streams per connection
  --turnpike-entry FILE    Turnpike CLI entry (default: dist/src/cli/main.js)
  --turnpike-static-extra FILE
                           YAML appended to the static file of target turnpike-x (= turnpike-1
                           plus these keys, e.g. metrics or accessLog), which runs only when
                           --only names it: --only turnpike-1,turnpike-x compares them
  --node-args="ARGS"       extra node flags for Turnpike, space separated (note the =)
  --profile DIR            after the rounds, one more HTTP/1.1 small run of each selected
                           Turnpike 1-worker target under \`node --cpu-prof\`; prints the top
                           self-time functions; profiles kept in DIR
  --json FILE              write the raw results as JSON
  --markdown FILE          write the header and the tables as Markdown (for the README)
  --max-other-cpu 10       repeat a run (up to 3 attempts, the quietest kept) when other
                           processes used more than this % of a CPU during it; 0 never repeats
  --keep                   keep the scratch directory (configs, logs, raw wrk/h2load output)
  --help                   this text

Needs wrk, nginx and taskset; caddy, haproxy, h2load and openssl are optional (their rows or the
HTTP/2 section print "skipped: <tool> not installed"). Debian/Ubuntu:
  apt-get install wrk nginx caddy haproxy nghttp2-client openssl util-linux
The proxy under test runs on CPU 0 (the 2-worker rows on CPUs 0,1); the load generator and the
upstream share CPU 1. Turnpike has no HTTP/2 entry point yet: its HTTP/2 rows print n/a.
`;

function parseTargets(list: string): TargetName[] {
  const out = new Set<TargetName>();
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const alias = ALIASES[name];
    if (alias) {
      for (const t of alias) out.add(t);
      continue;
    }
    const known = TARGET_NAMES.find((t) => t === name);
    if (!known) throw new Error(`unknown target "${raw}" (known: ${TARGET_NAMES.join(', ')}; aliases: ${Object.keys(ALIASES).join(', ')})`);
    out.add(known);
  }
  if (out.size === 0) throw new Error('--only selects no target');
  return TARGET_NAMES.filter((t) => out.has(t));
}

function parseBodies(flag: string, list: string): BodySize[] {
  const out = new Set<BodySize>();
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const known = BODY_SIZES.find((b) => b === name);
    if (!known) throw new Error(`${flag}: unknown body size "${raw}" (known: ${BODY_SIZES.join(', ')})`);
    out.add(known);
  }
  if (out.size === 0) throw new Error(`${flag} selects no body size`);
  return BODY_SIZES.filter((b) => out.has(b));
}

const DURATION = /^\d+(?:\.\d+)?[smh]?$/;

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: "${text}" is not a positive integer`);
  return n;
}

/** Parses argv (without node and the script). Throws an Error with a readable message. */
export function parseBenchOptions(argv: readonly string[], defaultEntry: string, resolvePath: (p: string) => string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string', default: '10s' },
      warmup: { type: 'string', default: '2s' },
      rounds: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      only: { type: 'string' },
      body: { type: 'string', default: BODY_SIZES.join(',') },
      h2: { type: 'boolean' },
      'no-h2': { type: 'boolean' },
      'h2-body': { type: 'string', default: 'small' },
      'h2-streams': { type: 'string', default: '10' },
      'turnpike-entry': { type: 'string' },
      'turnpike-static-extra': { type: 'string' },
      'node-args': { type: 'string', default: '' },
      profile: { type: 'string' },
      json: { type: 'string' },
      markdown: { type: 'string' },
      'max-other-cpu': { type: 'string', default: '10' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const duration = values.duration;
  const warmup = values.warmup;
  if (!DURATION.test(duration)) throw new Error(`--duration: "${duration}" is not a wrk duration (e.g. 10s)`);
  if (warmup !== '0' && !DURATION.test(warmup)) throw new Error(`--warmup: "${warmup}" is not a wrk duration (e.g. 2s)`);
  const maxOtherCpu = Number(values['max-other-cpu']);
  if (!Number.isFinite(maxOtherCpu) || maxOtherCpu < 0) throw new Error(`--max-other-cpu: "${values['max-other-cpu']}" is not a percentage`);
  if (values.h2 === true && values['no-h2'] === true) throw new Error('--h2 and --no-h2 contradict each other');
  const targets = values.only === undefined ? TARGET_NAMES.filter((t) => !OPT_IN_TARGETS.includes(t)) : parseTargets(values.only);
  if (targets.includes('turnpike-x') && values['turnpike-static-extra'] === undefined) throw new Error('turnpike-x needs --turnpike-static-extra FILE');
  return {
    duration,
    warmup,
    rounds: positiveInt('--rounds', values.rounds),
    connections: positiveInt('--connections', values.connections),
    targets,
    bodies: parseBodies('--body', values.body),
    h2: values.h2 === true ? 'on' : values['no-h2'] === true ? 'off' : 'auto',
    h2Bodies: parseBodies('--h2-body', values['h2-body']),
    h2Streams: positiveInt('--h2-streams', values['h2-streams']),
    turnpikeEntry: resolvePath(values['turnpike-entry'] ?? defaultEntry),
    turnpikeStaticExtra: values['turnpike-static-extra'] === undefined ? undefined : resolvePath(values['turnpike-static-extra']),
    nodeArgs: values['node-args'].split(' ').filter((s) => s !== ''),
    profileDir: values.profile === undefined ? undefined : resolvePath(values.profile),
    jsonOut: values.json === undefined ? undefined : resolvePath(values.json),
    markdownOut: values.markdown === undefined ? undefined : resolvePath(values.markdown),
    maxOtherCpu,
    keep: values.keep,
    help: values.help,
  };
}

/** A wrk duration (`10s`, `1.5m`, `500` = seconds) in milliseconds. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(text);
  if (!m) throw new Error(`not a duration: "${text}"`);
  const scale = m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 1000;
  return Math.round(Number(m[1]) * scale);
}
