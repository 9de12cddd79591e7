/**
 * Rule compilation: parse once, validate every value, and build a predicate (a small tree of
 * objects made at compile time; nothing is allocated or compiled per request). Also derives the
 * index keys of the whole rule from those of its matchers.
 */
import { matcherNodes, type RuleNode } from './ast.js';
import { buildHttpMatcher, isKeyList, type CompiledMatcher, type IndexKey, type IndexKeys, type Predicate } from './http-matchers.js';
import { MatchContext, type MatchInput } from './match-context.js';
import { parseRule } from './parser.js';
import { ruleHostValue } from './host.js';
import { utf8Length } from './utf8.js';

export interface CompiledRule {
  /** The rule text as written. */
  readonly source: string;
  readonly ast: RuleNode;
  /** The rule's predicate (route tables keep it and call its test). */
  readonly predicate: Predicate;
  /** Evaluate against a prepared context. */
  test(ctx: MatchContext): boolean;
  /** Index keys (see IndexKeys): one key alone, a list of any other number ([] = never matches), or null = cannot be indexed. */
  readonly keys: IndexKeys;
}

/**
 * A compiled rule of its own with `rule`'s parts: for a holder that must not keep `rule`'s object
 * (a routed router is its own compiled rule, and holds its whole chain).
 */
export function detachedRule(rule: CompiledRule): CompiledRule {
  return new Compiled(rule.source, rule.predicate, rule.keys);
}

/** Parse and compile an HTTP rule. Throws RuleError. */
export function compileRule(rule: string): CompiledRule {
  const { predicate, keys } = compileNode(rule, parseRule(rule));
  return new Compiled(rule, predicate, keys);
}

/**
 * A compiled rule. The syntax tree is not kept (a table of 100,000 routers would hold 100,000 of
 * them for the rare reader, e.g. ruleHosts): `ast` parses the source again on each read.
 */
class Compiled implements CompiledRule {
  constructor(
    readonly source: string,
    readonly predicate: Predicate,
    readonly keys: IndexKeys,
  ) {
    Object.freeze(this);
  }

  test(ctx: MatchContext): boolean {
    return this.predicate.test(ctx);
  }

  get ast(): RuleNode {
    return parseRule(this.source);
  }
}

/** Default router priority: the rule's length, counted like Go's len() (UTF-8 bytes; = characters for ASCII). */
export function defaultPriority(rule: string): number {
  return utf8Length(rule);
}

/** Evaluate one rule against one request (convenience for tests and one-off checks; tables reuse a context). */
export function matchesRule(rule: CompiledRule, input: MatchInput): boolean {
  const ctx = new MatchContext();
  ctx.reset(input);
  return rule.test(ctx);
}

/** ruleHosts() answers by rule: reading them parses the rule text again (the tree is not kept). */
const hostsOf = new WeakMap<CompiledRule, readonly string[]>();

/** Lower-cased values of the Host() matchers of a rule (e.g. to request certificates for them). */
export function ruleHosts(rule: CompiledRule): string[] {
  let hosts = hostsOf.get(rule);
  if (hosts === undefined) {
    const out = new Set<string>();
    for (const m of matcherNodes(rule.ast)) {
      if (m.matcher === 'Host' && m.args[0] !== undefined) out.add(ruleHostValue(m.args[0]));
    }
    hosts = Object.freeze([...out]);
    hostsOf.set(rule, hosts);
  }
  return hosts.slice();
}

/** Rank of the kinds of keys kept as objects; a host key (a string) ranks 0, first. */
const KIND_RANK: Readonly<Record<Exclude<IndexKey, string>['kind'], number>> = {
  header: 1,
  path: 2,
  hostSuffix: 3,
  pathPrefix: 4,
};

function kindRank(key: IndexKey): number {
  return typeof key === 'string' ? 0 : KIND_RANK[key.kind];
}

/** Lower is more selective: the worst kind, then the number of keys; [] (never matches) is best, null (no keys) worst. */
function rank(keys: IndexKeys): number {
  if (keys === null) return Infinity;
  if (!isKeyList(keys)) return kindRank(keys) * 1e6 + 1;
  let worst = -1;
  for (const k of keys) worst = Math.max(worst, kindRank(k));
  return worst * 1e6 + keys.length;
}

function compileNode(rule: string, node: RuleNode): CompiledMatcher {
  switch (node.kind) {
    case 'matcher':
      return buildHttpMatcher(rule, node);
    case 'not':
      return { predicate: new Not(compileNode(rule, node.operand).predicate), keys: null };
    case 'and': {
      const parts = node.operands.map((o) => compileNode(rule, o));
      let keys: IndexKeys = null;
      for (const p of parts) if (rank(p.keys) < rank(keys)) keys = p.keys;
      return { predicate: all(parts.map((p) => p.predicate)), keys };
    }
    case 'or': {
      const parts = node.operands.map((o) => compileNode(rule, o));
      // Every key of every part (this list is the only one changed here); one key is kept alone.
      let keys: IndexKey[] | null = [];
      for (const p of parts) {
        if (p.keys === null || keys === null) keys = null;
        else if (isKeyList(p.keys)) keys.push(...p.keys);
        else keys.push(p.keys);
      }
      return { predicate: any(parts.map((p) => p.predicate)), keys: keys?.length === 1 ? (keys[0] as IndexKey) : keys };
    }
  }
}

function all(parts: Predicate[]): Predicate {
  const [a, b] = parts;
  return parts.length === 2 && a && b ? new And2(a, b) : new AndN(parts);
}

function any(parts: Predicate[]): Predicate {
  const [a, b] = parts;
  return parts.length === 2 && a && b ? new Or2(a, b) : new OrN(parts);
}

class Not implements Predicate {
  constructor(private readonly inner: Predicate) {}

  test(ctx: MatchContext): boolean {
    return !this.inner.test(ctx);
  }
}

/** `a && b`, the usual `and` (Host && PathPrefix), and `a || b`: no list. */
abstract class Pair implements Predicate {
  constructor(
    protected readonly a: Predicate,
    protected readonly b: Predicate,
  ) {}

  abstract test(ctx: MatchContext): boolean;
}

class And2 extends Pair {
  test(ctx: MatchContext): boolean {
    return this.a.test(ctx) && this.b.test(ctx);
  }
}

class Or2 extends Pair {
  test(ctx: MatchContext): boolean {
    return this.a.test(ctx) || this.b.test(ctx);
  }
}

class AndN implements Predicate {
  constructor(private readonly parts: readonly Predicate[]) {}

  test(ctx: MatchContext): boolean {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) if (!(parts[i] as Predicate).test(ctx)) return false;
    return true;
  }
}

class OrN implements Predicate {
  constructor(private readonly parts: readonly Predicate[]) {}

  test(ctx: MatchContext): boolean {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) if ((parts[i] as Predicate).test(ctx)) return true;
    return false;
  }
}
