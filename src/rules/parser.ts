/**
 * Recursive-descent parser for the rule language:
 *
 *   or      := and ('||' and)*
 *   and     := unary ('&&' unary)*
 *   unary   := '!' unary | primary
 *   primary := '(' or ')' | NAME '(' [STRING (',' STRING)* [',']] ')'
 *
 * Precedence `!` > `&&` > `||`, as in Go (Traefik parses rules as Go expressions, which is also
 * why a trailing comma in the argument list is accepted). Matcher names, argument counts and
 * empty arguments are checked here; argument values are checked by the compiler.
 * Only RuleError is ever thrown.
 */
import type { MatcherNode, RuleNode } from './ast.js';
import { Lexer, type TokenKind } from './lexer.js';
import { HTTP_MATCHER_TABLE, type MatcherTable } from './matcher-specs.js';
import { RuleError } from './rule-error.js';

/** Parentheses and `!` nest at most this deep (keeps recursion far from the stack limit). */
const MAX_DEPTH = 200;

/** Parse `rule` into an AST. Throws RuleError. */
export function parseRule(rule: string, matchers: MatcherTable = HTTP_MATCHER_TABLE): RuleNode {
  return new Parser(rule, matchers).parse();
}

/** The current token, as an error message names it. */
function describe(lexer: Lexer): string {
  switch (lexer.kind) {
    case 'eof':
      return 'end of rule';
    case 'ident':
      return `'${lexer.value}'`;
    case 'string':
      return 'a quoted value';
    case '(':
    case ')':
    case ',':
    case '&&':
    case '||':
    case '!':
      return `'${lexer.kind}'`;
  }
}

/**
 * Arguments of the matcher being parsed, reused from one matcher to the next (matchers do not
 * nest): each node then gets lists of exactly its size, not lists grown by push (~150 bytes of
 * spare room each, and two per matcher). They are written by index and never truncated: setting
 * `length = 0` drops an array's backing store, and the next push made a new one (two per matcher,
 * ~300 bytes of garbage per router in a 100,000-router compile).
 */
const argScratch: string[] = [];
const positionScratch: number[] = [];

class Parser {
  private readonly lexer: Lexer;
  private depth = 0;

  constructor(
    private readonly rule: string,
    private readonly matchers: MatcherTable,
  ) {
    this.lexer = new Lexer(rule);
    this.lexer.next();
  }

  parse(): RuleNode {
    if (this.kind() === 'eof') throw this.syntax(this.lexer.start, 'empty rule: expected a matcher');
    const node = this.parseOr(undefined);
    if (this.kind() !== 'eof') {
      throw this.syntax(this.lexer.start, `expected '&&', '||' or end of rule, found ${describe(this.lexer)}`);
    }
    return node;
  }

  private syntax(position: number, detail: string): RuleError {
    return new RuleError('TPK_RULE_SYNTAX', this.rule, position, detail);
  }

  /** Kind of the current token (a method, so TypeScript does not narrow it across next()). */
  private kind(): TokenKind {
    return this.lexer.kind;
  }

  /** `after` names the token that made a matcher necessary, for the error message. */
  private parseOr(after: string | undefined): RuleNode {
    const first = this.parseAnd(after);
    if (this.kind() !== '||') return first;
    const operands = [first];
    while (this.kind() === '||') {
      this.lexer.next();
      operands.push(this.parseAnd("'||'"));
    }
    return { kind: 'or', operands: operands.slice() };
  }

  private parseAnd(after: string | undefined): RuleNode {
    const first = this.parseUnary(after);
    if (this.kind() !== '&&') return first;
    const operands = [first];
    while (this.kind() === '&&') {
      this.lexer.next();
      operands.push(this.parseUnary("'&&'"));
    }
    return { kind: 'and', operands: operands.slice() };
  }

  private parseUnary(after: string | undefined): RuleNode {
    const lexer = this.lexer;
    const kind = lexer.kind;
    const start = lexer.start;
    if (kind === '!' || kind === '(') {
      if (++this.depth > MAX_DEPTH) throw this.syntax(start, `rule nests deeper than ${MAX_DEPTH} levels`);
      lexer.next();
      let node: RuleNode;
      if (kind === '!') {
        node = { kind: 'not', operand: this.parseUnary("'!'"), position: start };
      } else {
        node = this.parseOr("'('");
        if (this.kind() !== ')') {
          throw this.syntax(lexer.start, `expected '&&', '||' or ')' to close '(' at position ${start}, found ${describe(lexer)}`);
        }
        lexer.next();
      }
      this.depth--;
      return node;
    }
    if (kind === 'ident') return this.parseMatcher();
    const where = after === undefined ? '' : ` after ${after}`;
    const found = kind === 'eof' ? '' : `, found ${describe(lexer)}`;
    throw this.syntax(start, `expected a matcher${where}${found}`);
  }

  private parseMatcher(): MatcherNode {
    const lexer = this.lexer;
    const nameValue = lexer.value;
    const nameStart = lexer.start;
    lexer.next();
    const spec = this.matchers.lookup(nameValue);
    if (spec === undefined) {
      throw new RuleError('TPK_RULE_UNKNOWN_MATCHER', this.rule, nameStart, this.matchers.unknownDetail(nameValue));
    }
    if (this.kind() !== '(') {
      throw this.syntax(lexer.start, `expected '(' after matcher name '${nameValue}', found ${describe(lexer)}`);
    }
    lexer.next();
    // The values may slice a large text (a rule read from a file): the scratch must not keep
    // them once read, nor after an error. It holds at most maxArgs values (the rest are counted,
    // not kept), so a rule with a huge argument list cannot grow it for the life of the process.
    let node: MatcherNode;
    try {
      const count = this.readArgs(spec.name, spec.maxArgs);
      if (count < spec.minArgs || count > spec.maxArgs) {
        const want =
          spec.minArgs === spec.maxArgs
            ? `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
            : `${spec.minArgs} to ${spec.maxArgs} arguments`;
        throw new RuleError('TPK_RULE_ARITY', this.rule, nameStart, `${spec.name} takes ${want}, got ${count}`);
      }
      node = { kind: 'matcher', matcher: spec.name, args: argScratch.slice(0, count), position: nameStart, argPositions: positionScratch.slice(0, count) };
    } finally {
      argScratch.fill('');
    }
    const { args, argPositions } = node;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '') {
        throw new RuleError('TPK_RULE_BAD_VALUE', this.rule, argPositions[i] ?? nameStart, `empty argument to ${spec.name}`);
      }
    }
    return node;
  }

  /** Reads `(value, ...)` into the scratch lists (the first `keep` of them); returns how many values. */
  private readArgs(matcher: string, keep: number): number {
    const lexer = this.lexer;
    let count = 0;
    while (this.kind() !== ')') {
      if (this.kind() !== 'string') {
        throw this.syntax(
          lexer.start,
          `expected a value in backticks or double quotes${count > 0 ? " or ')'" : ''} in ${matcher}(...), found ${describe(lexer)}`,
        );
      }
      if (count < argScratch.length) {
        argScratch[count] = lexer.value;
        positionScratch[count] = lexer.start;
      } else if (count < keep) {
        argScratch.push(lexer.value);
        positionScratch.push(lexer.start);
      }
      count++;
      lexer.next();
      if (this.kind() === ',') lexer.next();
      else if (this.kind() !== ')') {
        throw this.syntax(lexer.start, `expected ',' or ')' in ${matcher}(...), found ${describe(lexer)}`);
      }
    }
    lexer.next();
    return count;
  }
}
