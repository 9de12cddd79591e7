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
import { Lexer, type Token } from './lexer.js';
import { HTTP_MATCHER_TABLE, type MatcherTable } from './matcher-specs.js';
import { RuleError } from './rule-error.js';

/** Parentheses and `!` nest at most this deep (keeps recursion far from the stack limit). */
const MAX_DEPTH = 200;

/** Parse `rule` into an AST. Throws RuleError. */
export function parseRule(rule: string, matchers: MatcherTable = HTTP_MATCHER_TABLE): RuleNode {
  return new Parser(rule, matchers).parse();
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of rule';
    case 'ident':
      return `'${token.value}'`;
    case 'string':
      return 'a quoted value';
    case '(':
    case ')':
    case ',':
    case '&&':
    case '||':
    case '!':
      return `'${token.kind}'`;
  }
}

class Parser {
  private readonly lexer: Lexer;
  private token: Token;
  private depth = 0;

  constructor(
    private readonly rule: string,
    private readonly matchers: MatcherTable,
  ) {
    this.lexer = new Lexer(rule);
    this.token = this.lexer.next();
  }

  parse(): RuleNode {
    if (this.kind() === 'eof') throw this.syntax(this.token.start, 'empty rule: expected a matcher');
    const node = this.parseOr(undefined);
    if (this.kind() !== 'eof') {
      throw this.syntax(this.token.start, `expected '&&', '||' or end of rule, found ${describe(this.token)}`);
    }
    return node;
  }

  private syntax(position: number, detail: string): RuleError {
    return new RuleError('TPK_RULE_SYNTAX', this.rule, position, detail);
  }

  /** Kind of the current token (a method, so TypeScript does not narrow it across advance()). */
  private kind(): Token['kind'] {
    return this.token.kind;
  }

  private advance(): Token {
    const t = this.token;
    this.token = this.lexer.next();
    return t;
  }

  /** `after` names the token that made a matcher necessary, for the error message. */
  private parseOr(after: string | undefined): RuleNode {
    const first = this.parseAnd(after);
    if (this.kind() !== '||') return first;
    const operands = [first];
    while (this.kind() === '||') {
      this.advance();
      operands.push(this.parseAnd("'||'"));
    }
    return { kind: 'or', operands };
  }

  private parseAnd(after: string | undefined): RuleNode {
    const first = this.parseUnary(after);
    if (this.kind() !== '&&') return first;
    const operands = [first];
    while (this.kind() === '&&') {
      this.advance();
      operands.push(this.parseUnary("'&&'"));
    }
    return { kind: 'and', operands };
  }

  private parseUnary(after: string | undefined): RuleNode {
    const t = this.token;
    if (t.kind === '!' || t.kind === '(') {
      if (++this.depth > MAX_DEPTH) throw this.syntax(t.start, `rule nests deeper than ${MAX_DEPTH} levels`);
      this.advance();
      let node: RuleNode;
      if (t.kind === '!') {
        node = { kind: 'not', operand: this.parseUnary("'!'"), position: t.start };
      } else {
        node = this.parseOr("'('");
        if (this.kind() !== ')') {
          throw this.syntax(
            this.token.start,
            `expected '&&', '||' or ')' to close '(' at position ${t.start}, found ${describe(this.token)}`,
          );
        }
        this.advance();
      }
      this.depth--;
      return node;
    }
    if (t.kind === 'ident') return this.parseMatcher();
    const where = after === undefined ? '' : ` after ${after}`;
    const found = t.kind === 'eof' ? '' : `, found ${describe(t)}`;
    throw this.syntax(t.start, `expected a matcher${where}${found}`);
  }

  private parseMatcher(): MatcherNode {
    const name = this.advance();
    const spec = this.matchers.lookup(name.value);
    if (spec === undefined) {
      throw new RuleError('TPK_RULE_UNKNOWN_MATCHER', this.rule, name.start, this.matchers.unknownDetail(name.value));
    }
    if (this.kind() !== '(') {
      throw this.syntax(this.token.start, `expected '(' after matcher name '${name.value}', found ${describe(this.token)}`);
    }
    this.advance();
    const args: string[] = [];
    const argPositions: number[] = [];
    while (this.kind() !== ')') {
      if (this.kind() !== 'string') {
        throw this.syntax(
          this.token.start,
          `expected a value in backticks or double quotes${args.length > 0 ? " or ')'" : ''} in ${spec.name}(...), found ${describe(this.token)}`,
        );
      }
      const arg = this.advance();
      args.push(arg.value);
      argPositions.push(arg.start);
      if (this.kind() === ',') this.advance();
      else if (this.kind() !== ')') {
        throw this.syntax(this.token.start, `expected ',' or ')' in ${spec.name}(...), found ${describe(this.token)}`);
      }
    }
    this.advance();
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const want =
        spec.minArgs === spec.maxArgs
          ? `${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : `${spec.minArgs} to ${spec.maxArgs} arguments`;
      throw new RuleError('TPK_RULE_ARITY', this.rule, name.start, `${spec.name} takes ${want}, got ${args.length}`);
    }
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '') {
        throw new RuleError('TPK_RULE_BAD_VALUE', this.rule, argPositions[i] ?? name.start, `empty argument to ${spec.name}`);
      }
    }
    return { kind: 'matcher', matcher: spec.name, args, position: name.start, argPositions };
  }
}
