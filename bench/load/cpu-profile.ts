/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): self time per function.
 */
import { readFileSync } from 'node:fs';

export interface SelfTime {
  /** `name (file:line)`; file relative to `root` when under it. */
  readonly fn: string;
  readonly selfMs: number;
  readonly percent: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isProfile(v: unknown): v is Profile {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Array.isArray(o['nodes']) && Array.isArray(o['samples']) && Array.isArray(o['timeDeltas']);
}

function label(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  let file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  if (file.startsWith(root)) file = file.slice(root.length);
  return `${name} (${file}:${lineNumber + 1})`;
}

/**
 * The `top` functions by self time. `(idle)` is left out: it is time the process waited.
 * Samples in the first `skipMs` of the profile (start-up, warm-up) are left out too.
 */
export function topSelfTime(file: string, root: string, top = 10, skipMs = 0): SelfTime[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map<number, ProfileNode>();
  for (const n of parsed.nodes) byId.set(n.id, n);
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  let elapsedUs = 0;
  for (let i = 0; i < parsed.samples.length; i++) {
    const node = byId.get(parsed.samples[i] ?? -1);
    elapsedUs += parsed.timeDeltas[i] ?? 0;
    // A sample's time is the delta to the next sample.
    const dt = parsed.timeDeltas[i + 1] ?? 0;
    if (elapsedUs < skipMs * 1000 || !node || node.callFrame.functionName === '(idle)') continue;
    const key = label(node, root);
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    totalUs += dt;
  }
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: totalUs === 0 ? 0 : (100 * us) / totalUs }));
}
