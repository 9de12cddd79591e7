/**
 * Look-ups in the catalogue of Traefik's static options (known-keys.ts, generated): is a key Turnpike does
 * not implement a real Traefik option (-> TPK_CFG_UNSUPPORTED) or a typo (-> TPK_CFG_UNKNOWN_KEY)?
 */
import { indexOf, normalizeSegments, type UnknownKeyPolicy } from '../paths/index.js';
import { TRAEFIK_STATIC_KEYS, TURNPIKE_PLANNED_KEYS, type KnownKeyKind } from './known-keys.js';

export interface KnownKey {
  /** Canonical spelling with `_name_` and `[0]` placeholders. */
  readonly key: string;
  readonly kind: KnownKeyKind;
  /** True for Turnpike's own planned options (e.g. `workers`), false for Traefik's. */
  readonly planned: boolean;
}

const byPattern = new Map<string, KnownKey>();
const children = new Map<string, string[]>();

function lastSegment(pattern: string): { parent: string; last: string } {
  const dot = pattern.lastIndexOf('.');
  const bracket = pattern.lastIndexOf('[');
  const cut = Math.max(dot, bracket);
  if (cut < 0) return { parent: '', last: pattern };
  return { parent: pattern.slice(0, cut), last: pattern.slice(cut === dot ? cut + 1 : cut) };
}

for (const [list, planned] of [
  [TRAEFIK_STATIC_KEYS, false],
  [TURNPIKE_PLANNED_KEYS, true],
] as const) {
  for (const [key, kind] of list) {
    const pattern = key.toLowerCase();
    byPattern.set(pattern, { key, kind, planned });
    const { parent, last } = lastSegment(key);
    if (last === '_name_' || last.startsWith('[')) continue;
    const siblings = children.get(parent.toLowerCase()) ?? [];
    siblings.push(last);
    children.set(parent.toLowerCase(), siblings);
  }
}

/** Lower-case names of every top-level key (Traefik's and Turnpike's planned ones). */
export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(
  [...byPattern.keys()].filter((p) => !p.includes('.') && !p.includes('[')),
);

/**
 * Matches key segments as written (`['entryPoints', 'web', 'http', 'tls']`) against the catalogue: a literal
 * key first, else a user-chosen name (`_name_`); keys below a free-form value (header maps, ...) belong to it.
 */
export function matchKnownKey(rawSegments: readonly string[]): KnownKey | undefined {
  const { segments } = normalizeSegments(rawSegments);
  let pattern = '';
  let current: KnownKey | undefined;
  for (const segment of segments) {
    let next: string | undefined;
    if (indexOf(segment) !== undefined || segment === '[0]') {
      if (byPattern.has(`${pattern}[0]`)) next = `${pattern}[0]`;
    } else {
      const join = pattern === '' ? '' : '.';
      const literal = `${pattern}${join}${segment.toLowerCase()}`;
      const named = `${pattern}${join}_name_`;
      if (byPattern.has(literal)) next = literal;
      else if (byPattern.has(named)) next = named;
    }
    if (next === undefined) return current?.kind === 'value' ? current : undefined;
    pattern = next;
    current = byPattern.get(pattern);
  }
  return current;
}

/** Splits a lower-case pattern (`entrypoints._name_.http.tls.domains[0]`) into segments. */
function patternSegments(pattern: string): string[] {
  return pattern === '' ? [] : pattern.split('.');
}

/** The decoder's policy for keys outside Turnpike's static schema. */
export const STATIC_UNKNOWN_KEYS: UnknownKeyPolicy = {
  unsupported(pattern, keyPath) {
    const known = matchKnownKey(patternSegments(pattern));
    if (!known) return undefined;
    return known.planned
      ? `"${keyPath}" is a Turnpike option that is not available yet`
      : `"${keyPath}" is a Traefik option Turnpike does not support yet`;
  },
  siblings(parentPattern) {
    return children.get(parentPattern) ?? [];
  },
};
