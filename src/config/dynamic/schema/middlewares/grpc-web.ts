/**
 * `grpcWeb`: translates gRPC-Web requests from browsers into gRPC for the backend.
 * `allowOrigins` lists the origins whose CORS requests are allowed, compared exactly as written
 * (`*` allows every origin); the default, none, answers preflights without
 * Access-Control-Allow-Origin, so browsers refuse cross-origin calls.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readSection, readStringList } from '../fields.js';

export interface GrpcWebOptions {
  /** Exact origins (`https://app.example.com`) or `*`. Default []. */
  readonly allowOrigins: readonly string[];
}

export function readGrpcWeb(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const section = readSection(scope, f);
  if (section === undefined) return undefined;
  if (section === false) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a mapping of options (allowOrigins), got false${scope.leftOut}`);
    return undefined;
  }
  const fields = readFields(scope, section, f.path, { supported: ['allowOrigins'] });
  if (fields === undefined) return undefined;
  const of = fields.get('allowOrigins');
  const allowOrigins = readStringList(scope, of) ?? [];
  if (of !== undefined) {
    allowOrigins.forEach((origin, i) => {
      const path = Array.isArray(of.value) ? [...of.path, i] : of.path;
      if (origin.trim() === '') {
        scope.warn(DYNAMIC_CODES.INVALID_VALUE, path, 'an empty origin never matches (requests without Origin get no CORS headers); expected an origin such as https://app.example.com or *');
      } else if (origin !== '*' && origin.endsWith('/')) {
        // Browsers never send a trailing slash in Origin: such an entry can never match.
        scope.warn(DYNAMIC_CODES.INVALID_VALUE, path, `origin "${origin}" ends with "/" and will never match a browser's Origin header (scheme://host[:port] only)`);
      }
    });
  }
  if (!scope.ok) return undefined;
  return { kind: 'grpcWeb', options: { allowOrigins } };
}
