/**
 * Rule evaluation with a trace, for the request explainer (`/api/explain`): the rule's syntax tree
 * with each matcher's true/false for one request. Each matcher is built by the same code the
 * compiler uses (buildHttpMatcher) and evaluated on the same MatchContext, so the trace says what
 * the route table computed; `result` is the compiled rule's own answer (CompiledRule.test).
 *
 * Unlike the compiled predicate this evaluates every operand (no short-circuit), so the trace
 * shows each matcher's value. It builds closures and compiles regexps per call: not for the data
 * path.
 */
import type { RuleNode } from './ast.js';
import type { CompiledRule } from './compile.js';
import { buildHttpMatcher } from './http-matchers.js';
import { MatchContext, type MatchInput } from './match-context.js';

export type RuleTrace = MatcherTrace | NotTrace | GroupTrace;

export interface MatcherTrace {
  readonly kind: 'matcher';
  /** The matcher as written in canonical form, e.g. ``Host(`example.com`)``. */
  readonly text: string;
  readonly matcher: string;
  readonly args: readonly string[];
  readonly result: boolean;
}

export interface NotTrace {
  readonly kind: 'not';
  readonly result: boolean;
  readonly operand: RuleTrace;
}

export interface GroupTrace {
  readonly kind: 'and' | 'or';
  readonly result: boolean;
  readonly operands: readonly RuleTrace[];
}

export interface RuleExplanation {
  /** The compiled rule's answer for the request (what the route table used). */
  readonly result: boolean;
  readonly trace: RuleTrace;
  /**
   * The matchers that made the rule false (empty when it is true): the false operands of a false
   * `&&`, every operand of a false `||`, a `!` whose operand was true.
   */
  readonly failed: readonly string[];
  /** Matchers that were true, and how many matchers the rule has (a rough closeness for a 404). */
  readonly matched: number;
  readonly total: number;
}

/** The canonical text of one matcher: ``Name(`a`, `b`)``. */
export function matcherText(matcher: string, args: readonly string[]): string {
  return `${matcher}(${args.map((a) => '`' + a + '`').join(', ')})`;
}

function traceNode(source: string, node: RuleNode, ctx: MatchContext): RuleTrace {
  switch (node.kind) {
    case 'matcher': {
      const result = buildHttpMatcher(source, node).predicate.test(ctx);
      return { kind: 'matcher', text: matcherText(node.matcher, node.args), matcher: node.matcher, args: node.args, result };
    }
    case 'not': {
      const operand = traceNode(source, node.operand, ctx);
      return { kind: 'not', result: !operand.result, operand };
    }
    case 'and':
    case 'or': {
      const operands = node.operands.map((o) => traceNode(source, o, ctx));
      const result = node.kind === 'and' ? operands.every((o) => o.result) : operands.some((o) => o.result);
      return { kind: node.kind, result, operands };
    }
  }
}

/** The text of a sub-expression (for `!(...)` culprits). */
function traceText(t: RuleTrace): string {
  switch (t.kind) {
    case 'matcher':
      return t.text;
    case 'not':
      return `!${t.operand.kind === 'matcher' ? t.operand.text : `(${traceText(t.operand)})`}`;
    case 'and':
    case 'or':
      return t.operands.map((o) => (o.kind === 'and' || o.kind === 'or' ? `(${traceText(o)})` : traceText(o))).join(t.kind === 'and' ? ' && ' : ' || ');
  }
}

function culprits(t: RuleTrace, out: string[]): void {
  if (t.result) return;
  switch (t.kind) {
    case 'matcher':
      out.push(t.text);
      return;
    case 'not':
      out.push(traceText(t));
      return;
    case 'and':
    case 'or':
      for (const o of t.operands) culprits(o, out);
  }
}

function countMatchers(t: RuleTrace, acc: { matched: number; total: number }): void {
  switch (t.kind) {
    case 'matcher':
      acc.total++;
      if (t.result) acc.matched++;
      return;
    case 'not':
      countMatchers(t.operand, acc);
      return;
    case 'and':
    case 'or':
      for (const o of t.operands) countMatchers(o, acc);
  }
}

/** Evaluates `rule` against `input` with a trace of every matcher. */
export function explainRule(rule: CompiledRule, input: MatchInput): RuleExplanation {
  const ctx = new MatchContext();
  ctx.reset(input);
  try {
    const result = rule.test(ctx);
    const trace = traceNode(rule.source, rule.ast, ctx);
    const failed: string[] = [];
    if (!result) culprits(trace, failed);
    const acc = { matched: 0, total: 0 };
    countMatchers(trace, acc);
    return { result, trace, failed, matched: acc.matched, total: acc.total };
  } finally {
    ctx.release();
  }
}
