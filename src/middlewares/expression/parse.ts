/**
 * The small expression language of Traefik's circuitBreaker `expression` and buffering
 * `retryExpression` (Traefik hands both to a predicate parser over Go syntax):
 *
 *   NetworkErrorRatio() > 0.5 || (ResponseCodeRatio(500, 600, 0, 600) > 0.25 && RequestThreshold() >= 20)
 *
 * Grammar (Go precedence: `||` binds loosest, then `&&`, then comparisons):
 *   expr       := and ('||' and)*
 *   and        := comparison ('&&' comparison)*
 *   comparison := operand (('==' | '!=' | '<' | '<=' | '>' | '>=') operand)?
 *   operand    := '(' expr ')' | NAME '(' [literal (',' literal)*] ')' | literal
 *   literal    := INT | FLOAT | STRING
 * INT is decimal digits; FLOAT has a '.' or an exponent (`50.0`, `.5`, `1e3`) — Go keeps the two
 * apart and so do the typed checks (compile.ts). STRING is Go's "..." (with \ escapes) or `raw`.
 *
 * This file only builds the tree; which functions exist and what they accept is compile.ts's
 * business. Errors carry the 1-based column they point at.
 */

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type ExprNode =
  | { readonly kind: 'or' | 'and'; readonly left: ExprNode; readonly right: ExprNode; readonly column: number }
  | { readonly kind: 'compare'; readonly op: ComparisonOp; readonly left: ExprNode; readonly right: ExprNode; readonly column: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly ExprNode[]; readonly column: number }
  | { readonly kind: 'int' | 'float'; readonly value: number; readonly text: string; readonly column: number }
  | { readonly kind: 'string'; readonly value: string; readonly column: number };

/** A problem in an expression, with the 1-based column it points at. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type TokenKind = 'name' | 'int' | 'float' | 'string' | 'op' | '(' | ')' | ',' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Decoded value of a string token. */
  readonly value: string;
  readonly column: number;
}

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const DIGIT = /[0-9]/;
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const FLOAT_AT = /^(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)/;
const INT_AT = /^[0-9]+/;

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the expression' : `"${t.text}"`;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const column = i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < src.length && NAME_PART.test(src[j] as string)) j++;
      const text = src.slice(i, j);
      out.push({ kind: 'name', text, value: text, column });
      i = j;
      continue;
    }
    if (DIGIT.test(c) || (c === '.' && DIGIT.test(src[i + 1] ?? ''))) {
      const rest = src.slice(i);
      const f = FLOAT_AT.exec(rest);
      const m = f ?? INT_AT.exec(rest);
      const text = (m as RegExpExecArray)[0];
      const after = src[i + text.length];
      if (after !== undefined && (NAME_PART.test(after) || after === '.')) {
        throw new ExpressionError(`"${text}${after}" is not a number (write decimal numbers such as 100 or 0.5)`, column);
      }
      out.push({ kind: f === null ? 'int' : 'float', text, value: text, column });
      i += text.length;
      continue;
    }
    if (c === '"' || c === '`') {
      const { value, end } = readString(src, i);
      out.push({ kind: 'string', text: src.slice(i, end), value, column });
      i = end;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || COMPARISONS.has(two)) {
      out.push({ kind: 'op', text: two, value: two, column });
      i += 2;
      continue;
    }
    if (c === '<' || c === '>') {
      out.push({ kind: 'op', text: c, value: c, column });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c, text: c, value: c, column });
      i++;
      continue;
    }
    throw new ExpressionError(unexpectedCharacter(c), column);
  }
  out.push({ kind: 'end', text: '', value: '', column: src.length + 1 });
  return out;
}

function unexpectedCharacter(c: string): string {
  switch (c) {
    case '!':
      return 'the "!" (not) operator is not supported; compare with == or != instead';
    case '=':
      return 'unexpected "="; use "==" to compare';
    case '&':
      return 'unexpected "&"; use "&&" for "and"';
    case '|':
      return 'unexpected "|"; use "||" for "or"';
    case '-':
    case '+':
      return `unexpected "${c}": arithmetic and signed numbers are not supported`;
    case "'":
      return 'strings are written with double quotes, e.g. "GET"';
    default:
      return `unexpected character "${c}"`;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start] as string;
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) return { value, end: i + 1 };
    if (quote === '"' && c === '\\') {
      const e = ESCAPES[src[i + 1] ?? ''];
      if (e === undefined) throw new ExpressionError('unsupported escape in string', i + 1);
      value += e;
      i += 2;
      continue;
    }
    if (quote === '"' && c === '\n') break;
    value += c;
    i++;
  }
  throw new ExpressionError('unterminated string', start + 1);
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  get #peek(): Token {
    return this.#tokens[this.#at] as Token;
  }

  #take(): Token {
    const t = this.#tokens[this.#at] as Token;
    if (t.kind !== 'end') this.#at++;
    return t;
  }

  parseAll(): ExprNode {
    if (this.#peek.kind === 'end') throw new ExpressionError('the expression is empty', 1);
    const node = this.#or();
    const t = this.#peek;
    if (t.kind !== 'end') {
      const hint = t.kind === ')' ? 'unbalanced ")"' : `expected "&&", "||" or the end of the expression, got ${describe(t)}`;
      throw new ExpressionError(hint, t.column);
    }
    return node;
  }

  #or(): ExprNode {
    let left = this.#and();
    while (this.#peek.kind === 'op' && this.#peek.text === '||') {
      const op = this.#take();
      left = { kind: 'or', left, right: this.#and(), column: op.column };
    }
    return left;
  }

  #and(): ExprNode {
    let left = this.#comparison();
    while (this.#peek.kind === 'op' && this.#peek.text === '&&') {
      const op = this.#take();
      left = { kind: 'and', left, right: this.#comparison(), column: op.column };
    }
    return left;
  }

  #comparison(): ExprNode {
    const left = this.#operand();
    const t = this.#peek;
    if (t.kind !== 'op' || !COMPARISONS.has(t.text)) return left;
    this.#take();
    const right = this.#operand();
    const next = this.#peek;
    if (next.kind === 'op' && COMPARISONS.has(next.text)) {
      throw new ExpressionError(`comparisons cannot be chained: join them with "&&"`, next.column);
    }
    return { kind: 'compare', op: t.text as ComparisonOp, left, right, column: t.column };
  }

  #operand(): ExprNode {
    const t = this.#take();
    switch (t.kind) {
      case '(': {
        const inner = this.#or();
        const close = this.#take();
        if (close.kind !== ')') throw new ExpressionError(`expected ")" to close the "(" at column ${t.column}, got ${describe(close)}`, close.column);
        return inner;
      }
      case 'name':
        return this.#call(t);
      case 'int':
      case 'float':
        return { kind: t.kind, value: Number(t.text), text: t.text, column: t.column };
      case 'string':
        return { kind: 'string', value: t.value, column: t.column };
      case ',':
      case ')':
      case 'op':
      case 'end':
        throw new ExpressionError(`expected a function call, a number or "(", got ${describe(t)}`, t.column);
    }
  }

  #call(name: Token): ExprNode {
    const open = this.#take();
    if (open.kind !== '(') {
      throw new ExpressionError(`"${name.text}" must be called as a function, e.g. ${name.text}()`, name.column);
    }
    const args: ExprNode[] = [];
    if (this.#peek.kind === ')') {
      this.#take();
      return { kind: 'call', name: name.text, args, column: name.column };
    }
    for (;;) {
      args.push(this.#or());
      const t = this.#take();
      if (t.kind === ')') break;
      if (t.kind !== ',') throw new ExpressionError(`expected "," or ")" in the arguments of ${name.text}(), got ${describe(t)}`, t.column);
    }
    return { kind: 'call', name: name.text, args, column: name.column };
  }
}

/** Parse `src` into a tree; throws ExpressionError (with a column) on a syntax error. */
export function parseExpression(src: string): ExprNode {
  return new Parser(tokenize(src)).parseAll();
}
