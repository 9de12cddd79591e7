/**
 * Where things are in a YAML or TOML configuration file: the start of a YAML node, and the reason and place of
 * a parser error. Shared by the static configuration loader (yaml-entries.ts, toml-entries.ts) and the file
 * provider of dynamic configuration, so both word and place a syntax error the same way.
 */
import { tomlPackage } from './lazy-parsers.js';
import type { LineCounter, YAMLError } from 'yaml';
import type { Position } from './decode.js';

/** What a parser said is wrong (its first line, without the parser's own framing), and where. */
export interface ParseErrorDetail {
  readonly reason: string;
  readonly line?: number;
  readonly column?: number;
}

/** Where a YAML node (a key, a value, a list item) starts; undefined for anything without a source range. */
export function yamlNodePosition(node: unknown, lines: LineCounter): Position | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  if (!Array.isArray(range) || typeof range[0] !== 'number') return undefined;
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}

/** A YAML parse error, read with `prettyErrors: false`. */
export function yamlErrorDetail(error: YAMLError, lines: LineCounter): ParseErrorDetail {
  const reason = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, '');
  const offset = error.pos[0];
  const at = error.linePos?.[0] ?? (Number.isInteger(offset) ? lines.linePos(offset) : undefined);
  return at === undefined ? { reason } : { reason, line: at.line, column: at.col };
}

/** An error thrown by smol-toml's parse (a TomlError knows its line and column). */
export function tomlErrorDetail(error: unknown): ParseErrorDetail {
  const message = error instanceof Error ? firstLine(error.message) : String(error);
  const reason = message.replace(/^Invalid TOML document:\s*/, '');
  return error instanceof tomlPackage().TomlError ? { reason, line: error.line, column: error.column } : { reason };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
