/**
 * `replacePathRegex`: when the Go regexp matches the (escaped) path, every match is replaced
 * (`$1`, `${1}`, `${name}` as Go's Regexp.Expand) and the original goes in X-Replaced-Path.
 */
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readString, requireField } from '../fields.js';
import { readRegexp } from './regexp-field.js';

export interface ReplacePathRegexOptions {
  /** Trimmed, as Traefik compiles it. */
  readonly regex: string;
  /** Go template; '' = the middleware does nothing (as in Traefik). */
  readonly replacement: string;
}

export function readReplacePathRegex(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['regex', 'replacement'] });
  if (fields === undefined) return undefined;
  const regex = readRegexp(scope, requireField(scope, fields, 'regex', f.path, 'a Go regular expression matched against the path'), { trim: true });
  const replacement = readString(scope, requireField(scope, fields, 'replacement', f.path, 'the new path, with $1 or ${1} for captured groups'));
  if (!scope.ok || regex === undefined || replacement === undefined) return undefined;
  return { kind: 'replacePathRegex', options: { regex, replacement } };
}
