/** What changed between two runtime views, for the one-line reload log. */
import { sameData } from '../config/dynamic/same-data.js';
import type { RuntimeView } from './view.js';

export interface ViewDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

export function diffRouters(prev: RuntimeView | undefined, next: RuntimeView): ViewDiff {
  const before = prev?.routers ?? {};
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  const routers = next.routers;
  for (const name of Object.keys(routers)) {
    const r = routers[name] as RuntimeView['routers'][string];
    const old = before[name];
    if (!old) added.push(name);
    // Unchanged routers keep their (frozen) config object from one snapshot to the next.
    else if (old.status !== r.status || (old.config !== r.config && !sameData(old.config, r.config))) changed.push(name);
  }
  for (const name of Object.keys(before)) if (!Object.hasOwn(next.routers, name)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}
