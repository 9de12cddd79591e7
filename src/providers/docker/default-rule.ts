/**
 * The `defaultRule` of the Docker provider: a Go text/template (with sprig) that Traefik runs per
 * container to make the rule of the router it generates. Turnpike reads the subset real
 * configurations use, compiled once when the static configuration is checked:
 *
 *   - literal text and `{{ ... }}` actions, with `{{-` / `-}}` trimming the spaces around them;
 *   - fields `.Name` (the generated service name), `.ContainerName` (the container name),
 *     `.Labels.<key>` and `index .Labels "key"` (a missing label gives "");
 *   - functions `normalize` (Traefik's), and sprig's `lower`, `upper`, `trim`, `trimPrefix`,
 *     `trimSuffix`, `replace`, called with arguments or in a pipeline (`{{ .Name | normalize }}`);
 *   - strings in double quotes (Go escapes) or backticks, and parentheses.
 *
 * Anything else (other functions, variables, `if`/`range`, comments) is refused with the offset
 * where it appears, so a template that Turnpike would read differently never starts.
 */
import { normalize } from './normalize.js';

/** What the template sees of one container (Traefik's model). */
export interface DefaultRuleModel {
  /** The generated service name (normalised container or compose name). */
  readonly Name: string;
  /** The container name without the leading '/'. */
  readonly ContainerName: string;
  readonly Labels: Readonly<Record<string, string>>;
}

export interface DefaultRuleTemplate {
  /** The template as written. */
  readonly source: string;
  /** Runs the template for one container: the rule text. */
  render(model: DefaultRuleModel): string;
}

type Value = string | Readonly<Record<string, string>>;
type Expr = (model: DefaultRuleModel) => Value;

interface FunctionSpec {
  readonly arity: number;
  /** Whether argument i must be the labels map (index) rather than text. */
  readonly mapArg?: number;
  readonly call: (args: readonly Value[]) => Value;
}

const text = (v: Value): string => (typeof v === 'string' ? v : '');

const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['normalize', { arity: 1, call: ([s]) => normalize(text(s ?? '')) }],
  ['lower', { arity: 1, call: ([s]) => text(s ?? '').toLowerCase() }],
  ['upper', { arity: 1, call: ([s]) => text(s ?? '').toUpperCase() }],
  ['trim', { arity: 1, call: ([s]) => text(s ?? '').trim() }],
  ['trimPrefix', { arity: 2, call: ([p, s]) => { const t = text(s ?? ''); const q = text(p ?? ''); return t.startsWith(q) ? t.slice(q.length) : t; } }],
  ['trimSuffix', { arity: 2, call: ([p, s]) => { const t = text(s ?? ''); const q = text(p ?? ''); return q !== '' && t.endsWith(q) ? t.slice(0, t.length - q.length) : t; } }],
  ['replace', { arity: 3, call: ([o, n, s]) => text(s ?? '').split(text(o ?? '')).join(text(n ?? '')) }],
  [
    'index',
    {
      arity: 2,
      mapArg: 0,
      call: ([m, k]) => {
        if (m === undefined || typeof m === 'string') return '';
        const key = text(k ?? '');
        return Object.hasOwn(m, key) ? (m[key] ?? '') : '';
      },
    },
  ],
]);

class TemplateError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`${detail} (at offset ${offset})`);
  }
}

interface Token {
  readonly kind: 'field' | 'ident' | 'string' | '|' | '(' | ')' | 'end';
  readonly value: string;
  readonly start: number;
}

const GO_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

/** Tokens of one action's text (`src` is the whole template, the action spans [from, to)). */
function tokenize(src: string, from: number, to: number): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const c = src[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c === '|' || c === '(' || c === ')') {
      out.push({ kind: c, value: c, start });
      i++;
    } else if (c === '.') {
      const m = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(src.slice(i, to));
      if (m === null) throw new TemplateError(start, 'expected a field name after "." (.Name, .ContainerName, .Labels)');
      out.push({ kind: 'field', value: m[0], start });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, to));
      const name = m?.[0] ?? c;
      out.push({ kind: 'ident', value: name, start });
      i += name.length;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0 || end >= to) throw new TemplateError(start, 'unterminated raw string');
      out.push({ kind: 'string', value: src.slice(i + 1, end), start });
      i = end + 1;
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= to) throw new TemplateError(start, 'unterminated string');
        const d = src[i] ?? '';
        if (d === '"') break;
        if (d === '\\') {
          const e = src[i + 1] ?? '';
          const simple = GO_ESCAPES[e];
          if (simple === undefined) throw new TemplateError(i, `unsupported escape "\\${e}" in a string`);
          value += simple;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      out.push({ kind: 'string', value, start });
      i++;
    } else if (c === '$') {
      throw new TemplateError(start, 'template variables ($x) are not supported in defaultRule');
    } else {
      throw new TemplateError(start, `unexpected "${c}" in an action`);
    }
  }
  out.push({ kind: 'end', value: '', start: to });
  return out;
}

function fieldExpr(token: Token): Expr {
  const parts = token.value.slice(1).split('.');
  const [head, ...rest] = parts;
  if (head === 'Name' && rest.length === 0) return (m) => m.Name;
  if (head === 'ContainerName' && rest.length === 0) return (m) => m.ContainerName;
  if (head === 'Labels' && rest.length === 0) return (m) => m.Labels;
  if (head === 'Labels' && rest.length === 1) {
    const key = rest[0] ?? '';
    return (m) => (Object.hasOwn(m.Labels, key) ? (m.Labels[key] ?? '') : '');
  }
  throw new TemplateError(token.start, `unknown field "${token.value}" (the template knows .Name, .ContainerName and .Labels)`);
}

/** A compiled operand or pipeline, and whether it yields the labels map rather than text. */
interface Compiled {
  readonly expr: Expr;
  readonly isMap: boolean;
}

class ActionParser {
  private pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] ?? { kind: 'end', value: '', start: 0 };
  }

  parseAction(): Compiled {
    const compiled = this.pipeline();
    const t = this.peek();
    if (t.kind !== 'end') throw new TemplateError(t.start, `unexpected "${t.value}" after the expression`);
    return compiled;
  }

  private pipeline(): Compiled {
    let current = this.command(undefined);
    while (this.peek().kind === '|') {
      this.pos++;
      current = this.command(current);
    }
    return current;
  }

  private operand(): Compiled | undefined {
    const t = this.peek();
    switch (t.kind) {
      case 'field': {
        this.pos++;
        return { expr: fieldExpr(t), isMap: t.value === '.Labels' };
      }
      case 'string': {
        this.pos++;
        const value = t.value;
        return { expr: () => value, isMap: false };
      }
      case '(': {
        this.pos++;
        const inner = this.pipeline();
        const close = this.peek();
        if (close.kind !== ')') throw new TemplateError(close.start, `expected ")" to close "(" at offset ${t.start}`);
        this.pos++;
        return inner;
      }
      case 'ident':
      case '|':
      case ')':
      case 'end':
        return undefined;
    }
  }

  /** One command; `piped` is the value of the previous command, passed as the last argument. */
  private command(piped: Compiled | undefined): Compiled {
    const t = this.peek();
    if (t.kind === 'ident') {
      this.pos++;
      const spec = FUNCTIONS.get(t.value);
      if (spec === undefined) {
        const known = [...FUNCTIONS.keys()].join(', ');
        throw new TemplateError(t.start, `function "${t.value}" is not supported in defaultRule (supported: ${known})`);
      }
      const args: Compiled[] = [];
      for (let a = this.operand(); a !== undefined; a = this.operand()) args.push(a);
      if (piped !== undefined) args.push(piped);
      if (args.length !== spec.arity) {
        throw new TemplateError(t.start, `${t.value} takes ${spec.arity} argument${spec.arity === 1 ? '' : 's'}, got ${args.length}`);
      }
      args.forEach((a, i) => {
        if (a.isMap !== (spec.mapArg === i)) {
          throw new TemplateError(t.start, spec.mapArg === i ? `${t.value} expects .Labels as argument ${i + 1}` : `${t.value} expects text as argument ${i + 1}, got .Labels`);
        }
      });
      const exprs = args.map((a) => a.expr);
      const call = spec.call;
      return { expr: (m) => call(exprs.map((e) => e(m))), isMap: false };
    }
    if (piped !== undefined) throw new TemplateError(t.start, 'expected a function name after "|"');
    const only = this.operand();
    if (only === undefined) throw new TemplateError(t.start, t.kind === 'end' ? 'empty action' : `unexpected "${t.value}"`);
    const next = this.peek();
    if (next.kind !== '|' && next.kind !== ')' && next.kind !== 'end') {
      throw new TemplateError(next.start, 'a value cannot take arguments (only functions can)');
    }
    return only;
  }
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'false']);

function compile(template: string): DefaultRuleTemplate {
  const parts: (string | Expr)[] = [];
  let i = 0;
  let literal = '';
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      literal += template.slice(i);
      break;
    }
    let before = template.slice(i, open);
    let from = open + 2;
    if (template.startsWith('- ', from) || template.startsWith('-\t', from) || template.startsWith('-\n', from)) {
      before = before.replace(/[ \t\r\n]+$/, '');
      from += 1;
    }
    literal += before;
    const close = template.indexOf('}}', from);
    if (close < 0) throw new TemplateError(open, 'unclosed action: "{{" without "}}"');
    let to = close;
    let after = close + 2;
    if (close - from >= 2 && template[close - 1] === '-' && /[ \t\r\n]/.test(template[close - 2] ?? '')) {
      to = close - 1;
      const rest = /^[ \t\r\n]*/.exec(template.slice(after));
      after += rest?.[0].length ?? 0;
    }
    if (template.slice(from, to).trimStart().startsWith('/*')) throw new TemplateError(from, 'comments are not supported in defaultRule');
    const tokens = tokenize(template, from, to);
    const first = tokens[0];
    if (first?.kind === 'ident' && KEYWORDS.has(first.value)) {
      throw new TemplateError(first.start, `"${first.value}" is not supported in defaultRule (only values and functions)`);
    }
    const action = new ActionParser(tokens).parseAction();
    if (action.isMap) throw new TemplateError(from, '.Labels is a map: use index .Labels "key" or .Labels.key');
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(action.expr);
    i = after;
  }
  if (literal !== '') parts.push(literal);
  return {
    source: template,
    render(model) {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : text(part(model));
      return out;
    },
  };
}

/**
 * Compiles a defaultRule template once: the template, or an error message naming what is not
 * supported and where (for the static configuration check).
 */
export function compileDefaultRule(template: string): DefaultRuleTemplate | string {
  try {
    return compile(template);
  } catch (e) {
    if (e instanceof TemplateError) return `invalid defaultRule ${JSON.stringify(template)}: ${e.message}`;
    throw e;
  }
}

/** Traefik's default: ``Host(`{{ normalize .Name }}`)``. */
export const DEFAULT_RULE_TEMPLATE = 'Host(`{{ normalize .Name }}`)';
