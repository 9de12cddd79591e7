/**
 * Matcher names and argument counts (Traefik's matcher table). The parser is driven by a table so
 * the TCP rule language (HostSNI, ALPN, ...) can reuse it with its own names.
 */

export interface MatcherSpec {
  /** Canonical spelling, e.g. `PathPrefix`. */
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
}

/** The HTTP matchers of Traefik v3 (rule syntax v3). */
export const HTTP_MATCHERS = [
  { name: 'ClientIP', minArgs: 1, maxArgs: 1 },
  { name: 'Method', minArgs: 1, maxArgs: 1 },
  { name: 'Host', minArgs: 1, maxArgs: 1 },
  { name: 'HostRegexp', minArgs: 1, maxArgs: 1 },
  { name: 'Path', minArgs: 1, maxArgs: 1 },
  { name: 'PathRegexp', minArgs: 1, maxArgs: 1 },
  { name: 'PathPrefix', minArgs: 1, maxArgs: 1 },
  { name: 'Header', minArgs: 2, maxArgs: 2 },
  { name: 'HeaderRegexp', minArgs: 2, maxArgs: 2 },
  { name: 'Query', minArgs: 1, maxArgs: 2 },
  { name: 'QueryRegexp', minArgs: 1, maxArgs: 2 },
] as const satisfies readonly MatcherSpec[];

export type HttpMatcherName = (typeof HTTP_MATCHERS)[number]['name'];

/** v2-only names people carry over; used to give a better error message. */
const V2_HINTS: ReadonlyMap<string, string> = new Map([
  ['headers', 'Header'],
  ['headersregexp', 'HeaderRegexp'],
  ['hostheader', 'Host'],
]);

/**
 * Name lookup accepting the four spellings Traefik registers for each matcher: canonical
 * (`PathPrefix`), lower (`pathprefix`), UPPER (`PATHPREFIX`) and Title-of-lower (`Pathprefix`).
 */
export class MatcherTable {
  private readonly byName = new Map<string, MatcherSpec>();
  private readonly byLower = new Map<string, MatcherSpec>();

  constructor(specs: readonly MatcherSpec[]) {
    for (const spec of specs) {
      const lower = spec.name.toLowerCase();
      this.byName.set(spec.name, spec);
      this.byName.set(lower, spec);
      this.byName.set(spec.name.toUpperCase(), spec);
      this.byName.set(lower.charAt(0).toUpperCase() + lower.slice(1), spec);
      this.byLower.set(lower, spec);
    }
  }

  lookup(name: string): MatcherSpec | undefined {
    return this.byName.get(name);
  }

  /** Explanation for a name that is not accepted. */
  unknownDetail(name: string): string {
    const lower = name.toLowerCase();
    const near = this.byLower.get(lower);
    if (near !== undefined) {
      const l = near.name.toLowerCase();
      const spellings = [near.name, l, near.name.toUpperCase(), l.charAt(0).toUpperCase() + l.slice(1)];
      return `unknown matcher '${name}' (accepted spellings: ${spellings.join(', ')})`;
    }
    const v2 = V2_HINTS.get(lower);
    if (v2 !== undefined) return `unknown matcher '${name}' (v2 syntax; use ${v2})`;
    const names = [...new Set([...this.byLower.values()].map((s) => s.name))];
    return `unknown matcher '${name}' (expected one of ${names.join(', ')})`;
  }
}

export const HTTP_MATCHER_TABLE = new MatcherTable(HTTP_MATCHERS);
