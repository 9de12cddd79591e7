/** `replacePath`: the path sent upstream is replaced by a fixed one (the original goes in X-Replaced-Path). */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readString, requireField } from '../fields.js';

export interface ReplacePathOptions {
  /** As written: an escaped path (`/a%20b`); characters Go would escape are escaped when sent. */
  readonly path: string;
}

/** A `%` not followed by two hex digits (Go's url.PathUnescape refuses it). */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

export function readReplacePath(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['path'] });
  if (fields === undefined) return undefined;
  const pf = requireField(scope, fields, 'path', f.path, 'the path to send upstream instead, e.g. /foo');
  const path = readString(scope, pf);
  if (pf !== undefined && path !== undefined && BAD_ESCAPE.test(path)) {
    // Traefik would answer every request with 500 (invalid URL escape).
    scope.error(DYNAMIC_CODES.INVALID_VALUE, pf.path, `"${path}" has a "%" that is not followed by two hex digits (write "%25" for a literal "%")${scope.leftOut}`);
  }
  if (!scope.ok || path === undefined) return undefined;
  return { kind: 'replacePath', options: { path } };
}
