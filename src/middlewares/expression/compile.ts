/**
 * Type-checks an expression tree against a table of functions and turns it into a predicate over
 * a context `C` (the circuit breaker's metrics, a buffering attempt). Built once per configuration;
 * evaluating is a few closure calls, no allocation.
 *
 * The checks are those of the predicate library behind Traefik, so that an expression valid here
 * is valid in Traefik and the other way round:
 * - `&&` / `||` join conditions (comparisons or functions that are conditions themselves);
 * - a comparison has a function on the left and a literal of the function's own type on the right:
 *   a ratio (decimal) is compared with a decimal literal (`> 0.5`, not `> 1`), a count or a
 *   latency (integer) with an integer literal (`> 100`, not `> 100.0`), a string with a string,
 *   and only `==` / `!=` apply to strings;
 * - function arguments are literals of the declared types (`LatencyAtQuantileMS(50.0)`, not `(50)`).
 */
import { closest, LOOSE_TYPOS } from '../../config/paths/suggest.js';
import { type ComparisonOp, type ExprNode, ExpressionError, parseExpression } from './parse.js';

/** What a function returns, and what a literal is. */
export type ValueType = 'int' | 'float' | 'string' | 'bool';
/** The types a function parameter may have. */
export type ParamType = 'int' | 'float';

/** Evaluators the compiled expression is made of. */
export type Eval<C, T> = (ctx: C) => T;

export interface FunctionSpec<C> {
  readonly params: readonly ParamType[];
  readonly returns: ValueType;
  /** Shown in messages about this function's value, e.g. "a ratio". */
  readonly what?: string;
  /** Builds the evaluator, given the literal arguments (already type-checked). */
  make(args: readonly number[]): Eval<C, number | string | boolean>;
}

export type FunctionTable<C> = Readonly<Record<string, FunctionSpec<C>>>;

const TYPE_WORDS: Readonly<Record<ValueType, string>> = {
  int: 'an integer',
  float: 'a decimal number',
  string: 'a string',
  bool: 'a condition',
};

const EXAMPLES: Readonly<Record<ValueType, string>> = {
  int: '100',
  float: '0.5',
  string: '"GET"',
  bool: '',
};

function literalType(node: ExprNode): ValueType | undefined {
  if (node.kind === 'int' || node.kind === 'float' || node.kind === 'string') return node.kind;
  return undefined;
}

function describeNode(node: ExprNode): string {
  switch (node.kind) {
    case 'int':
    case 'float':
      return node.text;
    case 'string':
      return JSON.stringify(node.value);
    case 'call':
      return `${node.name}()`;
    case 'compare':
      return `the comparison with "${node.op}"`;
    case 'and':
      return 'the "&&" condition';
    case 'or':
      return 'the "||" condition';
  }
}

class Compiler<C> {
  constructor(readonly table: FunctionTable<C>) {}

  condition(node: ExprNode, where: string): Eval<C, boolean> {
    switch (node.kind) {
      case 'or': {
        const a = this.condition(node.left, 'the left of "||"');
        const b = this.condition(node.right, 'the right of "||"');
        return (ctx) => a(ctx) || b(ctx);
      }
      case 'and': {
        const a = this.condition(node.left, 'the left of "&&"');
        const b = this.condition(node.right, 'the right of "&&"');
        return (ctx) => a(ctx) && b(ctx);
      }
      case 'compare':
        return this.compare(node.op, node.left, node.right, node.column);
      case 'call': {
        const spec = this.spec(node.name, node.column);
        if (spec.returns !== 'bool') {
          const example = `${node.name}(${this.exampleArgs(spec)}) ${spec.returns === 'string' ? '==' : '>'} ${EXAMPLES[spec.returns]}`;
          throw new ExpressionError(`${node.name}() is ${spec.what ?? TYPE_WORDS[spec.returns]}, not a condition: compare it, e.g. ${example}`, node.column);
        }
        return this.call(node.name, node.args, node.column, spec) as Eval<C, boolean>;
      }
      case 'int':
      case 'float':
      case 'string':
        throw new ExpressionError(`${describeNode(node)} is not a condition (${where} must be a comparison or a condition function)`, node.column);
    }
  }

  compare(op: ComparisonOp, left: ExprNode, right: ExprNode, column: number): Eval<C, boolean> {
    if (left.kind !== 'call') {
      if (right.kind === 'call') {
        throw new ExpressionError(`put the function on the left of the comparison, e.g. ${right.name}(...) ${mirror(op)} ${describeNode(left)}`, left.column);
      }
      throw new ExpressionError(`the left of "${op}" must be a function call, got ${describeNode(left)}`, left.column);
    }
    const spec = this.spec(left.name, left.column);
    const type = spec.returns;
    if (type === 'bool') throw new ExpressionError(`${left.name}() is already a condition: use it without "${op}"`, column);
    const rightType = literalType(right);
    if (rightType === undefined) {
      throw new ExpressionError(`the right of "${op}" must be ${TYPE_WORDS[type]} literal such as ${EXAMPLES[type]}, got ${describeNode(right)}`, right.column);
    }
    if (rightType !== type) {
      const hint = type === 'float' && rightType === 'int' ? ` (write ${describeNode(right)}.0)` : type === 'int' && rightType === 'float' ? ' (write it without a decimal point)' : '';
      throw new ExpressionError(`${left.name}() is ${spec.what ?? TYPE_WORDS[type]}: compare it with ${TYPE_WORDS[type]} literal such as ${EXAMPLES[type]}, not ${describeNode(right)}${hint}`, right.column);
    }
    if (type === 'string' && op !== '==' && op !== '!=') {
      throw new ExpressionError(`strings can only be compared with "==" or "!="`, column);
    }
    const f = this.call(left.name, left.args, left.column, spec);
    const v = right.kind === 'string' ? right.value : (right as { value: number }).value;
    return comparator(op, f, v);
  }

  call(name: string, args: readonly ExprNode[], column: number, spec: FunctionSpec<C>): Eval<C, number | string | boolean> {
    if (args.length !== spec.params.length) {
      const want = spec.params.length === 0 ? 'no arguments' : `${spec.params.length} argument${spec.params.length === 1 ? '' : 's'}`;
      throw new ExpressionError(`${name}() takes ${want}, e.g. ${name}(${this.exampleArgs(spec)}); got ${args.length}`, column);
    }
    const values: number[] = [];
    spec.params.forEach((param, i) => {
      const arg = args[i] as ExprNode;
      const t = literalType(arg);
      if (t !== param) {
        const hint = param === 'float' && t === 'int' ? ` (write ${describeNode(arg)}.0)` : '';
        throw new ExpressionError(`argument ${i + 1} of ${name}() must be ${TYPE_WORDS[param]} literal, got ${describeNode(arg)}${hint}`, arg.column);
      }
      values.push((arg as { value: number }).value);
    });
    return spec.make(values);
  }

  spec(name: string, column: number): FunctionSpec<C> {
    const spec = Object.hasOwn(this.table, name) ? this.table[name] : undefined;
    if (spec !== undefined) return spec;
    const names = Object.keys(this.table);
    const guess = closest(name, names, LOOSE_TYPOS);
    const hint = guess === undefined ? `known functions: ${names.map((n) => `${n}()`).join(', ')}` : `did you mean ${guess}()?`;
    throw new ExpressionError(`unknown function "${name}"; ${hint}`, column);
  }

  exampleArgs(spec: FunctionSpec<C>): string {
    return spec.params.map((p) => (p === 'float' ? '50.0' : '500')).join(', ');
  }
}

function mirror(op: ComparisonOp): ComparisonOp {
  switch (op) {
    case '<':
      return '>';
    case '<=':
      return '>=';
    case '>':
      return '<';
    case '>=':
      return '<=';
    case '==':
    case '!=':
      return op;
  }
}

function comparator<C>(op: ComparisonOp, f: Eval<C, number | string | boolean>, v: number | string): Eval<C, boolean> {
  switch (op) {
    case '==':
      return (ctx) => f(ctx) === v;
    case '!=':
      return (ctx) => f(ctx) !== v;
    case '<':
      return (ctx) => (f(ctx) as number) < (v as number);
    case '<=':
      return (ctx) => (f(ctx) as number) <= (v as number);
    case '>':
      return (ctx) => (f(ctx) as number) > (v as number);
    case '>=':
      return (ctx) => (f(ctx) as number) >= (v as number);
  }
}

/**
 * Parse and type-check `src` against `table`; returns the predicate. Throws ExpressionError with
 * the 1-based column of the problem.
 */
export function compileExpression<C>(src: string, table: FunctionTable<C>): Eval<C, boolean> {
  const tree = parseExpression(src);
  return new Compiler(table).condition(tree, 'the expression');
}

/** `message (at column N of "<expression>")`, for diagnostics. */
export function formatExpressionError(src: string, err: ExpressionError): string {
  return `${err.message} (at column ${err.column} of "${src}")`;
}
