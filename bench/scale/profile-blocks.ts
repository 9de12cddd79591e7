/**
 * Reads a CPU profile of Turnpike (`node dist/bench/scale/run.js --only reload --cpu-prof DIR`)
 * and says, for a window of it, where the CPU went and which stretches of work kept the event
 * loop from requests:
 *
 *   node dist/bench/scale/profile-blocks.js DIR/CPU.*.cpuprofile [--from 15.5] [--to 25.5] [--top 25]
 *
 * - CPU by area: each sample goes to the first of our source folders on its stack
 *   (`providers/file`, `rules/indexed-table.js`, `proxy/...`), else to GC, idle, program or
 *   native code.
 * - Blocks: runs of consecutive samples with no request work on their stacks (the entry point,
 *   proxy and load balancer code) and no idle time, longest first, with what ran in them. A run of
 *   4 ms + 4 ms made of two different jobs is what two background jobs queued in one turn looked
 *   like before scheduling/background.ts.
 *
 * --from / --to are seconds since the profile started: the reload benchmark's busy phase (a save
 * every 500 ms under wrk) is its last ~10 s. Not part of `npm test`; see docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: '1e9' },
    top: { type: 'string', default: '25' },
  },
});
const file = positionals[0];
if (file === undefined) throw new Error('usage: profile-blocks.js PROFILE.cpuprofile [--from S] [--to S] [--top N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const say = (s: string): void => void process.stdout.write(s + '\n');

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Our code: `dist/src/<area>/...`. */
const OURS = '/dist/src/';
/** Request work: what a request runs through (a block is a run with none of it). */
const REQUEST = /\/dist\/src\/(entrypoints|proxy|exchange|services\/loadbalancer)\//;

function frames(id: number): ProfileNode[] {
  const out: ProfileNode[] = [];
  for (let q: number | undefined = id; q !== undefined; q = parent.get(q)) out.push(byId.get(q) as ProfileNode);
  return out;
}

/** The sample's area: the first of our frames from the leaf (folder, or file for rules/ and runtime/). */
function areaOf(stack: readonly ProfileNode[]): string {
  const leaf = stack[0]?.callFrame.functionName ?? '';
  for (const f of stack) {
    const at = f.callFrame.url.indexOf(OURS);
    if (at < 0) continue;
    const parts = f.callFrame.url.slice(at + OURS.length).split('/');
    return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
  }
  return leaf.startsWith('(') ? leaf : 'node/native';
}

/** The first of our functions from the leaf, for naming what ran in a block. */
function ownerOf(stack: readonly ProfileNode[]): string {
  for (const f of stack) {
    const at = f.callFrame.url.indexOf(OURS);
    if (at >= 0) return `${f.callFrame.functionName || '(anonymous)'}@${f.callFrame.url.slice(at + OURS.length)}`;
  }
  return stack[0]?.callFrame.functionName ?? '?';
}

const from = Number(opt.from) * 1e6;
const to = Number(opt.to) * 1e6;
const top = Number(opt.top);

// Sample i lasts until sample i + 1 (timeDeltas[i + 1]).
const areas = new Map<string, number>();
const blocks: { start: number; ms: number; parts: Map<string, number> }[] = [];
let open: { start: number; ms: number; parts: Map<string, number> } | undefined;
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (t < from || t > to) continue;
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const stack = frames(profile.samples[i] as number);
  const area = areaOf(stack);
  areas.set(area, (areas.get(area) ?? 0) + ms);
  const request = stack.some((f) => REQUEST.test(f.callFrame.url));
  if (area === '(idle)' || request) {
    if (open !== undefined) blocks.push(open);
    open = undefined;
    continue;
  }
  open ??= { start: t, ms: 0, parts: new Map() };
  open.ms += ms;
  const owner = ownerOf(stack);
  open.parts.set(owner, (open.parts.get(owner) ?? 0) + ms);
}
if (open !== undefined) blocks.push(open);

const total = [...areas.values()].reduce((a, b) => a + b, 0);
say(`CPU by area, ${(Math.min(t, to) / 1e6 - Number(opt.from)).toFixed(1)} s of profile (ms, % of the window):`);
for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, top)) say(`${v.toFixed(0).padStart(7)} ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
say('');
say('Longest blocks with no request work (ms, at s, what ran):');
for (const b of blocks.sort((x, y) => y.ms - x.ms).slice(0, top)) {
  const parts = [...b.parts].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(1)}`);
  say(`${b.ms.toFixed(1).padStart(7)}  ${(b.start / 1e6).toFixed(2).padStart(6)}  ${parts.join(', ')}`);
}
