/**
 * The parsed form of a rule. Operators keep the shape the user wrote (Traefik pushes `!` down
 * with De Morgan; the meaning is the same).
 */

export type RuleNode = MatcherNode | NotNode | AndNode | OrNode;

export interface MatcherNode {
  readonly kind: 'matcher';
  /** Canonical matcher name (`PathPrefix`, whatever spelling the rule used). */
  readonly matcher: string;
  /** Argument values, unquoted. */
  readonly args: readonly string[];
  /** Offset of the matcher name in the rule. */
  readonly position: number;
  /** Offset of each argument's opening quote. */
  readonly argPositions: readonly number[];
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: RuleNode;
  /** Offset of the `!`. */
  readonly position: number;
}

/** `a && b && c` is one node with three operands (at least two). */
export interface AndNode {
  readonly kind: 'and';
  readonly operands: readonly RuleNode[];
}

/** `a || b || c` is one node with three operands (at least two). */
export interface OrNode {
  readonly kind: 'or';
  readonly operands: readonly RuleNode[];
}

/** Every matcher node of the tree, left to right. */
export function matcherNodes(node: RuleNode, out: MatcherNode[] = []): MatcherNode[] {
  switch (node.kind) {
    case 'matcher':
      out.push(node);
      break;
    case 'not':
      matcherNodes(node.operand, out);
      break;
    case 'and':
    case 'or':
      for (const operand of node.operands) matcherNodes(operand, out);
      break;
  }
  return out;
}
