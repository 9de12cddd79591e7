/**
 * `redirectRegex`: a Go regexp over the full request URL (`http://host[:port]/path?query`); when
 * it matches and the replacement changes the URL, the client is redirected there.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readFields, readString, requireField } from '../fields.js';
import { readRegexp } from './regexp-field.js';

export interface RedirectRegexOptions {
  /** As written (Traefik does not trim it). */
  readonly regex: string;
  /** Go template (`$1`, `${1}`, `${name}`); default ''. */
  readonly replacement: string;
  /** 301/308 instead of 302/307. */
  readonly permanent: boolean;
}

 
const LINE_BREAK = /[\r\n\0]/;

export function readRedirectRegex(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['regex', 'replacement', 'permanent'] });
  if (fields === undefined) return undefined;
  const regex = readRegexp(scope, requireField(scope, fields, 'regex', f.path, 'a Go regular expression matched against the request URL'), { trim: false });
  const rf = fields.get('replacement');
  const replacement = readString(scope, rf) ?? '';
  if (rf !== undefined && LINE_BREAK.test(replacement)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, rf.path, `the replacement contains a line break or NUL, which cannot go in a Location header${scope.leftOut}`);
  }
  const permanent = readBool(scope, fields.get('permanent')) ?? false;
  if (!scope.ok || regex === undefined) return undefined;
  return { kind: 'redirectRegex', options: { regex, replacement, permanent } };
}
