/**
 * The HTTP matchers of Traefik v3: each turns a parsed `Matcher(args)` into a predicate over the
 * match context (everything precomputed: lower-cased values, regexps, IP masks) plus the index keys
 * a request must carry for the matcher to be true (see IndexKey).
 *
 * Predicates are small class instances, not closures: a closure and its context cost ~110 bytes
 * per matcher where an instance with the same fields costs 40-56, and a table of 100,000 routers
 * keeps one to three of them per router.
 */
import type { MatcherNode } from './ast.js';
import { ruleHostValue, withoutTrailingDot, withoutTrailingDots } from './host.js';
import { parseIpBlock } from '../net/ip.js';
import type { MatchContext } from './match-context.js';
import type { HttpMatcherName } from './matcher-specs.js';
import { Re2Error, translateRe2 } from './re2.js';
import { RuleError } from './rule-error.js';
import { isAscii } from './utf8.js';

/** A compiled matcher or rule: whether the request in `ctx` matches. */
export interface Predicate {
  test(ctx: MatchContext): boolean;
}

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
  readonly predicate: Predicate;
  readonly keys: IndexKeys;
}

/** Never matches (shared). */
export const NEVER_MATCHES: Predicate = Object.freeze({ test: (): boolean => false });
/** Always matches (shared). */
export const ALWAYS_MATCHES: Predicate = Object.freeze({ test: (): boolean => true });

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
    } catch (err) {
      // Not reached (see above); a rule that cannot match is the safe answer if it were, said once.
      process.emitWarning(`the JS regexp ${JSON.stringify(this.source)} of a rule was refused (${err instanceof Error ? err.message : String(err)}); the matcher never matches`, { code: 'TPK_RULE_BAD_REGEXP' });
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
  if (h === '*') return { predicate: ALWAYS_MATCHES, keys: null };
  if (h.startsWith('*.')) {
    const suffix = withoutTrailingDots(h.slice(2));
    return { predicate: new HostWildcard(suffix), keys: { kind: 'hostSuffix', value: suffix } };
  }
  return { predicate: new HostExact(h), keys: withoutTrailingDots(h) };
}

/** Host(`a.example.com`): equal, or equal once a trailing dot is dropped from the rule or from the request (Traefik). */
class HostExact implements Predicate {
  readonly #h: string;
  /** `h` without its trailing dot; null when it has none. */
  readonly #noDot: string | null;

  constructor(h: string) {
    this.#h = h;
    const noDot = withoutTrailingDot(h);
    this.#noDot = noDot === h ? null : noDot;
  }

  test(ctx: MatchContext): boolean {
    const r = ctx.host;
    if (r.length === 0) return false;
    const h = this.#h;
    return r === h || r === this.#noDot || (r !== ctx.hostNoDot && ctx.hostNoDot === h);
  }
}

/** Host(`*.example.com`): exactly one extra, non-empty label in front of the suffix. */
class HostWildcard implements Predicate {
  constructor(private readonly suffix: string) {}

  test(ctx: MatchContext): boolean {
    const k = ctx.hostKey;
    const suffix = this.suffix;
    const dot = k.length - suffix.length - 1;
    return dot > 0 && k.charCodeAt(dot) === 46 && k.endsWith(suffix) && k.lastIndexOf('.', dot - 1) < 0;
  }
}

function hostRegexp(rule: string, node: MatcherNode): CompiledMatcher {
  const raw = node.args[0] ?? '';
  if (!isAscii(raw)) throw badValue(rule, node, 0, `HostRegexp value has non-ASCII characters; use punycode`);
  const { re, suffix } = regexpArg(rule, node, 0);
  // A literal the host must end with gives a dot-aligned suffix key: `.example.com` -> example.com.
  let keys: IndexKey | null = null;
  if (suffix !== null) {
    const dot = suffix.indexOf('.');
    const value = dot < 0 ? '' : withoutTrailingDots(suffix.slice(dot + 1));
    if (value !== '') keys = { kind: 'hostSuffix', value };
  }
  return { predicate: new HostRegexp(re), keys };
}

class HostRegexp implements Predicate {
  constructor(private readonly re: LazyRegExp) {}

  test(ctx: MatchContext): boolean {
    return this.re.test(ctx.host);
  }
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
  if (name === 'host') return { predicate: NEVER_MATCHES, keys: NO_KEYS };
  if (re !== null) return { predicate: new HeaderRegexp(name, re), keys: null };
  return { predicate: new HeaderValue(name, value), keys: { kind: 'header', name, value } };
}

/** Header(`name`, `value`): some value of the header (lower-case name) is `value`. */
class HeaderValue implements Predicate {
  constructor(private readonly name: string, private readonly value: string) {}

  test(ctx: MatchContext): boolean {
    const headers = ctx.input.headers;
    const first = headers.get(this.name);
    if (first === undefined) return false;
    const value = this.value;
    if (first === value) return true;
    const all = headers.getAll(this.name);
    for (let i = 1; i < all.length; i++) if (all[i] === value) return true;
    return false;
  }
}

/** HeaderRegexp(`name`, `re`): some value of the header (lower-case name) matches. */
class HeaderRegexp implements Predicate {
  constructor(private readonly name: string, private readonly re: LazyRegExp) {}

  test(ctx: MatchContext): boolean {
    const headers = ctx.input.headers;
    const first = headers.get(this.name);
    if (first === undefined) return false;
    const re = this.re;
    if (re.test(first)) return true;
    const all = headers.getAll(this.name);
    for (let i = 1; i < all.length; i++) if (re.test(all[i] as string)) return true;
    return false;
  }
}

function query(rule: string, node: MatcherNode, regexp: boolean): CompiledMatcher {
  const key = node.args[0] ?? '';
  if (regexp && node.args.length === 2) return { predicate: new QueryRegexp(key, regexpArg(rule, node, 1).re), keys: null };
  // One argument: the key must be present with an empty value (`?mobile` or `?mobile=`).
  return { predicate: new QueryValue(key, node.args[1] ?? ''), keys: null };
}

class QueryValue implements Predicate {
  constructor(private readonly key: string, private readonly value: string) {}

  test(ctx: MatchContext): boolean {
    const values = ctx.queryValues(this.key);
    return values !== undefined && values.includes(this.value);
  }
}

class QueryRegexp implements Predicate {
  constructor(private readonly key: string, private readonly re: LazyRegExp) {}

  test(ctx: MatchContext): boolean {
    const values = ctx.queryValues(this.key);
    if (values === undefined) return false;
    for (let i = 0; i < values.length; i++) if (this.re.test(values[i] as string)) return true;
    return false;
  }
}

function clientIP(rule: string, node: MatcherNode): CompiledMatcher {
  const raw = node.args[0] ?? '';
  const block = parseIpBlock(raw);
  if (block === null) throw badValue(rule, node, 0, `ClientIP value ${JSON.stringify(raw)} is not an IP address or CIDR block`);
  return { predicate: new ClientIp(block.family, block.net, block.mask), keys: null };
}

/** ClientIP(`10.0.0.0/8`): the peer address (family 4 or 6) masked is the network. */
class ClientIp implements Predicate {
  constructor(
    private readonly family: number,
    private readonly net: readonly number[],
    private readonly mask: readonly number[],
  ) {}

  test(ctx: MatchContext): boolean {
    if (ctx.ipFamily() !== this.family) return false;
    const ip = ctx.ip;
    const net = this.net;
    const mask = this.mask;
    const words = this.family === 4 ? 1 : 4;
    for (let i = 0; i < words; i++) if ((((ip[i] as number) & (mask[i] as number)) >>> 0) !== net[i]) return false;
    return true;
  }
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
      return { predicate: new PathExact(v), keys: { kind: 'path', value: v } };
    }
    case 'PathPrefix': {
      const v = pathValue(rule, node);
      return { predicate: new PathPrefix(v), keys: { kind: 'pathPrefix', value: v } };
    }
    case 'PathRegexp':
      return { predicate: new PathRegexp(regexpArg(rule, node, 0).re), keys: null };
    case 'Method':
      return { predicate: new Method((node.args[0] ?? '').toUpperCase()), keys: null };
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

class PathExact implements Predicate {
  constructor(private readonly path: string) {}

  test(ctx: MatchContext): boolean {
    return ctx.input.routingPath === this.path;
  }
}

class PathPrefix implements Predicate {
  constructor(private readonly prefix: string) {}

  test(ctx: MatchContext): boolean {
    return ctx.input.routingPath.startsWith(this.prefix);
  }
}

class PathRegexp implements Predicate {
  constructor(private readonly re: LazyRegExp) {}

  test(ctx: MatchContext): boolean {
    return this.re.test(ctx.input.routingPath);
  }
}

class Method implements Predicate {
  constructor(private readonly method: string) {}

  test(ctx: MatchContext): boolean {
    return ctx.input.method === this.method;
  }
}
