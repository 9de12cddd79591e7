/** What changed between two runtime views, for the one-line reload log. */
import type { RuntimeView } from './view.js';

export interface ViewDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffRouters(prev: RuntimeView | undefined, next: RuntimeView): ViewDiff {
  const before = prev?.routers ?? {};
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const [name, r] of Object.entries(next.routers)) {
    const old = before[name];
    if (!old) added.push(name);
    else if (!sameJson(old.config, r.config) || old.status !== r.status) changed.push(name);
  }
  for (const name of Object.keys(before)) if (!(name in next.routers)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}
