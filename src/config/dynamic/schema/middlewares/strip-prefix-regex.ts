/** `stripPrefixRegex`: Go regexps whose match at the start of the path is removed. */
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readStringList } from '../fields.js';
import { checkRegexp } from './regexp-field.js';

export interface StripPrefixRegexOptions {
  /** Patterns in order, trimmed (as Traefik compiles them); every one compiles. */
  readonly regex: readonly string[];
}

export function readStripPrefixRegex(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['regex'] });
  if (fields === undefined) return undefined;
  const rf = fields.get('regex');
  const list = readStringList(scope, rf) ?? [];
  const regex = list.map((p) => p.trim());
  if (rf !== undefined) {
    regex.forEach((pattern, i) => {
      checkRegexp(scope, { key: rf.key, value: pattern, path: Array.isArray(rf.value) ? [...rf.path, i] : rf.path }, pattern);
    });
  }
  if (!scope.ok) return undefined;
  return { kind: 'stripPrefixRegex', options: { regex } };
}
