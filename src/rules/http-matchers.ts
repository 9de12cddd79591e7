/**
 * The HTTP matchers of Traefik v3: each turns a parsed `Matcher(args)` into a predicate over the
 * match context (everything precomputed: lower-cased values, compiled regexps, IP masks) plus the
 * index keys a request must carry for the matcher to be true (see IndexKey).
 */
import type { MatcherNode } from './ast.js';
import { ruleHostValue, withoutTrailingDot, withoutTrailingDots } from './host.js';
import { parseIpBlock } from '../net/ip.js';
import type { MatchContext } from './match-context.js';
import type { HttpMatcherName } from './matcher-specs.js';
import { Re2Error, translateRe2 } from './re2.js';
import { RuleError } from './rule-error.js';
import { isAscii } from './utf8.js';

export type Predicate = (ctx: MatchContext) => boolean;

/**
 * A necessary condition the route index can look up (see IndexKeys):
 * - a string: a host key; the request's host key (no trailing dots) equals it. A bare string, not
 *   an object, because a host is the key of most rules and the string is held anyway (by the Host
 *   matcher's test, and as the key the index files the rule under): a compiled rule keeps its host
 *   key for the price of a reference;
 * - hostSuffix: the host key ends with '.' + value;
 * - header: header `name` (lower case) has a value equal to value;
 * - path: the routing path equals value; pathPrefix: the routing path starts with value.
 */
export type IndexKey =
  | string
  | { readonly kind: 'hostSuffix' | 'path' | 'pathPrefix'; readonly value: string }
  | { readonly kind: 'header'; readonly name: string; readonly value: string };

/**
 * The index keys of a matcher or rule: every request it matches has one of them. One key is kept
 * alone (most rules have one, and a one-element array would cost 56 bytes per rule), any other
 * number as a list ([] = never matches); null = no such condition (the rule is scanned).
 */
export type IndexKeys = IndexKey | readonly IndexKey[] | null;

/** Whether `keys` is a list, else one key (Array.isArray alone does not narrow a readonly array). */
export function isKeyList(keys: IndexKey | readonly IndexKey[]): keys is readonly IndexKey[] {
  return Array.isArray(keys);
}

/** The keys of a matcher that never matches (shared: it is never changed). */
const NO_KEYS: readonly IndexKey[] = Object.freeze([]);

export interface CompiledMatcher {
  readonly test: Predicate;
  readonly keys: IndexKeys;
}

const never: Predicate = () => false;
const always: Predicate = () => true;

function badValue(rule: string, node: MatcherNode, arg: number, detail: string): RuleError {
  return new RuleError('TPK_RULE_BAD_VALUE', rule, node.argPositions[arg] ?? node.position, detail);
}

/** Never matches: what a LazyRegExp tests with if V8 refused its source (see there). */
const NEVER = /(?!)/;

/**
 * The JS regexp of a checked RE2 pattern, made on its first test. translateRe2 has checked the
 * pattern (everything it accepts, V8 accepts: a property test in test/unit/rules/re2.test.ts) and
 * made the source; `new RegExp` parses it again and allocates the regexp and its data. That was
 * 75 ms of a 100,000-router compile (25,000 HostRegexp rules, ~3 µs each) and ~170 bytes per rule
 * kept, for routers a process may never match.
 */
export class LazyRegExp {
  #re: RegExp | undefined;

  constructor(
    readonly source: string,
    readonly flags: string,
  ) {}

  test(subject: string): boolean {
    return (this.#re ??= this.#make()).test(subject);
  }

  #make(): RegExp {
    try {
      return new RegExp(this.source, this.flags);
    } catch {
      // Not reached (see above); a rule that cannot match is the safe answer if it were.
      return NEVER;
    }
  }
}

/** Compile argument `arg` of `node` as an RE2 regexp. */
function regexpArg(rule: string, node: MatcherNode, arg: number): { re: LazyRegExp; suffix: string | null } {
  const pattern = node.args[arg] ?? '';
  const position = node.argPositions[arg] ?? node.position;
  try {
    const t = translateRe2(pattern);
    return { re: new LazyRegExp(t.source, t.flags), suffix: t.requiredSuffix };
  } catch (e) {
    const where = e instanceof Re2Error ? ` (at offset ${e.offset} of the regexp)` : '';
    const why = e instanceof Error ? e.message : String(e);
    throw new RuleError(
      'TPK_RULE_BAD_REGEXP',
      rule,
      position,
      `invalid regexp ${JSON.stringify(pattern)} in ${node.matcher}: ${why}${where}`,
    );
  }
}

function host(rule: string, node: MatcherNode): CompiledMatcher {
  const raw = node.args[0] ?? '';
  if (!isAscii(raw)) {
    throw badValue(rule, node, 0, `Host value ${JSON.stringify(raw)} has non-ASCII characters; use its punycode form`);
  }
  const h = ruleHostValue(raw);
  if (h === '*') return { test: always, keys: null };
  if (h.startsWith('*.')) {
    // Exactly one extra, non-empty label in front of the suffix.
    const suffix = withoutTrailingDots(h.slice(2));
    const test: Predicate = (ctx) => {
      const k = ctx.hostKey;
      const dot = k.length - suffix.length - 1;
      return dot > 0 && k.charCodeAt(dot) === 46 && k.endsWith(suffix) && k.lastIndexOf('.', dot - 1) < 0;
    };
    return { test, keys: { kind: 'hostSuffix', value: suffix } };
  }
  const noDot = withoutTrailingDot(h);
  const endsWithDot = noDot !== h;
  // Traefik: equal, or equal once a trailing dot is dropped from the rule or from the request.
  const test: Predicate = (ctx) => {
    const r = ctx.host;
    if (r.length === 0) return false;
    return r === h || (endsWithDot && r === noDot) || (r !== ctx.hostNoDot && ctx.hostNoDot === h);
  };
  return { test, keys: withoutTrailingDots(h) };
}

function hostRegexp(rule: string, node: MatcherNode): CompiledMatcher {
  const raw = node.args[0] ?? '';
  if (!isAscii(raw)) throw badValue(rule, node, 0, `HostRegexp value has non-ASCII characters; use punycode`);
  const { re, suffix } = regexpArg(rule, node, 0);
  const test: Predicate = (ctx) => re.test(ctx.host);
  // A literal the host must end with gives a dot-aligned suffix key: `.example.com` -> example.com.
  let keys: IndexKey | null = null;
  if (suffix !== null) {
    const dot = suffix.indexOf('.');
    const value = dot < 0 ? '' : withoutTrailingDots(suffix.slice(dot + 1));
    if (value !== '') keys = { kind: 'hostSuffix', value };
  }
  return { test, keys };
}

function pathValue(rule: string, node: MatcherNode): string {
  const v = node.args[0] ?? '';
  if (!v.startsWith('/')) throw badValue(rule, node, 0, `${node.matcher} value ${JSON.stringify(v)} must start with '/'`);
  return v;
}

function header(rule: string, node: MatcherNode, regexp: boolean): CompiledMatcher {
  const name = (node.args[0] ?? '').toLowerCase();
  const value = node.args[1] ?? '';
  const re = regexp ? regexpArg(rule, node, 1).re : null;
  // Go moves Host out of the header map, so Header(`Host`, ...) never matches in Traefik.
  if (name === 'host') return { test: never, keys: NO_KEYS };
  if (re !== null) {
    const test: Predicate = (ctx) => {
      const headers = ctx.input.headers;
      const first = headers.get(name);
      if (first === undefined) return false;
      if (re.test(first)) return true;
      const all = headers.getAll(name);
      for (let i = 1; i < all.length; i++) if (re.test(all[i] as string)) return true;
      return false;
    };
    return { test, keys: null };
  }
  const test: Predicate = (ctx) => {
    const headers = ctx.input.headers;
    const first = headers.get(name);
    if (first === undefined) return false;
    if (first === value) return true;
    const all = headers.getAll(name);
    for (let i = 1; i < all.length; i++) if (all[i] === value) return true;
    return false;
  };
  return { test, keys: { kind: 'header', name, value } };
}

function query(rule: string, node: MatcherNode, regexp: boolean): CompiledMatcher {
  const key = node.args[0] ?? '';
  if (regexp && node.args.length === 2) {
    const { re } = regexpArg(rule, node, 1);
    const test: Predicate = (ctx) => {
      const values = ctx.queryValues(key);
      if (values === undefined) return false;
      for (let i = 0; i < values.length; i++) if (re.test(values[i] as string)) return true;
      return false;
    };
    return { test, keys: null };
  }
  // One argument: the key must be present with an empty value (`?mobile` or `?mobile=`).
  const value = node.args[1] ?? '';
  const test: Predicate = (ctx) => {
    const values = ctx.queryValues(key);
    return values !== undefined && values.includes(value);
  };
  return { test, keys: null };
}

function clientIP(rule: string, node: MatcherNode): CompiledMatcher {
  const raw = node.args[0] ?? '';
  const block = parseIpBlock(raw);
  if (block === null) throw badValue(rule, node, 0, `ClientIP value ${JSON.stringify(raw)} is not an IP address or CIDR block`);
  const [n0, n1, n2, n3] = block.net;
  const [m0, m1, m2, m3] = block.mask;
  if (block.family === 4) {
    return { test: (ctx) => ctx.ipFamily() === 4 && ((ctx.ip[0] as number) & m0) >>> 0 === n0, keys: null };
  }
  const test: Predicate = (ctx) => {
    if (ctx.ipFamily() !== 6) return false;
    const ip = ctx.ip;
    return (
      ((ip[0] as number) & m0) >>> 0 === n0 &&
      ((ip[1] as number) & m1) >>> 0 === n1 &&
      ((ip[2] as number) & m2) >>> 0 === n2 &&
      ((ip[3] as number) & m3) >>> 0 === n3
    );
  };
  return { test, keys: null };
}

/** Compile one matcher node (its name and arity were checked by the parser). */
export function buildHttpMatcher(rule: string, node: MatcherNode): CompiledMatcher {
  const name = node.matcher as HttpMatcherName;
  switch (name) {
    case 'Host':
      return host(rule, node);
    case 'HostRegexp':
      return hostRegexp(rule, node);
    case 'Path': {
      const v = pathValue(rule, node);
      return { test: (ctx) => ctx.input.routingPath === v, keys: { kind: 'path', value: v } };
    }
    case 'PathPrefix': {
      const v = pathValue(rule, node);
      return { test: (ctx) => ctx.input.routingPath.startsWith(v), keys: { kind: 'pathPrefix', value: v } };
    }
    case 'PathRegexp': {
      const { re } = regexpArg(rule, node, 0);
      return { test: (ctx) => re.test(ctx.input.routingPath), keys: null };
    }
    case 'Method': {
      const m = (node.args[0] ?? '').toUpperCase();
      return { test: (ctx) => ctx.input.method === m, keys: null };
    }
    case 'Header':
      return header(rule, node, false);
    case 'HeaderRegexp':
      return header(rule, node, true);
    case 'Query':
      return query(rule, node, false);
    case 'QueryRegexp':
      return query(rule, node, true);
    case 'ClientIP':
      return clientIP(rule, node);
  }
}
