/**
 * Parsing of single values by schema type. Every source hands values over as text (files are flattened
 * the way Traefik does), so `10`, `"10"` and `10s` mean the same wherever they are written.
 */
import { parseDuration } from './duration.js';
import type { ScalarSchema } from './schema.js';

export type ScalarValue = string | number | boolean;

export type ScalarResult = { readonly ok: true; readonly value: ScalarValue } | { readonly ok: false; readonly expected: string };

/** Go's strconv.ParseBool spellings, which Traefik accepts. */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const INTEGER = /^[+-]?\d+$/;

/** What a value of this schema looks like, for messages. */
export function expectedText(schema: ScalarSchema): string {
  if (schema.oneOf) return `one of ${schema.oneOf.map((v) => `"${v}"`).join(', ')}`;
  switch (schema.type) {
    case 'boolean':
      return 'true or false';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'duration':
      return 'a duration like "10s" or a number of seconds';
    case 'string':
      return 'a text value';
  }
}

function belowMin(schema: ScalarSchema, n: number): ScalarResult | undefined {
  if (schema.min === undefined || n >= schema.min) return undefined;
  return { ok: false, expected: schema.min === 0 ? 'a value that is not negative' : `a value of at least ${schema.min}` };
}

/** Parses one value; integers beyond JavaScript's safe range are clamped to it (e.g. Traefik's MaxInt64-1). */
export function parseScalar(schema: ScalarSchema, text: string): ScalarResult {
  switch (schema.type) {
    case 'boolean': {
      const t = text.trim();
      if (TRUE.has(t)) return { ok: true, value: true };
      if (FALSE.has(t)) return { ok: true, value: false };
      return { ok: false, expected: expectedText(schema) };
    }
    case 'integer': {
      const t = text.trim();
      if (!INTEGER.test(t)) return { ok: false, expected: expectedText(schema) };
      let n = Number(t);
      if (n > Number.MAX_SAFE_INTEGER) n = Number.MAX_SAFE_INTEGER;
      if (n < -Number.MAX_SAFE_INTEGER) n = -Number.MAX_SAFE_INTEGER;
      return belowMin(schema, n) ?? { ok: true, value: n };
    }
    case 'number': {
      const t = text.trim();
      const n = t === '' ? NaN : Number(t);
      if (!Number.isFinite(n)) return { ok: false, expected: expectedText(schema) };
      return belowMin(schema, n) ?? { ok: true, value: n };
    }
    case 'duration': {
      const ms = parseDuration(text, { fractionalSeconds: true });
      if (ms === undefined || !Number.isFinite(ms)) return { ok: false, expected: expectedText(schema) };
      return belowMin(schema, ms) ?? { ok: true, value: ms };
    }
    case 'string': {
      let value = text;
      if (schema.oneOf) {
        const lower = text.trim().toLowerCase();
        const match = schema.oneOf.find((v) => v.toLowerCase() === lower);
        if (match === undefined) return { ok: false, expected: expectedText(schema) };
        value = match;
      }
      const problem = schema.check?.(value);
      return problem === undefined ? { ok: true, value } : { ok: false, expected: problem };
    }
  }
}

/** Splits a list value on commas (Traefik's convention for flags, env vars and labels), trimming items. */
export function splitList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item !== '') out.push(item);
  }
  return out;
}
