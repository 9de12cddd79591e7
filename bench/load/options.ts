/**
 * Command-line options of the load benchmark (`npm run bench -- --help`).
 */
import { parseArgs } from 'node:util';

/** Every target the benchmark knows, in the order the table prints them. */
export const TARGET_NAMES = ['upstream', 'turnpike-1', 'turnpike-1k', 'nginx', 'caddy'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface BenchOptions {
  /** wrk duration of one measured run, a wrk duration string (`10s`, `1m`). */
  readonly duration: string;
  /** Warm-up run before each measured run (not recorded). */
  readonly warmup: string;
  readonly rounds: number;
  readonly connections: number;
  readonly targets: readonly TargetName[];
  /** JS entry of the Turnpike CLI, absolute. */
  readonly turnpikeEntry: string;
  /** Extra flags for the node process running Turnpike (e.g. `--max-semi-space-size=64`). */
  readonly nodeArgs: readonly string[];
  /** Directory to write CPU profiles of the selected Turnpike targets into; undefined: no profiling. */
  readonly profileDir: string | undefined;
  /** Write the raw results as JSON to this file. */
  readonly jsonOut: string | undefined;
  /** A run during which other processes used more than this % of one CPU is repeated (0: never). */
  readonly maxOtherCpu: number;
  /** Keep the scratch directory (configs, process logs, raw wrk output) instead of deleting it. */
  readonly keep: boolean;
  readonly help: boolean;
}

export const USAGE = `Load benchmark: wrk against the upstream, Turnpike (1 and 1,000 routers), nginx and Caddy.

Usage: npm run bench -- [options]      (or: node dist/bench/load/run.js [options])

  --duration 10s           length of each measured wrk run
  --warmup 2s              warm-up wrk run before each measured run (0 to skip)
  --rounds 3               interleaved rounds; the table shows medians
  --connections 64         wrk connections (one wrk thread)
  --only a,b               targets: upstream, turnpike (= turnpike-1,turnpike-1k), turnpike-1,
                           turnpike-1k, nginx, caddy (default: all)
  --turnpike-entry FILE    Turnpike CLI entry (default: dist/src/cli/main.js)
  --node-args="ARGS"       extra node flags for Turnpike, space separated (note the =)
  --profile DIR            after the rounds, one more run of each selected Turnpike target under
                           \`node --cpu-prof\`; prints the top self-time functions; profiles kept in DIR
  --json FILE              write the raw results as JSON
  --max-other-cpu 10       repeat a run (up to 3 attempts, the quietest kept) when other
                           processes used more than this % of a CPU during it; 0 never repeats
  --keep                   keep the scratch directory (configs, logs, raw wrk output)
  --help                   this text

Needs wrk, nginx, caddy and taskset (apt-get install wrk nginx caddy util-linux).
The proxy under test runs on CPU 0; wrk and the upstream share CPU 1.
`;

function parseTargets(list: string): TargetName[] {
  const out = new Set<TargetName>();
  for (const raw of list.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (name === 'turnpike') {
      out.add('turnpike-1');
      out.add('turnpike-1k');
      continue;
    }
    if (name === 'turnpike-1000') {
      out.add('turnpike-1k');
      continue;
    }
    const known = TARGET_NAMES.find((t) => t === name);
    if (!known) throw new Error(`unknown target "${raw}" (known: turnpike, ${TARGET_NAMES.join(', ')})`);
    out.add(known);
  }
  if (out.size === 0) throw new Error('--only selects no target');
  return TARGET_NAMES.filter((t) => out.has(t));
}

const DURATION = /^\d+(?:\.\d+)?[smh]?$/;

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
      'turnpike-entry': { type: 'string' },
      'node-args': { type: 'string', default: '' },
      profile: { type: 'string' },
      json: { type: 'string' },
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
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: "${values.rounds}" is not a positive integer`);
  const connections = Number(values.connections);
  if (!Number.isInteger(connections) || connections < 1) throw new Error(`--connections: "${values.connections}" is not a positive integer`);
  const maxOtherCpu = Number(values['max-other-cpu']);
  if (!Number.isFinite(maxOtherCpu) || maxOtherCpu < 0) throw new Error(`--max-other-cpu: "${values['max-other-cpu']}" is not a percentage`);
  return {
    duration,
    warmup,
    rounds,
    connections,
    targets: values.only === undefined ? [...TARGET_NAMES] : parseTargets(values.only),
    turnpikeEntry: resolvePath(values['turnpike-entry'] ?? defaultEntry),
    nodeArgs: values['node-args'].split(' ').filter((s) => s !== ''),
    profileDir: values.profile === undefined ? undefined : resolvePath(values.profile),
    jsonOut: values.json === undefined ? undefined : resolvePath(values.json),
    maxOtherCpu,
    keep: values.keep,
    help: values.help,
  };
}
