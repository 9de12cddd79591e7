/**
 * A TOML document flattened into decoder entries, like yaml-entries.ts: values become text, lists of values
 * stay lists, empty tables enable a section; positions come from toml-positions.ts.
 */
import { tomlPackage } from './lazy-parsers.js';
import type { Diagnostic } from '../diagnostics.js';
import { DECODE_CODES } from './codes.js';
import type { FlatEntry, Position } from './decode.js';
import { tomlErrorDetail } from './source-positions.js';
import { locateTomlKeys, tomlPathKey } from './toml-positions.js';
import type { FileEntries } from './yaml-entries.js';

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof tomlPackage().TomlDate);
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof tomlPackage().TomlDate) return value.toISOString();
  return String(value);
}

/** Parses TOML text into entries; `origin` names the file in entries and diagnostics. */
export function tomlEntries(text: string, origin: string): FileEntries {
  let data: Record<string, unknown>;
  try {
    data = tomlPackage().parse(text, { integersAsBigInt: 'asNeeded' });
  } catch (error) {
    const { reason, ...at } = tomlErrorDetail(error);
    return { entries: [], diagnostics: [{ code: DECODE_CODES.parse, severity: 'error', message: `invalid TOML: ${reason}`, source: origin, ...at }] };
  }
  const positions = locateTomlKeys(text);
  const entries: FlatEntry[] = [];
  const diagnostics: Diagnostic[] = [];

  const walk = (value: unknown, segments: string[]): void => {
    const push = (v: FlatEntry['value']): void => {
      const at: (Position | undefined)[] = segments.map((_, n) => positions.get(tomlPathKey(segments.slice(0, n + 1))));
      entries.push({ segments, value: v, origin, positions: at });
    };
    if (isTable(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0 && segments.length > 0) push(null);
      for (const key of keys) walk(value[key], [...segments, key]);
      return;
    }
    if (Array.isArray(value)) {
      if (value.every((item) => !isTable(item) && !Array.isArray(item))) {
        push(value.map(scalarText));
        return;
      }
      value.forEach((item, n) => walk(item, [...segments, `[${n}]`]));
      return;
    }
    push(scalarText(value));
  };
  walk(data, []);
  return { entries, diagnostics };
}
