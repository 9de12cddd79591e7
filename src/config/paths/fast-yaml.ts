/**
 * The fast way to read a dynamic YAML file: js-yaml, with the line of every mapping and sequence
 * noted as it is read. It is about ten times faster than the `yaml` package's Document parser
 * (measured: 2 MB, 10,000 routers with their services: ~0.2 s against ~2.5 s), whose positions of
 * every node we only need when a diagnostic is written.
 *
 * It gives up (returns undefined) whenever the careful path (`yaml`, parse.ts) must decide instead,
 * so that both paths accept exactly the same files as before and errors read the same:
 * - the text does not parse (the careful path writes the error, with its position and reason);
 * - a mapping or list is used through an alias (`*name`): its line would be the anchor's, and
 *   aliases are where the careful path enforces its expansion limit.
 *
 * The schema is YAML 1.2's core schema, as the `yaml` package reads it, plus merge keys (`<<`).
 * Integers beyond 2^53 stay exact (bigint), as Traefik reads 64-bit integers.
 */
import { Schema, Type, load, types, type State } from 'js-yaml';

declare module 'js-yaml' {
  /** js-yaml 4 exports its built-in types at run time; @types/js-yaml 4.0.9 does not declare them. */
  export const types: Readonly<Record<'null' | 'bool' | 'int' | 'float' | 'merge' | 'str' | 'seq' | 'map', Type>>;
}

export interface FastYaml {
  readonly raw: unknown;
  /**
   * The text as the parser read it (a BOM dropped, a final newline added): spans are offsets in
   * it. Strings in `raw` are copies (ownCopy), not slices of it.
   */
  readonly source: string;
  /**
   * 1-based line where a mapping or sequence of `raw` starts (the line of its key), for those down
   * to one object of a collection (`http.routers.<name>`); undefined deeper.
   */
  readonly lineOf: (node: object) => number | undefined;
  /**
   * Where the same nodes' text is, [start, end) offsets: from just after the key's colon to the
   * end of the value. Equal text there means equal data (no aliases, no directives here).
   */
  readonly spanOf: (node: object) => readonly [number, number] | undefined;
  /** Offset of the start of the line where the same nodes' key is (for splicing a changed object). */
  readonly keyLineStartOf: (node: object) => number | undefined;
}

/** The core schema's integers, as bigint when a double would not hold them exactly. */
const exactInt = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string): boolean => types.int.resolve(data),
  construct(data: string): number | bigint {
    const value = types.int.construct(data) as number;
    return Number.isSafeInteger(value) ? value : exactBigInt(data);
  },
});

function exactBigInt(text: string): bigint {
  let t = text.replaceAll('_', '');
  let sign = 1n;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t.startsWith('-')) sign = -1n;
    t = t.slice(1);
  }
  // YAML 1.1 style octal (leading 0) is not read as octal by the core schema's resolver.
  return sign * BigInt(t);
}

const SCHEMA = new Schema({
  implicit: [types.null, types.bool, exactInt, types.float, types.merge],
  explicit: [types.str, types.seq, types.map],
});

/**
 * Collections are noted down to this depth of nodes: the document, `http`, `routers`, one router
 * (keys count as nodes of their own but are scalars). Origins need no deeper line.
 */
const NOTED_DEPTH = 4;

const DIRECTIVE = /^%/m;

/**
 * V8 makes a string cut from another one (js-yaml's scalars are `input.slice(a, b)`) a slice that
 * keeps the whole text alive, from this length on; shorter ones are copies.
 */
const SLICED_MIN_LENGTH = 13;

/**
 * `s` as a string of its own, not a slice of the file's text (nor a concatenation of slices):
 * otherwise the few strings a configuration keeps (rules, URLs) hold the whole text in memory
 * (~19 MB with 100,000 routers) long after the file provider has packed it (file-text.ts). A
 * JSON round trip is exact for every string and, measured over 300,000 slices, as fast as any
 * other copy that lets the text go (~0.5 us): a latin1 Buffer round trip, structuredClone,
 * TextDecoder. `'' + s`, `s.concat()`, `[s].join('')` and `s.toLowerCase()` return the slice itself.
 */
function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export function loadFastYaml(text: string): FastYaml | undefined {
  // A %TAG directive changes what a tag means everywhere after it: too subtle for reuse by text.
  if (DIRECTIVE.test(text)) return undefined;
  const noted = new Map<object, { line: number; lineStart: number; start: number; end: number }>();
  const opened: { line: number; lineStart: number; start: number }[] = [];
  let aliased = false;
  let input = text;
  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      input = state.input;
      // js-yaml opens a value before it skips to where the value starts: this is the key's line.
      opened.push({ line: state.line, lineStart: state.lineStart, start: state.position });
      return;
    }
    const depth = opened.length;
    const at = opened.pop();
    const result: unknown = state.result;
    if (typeof result === 'string') {
      if (result.length >= SLICED_MIN_LENGTH) state.result = ownCopy(result);
      return;
    }
    if (typeof result !== 'object' || result === null || at === undefined) return;
    // An alias closes with no kind of its own (a mapping closes as 'mapping', a list as 'sequence').
    if ((state.kind as string | null) === null) aliased = true;
    else if (depth <= NOTED_DEPTH) noted.set(result, { line: at.line + 1, lineStart: at.lineStart, start: at.start, end: state.position });
  };
  let raw: unknown;
  try {
    raw = load(text, { schema: SCHEMA, listener });
  } catch {
    return undefined;
  }
  if (aliased) return undefined;
  // js-yaml ends its copy with a NUL sentinel.
  const source = input.endsWith('\0') ? input.slice(0, -1) : input;
  return {
    raw,
    source,
    lineOf: (node) => noted.get(node)?.line,
    keyLineStartOf: (node) => noted.get(node)?.lineStart,
    spanOf: (node) => {
      const n = noted.get(node);
      return n === undefined ? undefined : [n.start, n.end];
    },
  };
}
