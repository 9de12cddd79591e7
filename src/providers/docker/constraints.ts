/**
 * The Docker provider's `constraints`: an expression over a container's labels deciding whether
 * Traefik looks at the container at all. Same grammar as rules (Traefik parses both with one
 * parser): `Label("key", "value")` (the label equals the value; an absent label is ""),
 * `LabelRegex("key", "re")` (Go RE2, unanchored, tested on the value or ""), `!`, `&&`, `||` and
 * parentheses, strings in double quotes or backticks. Compiled once, when the static
 * configuration is checked; errors give the position.
 */
import { compileGoRegexp, goMatch } from '../../middlewares/shared/go-regexp.js';
import { MatcherTable, RuleError, parseRule, type RuleNode } from '../../rules/index.js';

export type ConstraintMatcher = (labels: Readonly<Record<string, string>>) => boolean;

const CONSTRAINT_MATCHERS = new MatcherTable([
  { name: 'Label', minArgs: 2, maxArgs: 2 },
  { name: 'LabelRegex', minArgs: 2, maxArgs: 2 },
]);

class ConstraintError extends Error {
  constructor(
    readonly position: number,
    detail: string,
  ) {
    super(detail);
  }
}

const labelOf = (labels: Readonly<Record<string, string>>, key: string): string => (Object.hasOwn(labels, key) ? (labels[key] ?? '') : '');

function build(node: RuleNode): ConstraintMatcher {
  switch (node.kind) {
    case 'matcher': {
      const [key = '', value = ''] = node.args;
      if (node.matcher === 'Label') return (labels) => labelOf(labels, key) === value;
      let re;
      try {
        re = compileGoRegexp(value);
      } catch (e) {
        throw new ConstraintError(node.argPositions[1] ?? node.position, e instanceof Error ? e.message : String(e));
      }
      return (labels) => goMatch(re, labelOf(labels, key));
    }
    case 'not': {
      const inner = build(node.operand);
      return (labels) => !inner(labels);
    }
    case 'and': {
      const parts = node.operands.map(build);
      return (labels) => parts.every((p) => p(labels));
    }
    case 'or': {
      const parts = node.operands.map(build);
      return (labels) => parts.some((p) => p(labels));
    }
  }
}

/**
 * Compiles a constraints expression: the matcher, or an error message with the position (for the
 * static configuration check). An empty expression matches every container.
 */
export function compileConstraints(expr: string): ConstraintMatcher | string {
  if (expr.trim() === '') return () => true;
  try {
    return build(parseRule(expr, CONSTRAINT_MATCHERS));
  } catch (e) {
    if (e instanceof RuleError) return `invalid constraints ${JSON.stringify(expr)} at position ${e.position}: ${e.detail}`;
    if (e instanceof ConstraintError) return `invalid constraints ${JSON.stringify(expr)} at position ${e.position}: ${e.message}`;
    throw e;
  }
}
