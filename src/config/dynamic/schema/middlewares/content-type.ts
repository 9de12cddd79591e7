/**
 * `contentType`: turns Content-Type auto-detection back on (Traefik v3 sends responses without a
 * Content-Type as they are unless this middleware is used). `autoDetect` is deprecated in Traefik:
 * setting it warns, and `false` makes the middleware do nothing.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readFields } from '../fields.js';

export interface ContentTypeOptions {
  /** true (the default when the middleware is present) = sniff a Content-Type the backend left out. */
  readonly autoDetect: boolean;
}

export function readContentType(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['autoDetect'] });
  if (fields === undefined) return undefined;
  const af = fields.get('autoDetect');
  const autoDetect = readBool(scope, af);
  if (af !== undefined && autoDetect !== undefined) {
    scope.warn(
      DYNAMIC_CODES.DEPRECATED,
      af.path,
      'contentType.autoDetect is deprecated in Traefik v3: the contentType middleware only enables Content-Type detection, remove the option' +
        (autoDetect ? '' : ' (autoDetect: false makes this middleware do nothing)'),
    );
  }
  if (!scope.ok) return undefined;
  return { kind: 'contentType', options: { autoDetect: autoDetect ?? true } };
}
