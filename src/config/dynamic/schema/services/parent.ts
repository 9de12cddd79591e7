/**
 * Pieces shared by the parent services' readers (weighted, mirroring, failover): a reference to
 * another service by name, and the parent's `healthCheck: {}` switch.
 */
import type { ParentHealthCheck } from '../../types.js';
import { type Field, type Fields, type KeyPath, type Scope, qualifyRef, readFields, readString, requireField } from '../fields.js';

/**
 * `healthCheck` of a parent service: Traefik's empty struct. Present (even empty: `healthCheck: {}`
 * or `healthCheck:`) turns the propagation of the children's health on; it takes no options.
 */
export function readParentHealthCheck(scope: Scope, f: Field | undefined): ParentHealthCheck {
  if (f === undefined) return false;
  readFields(scope, f.value, f.path, { supported: [] });
  return true;
}

/**
 * A required service name (`service`, `fallback`, `services[].name`, `mirrors[].name`), qualified
 * with the context's provider when it has one (qualifyRef).
 */
export function readServiceRef(scope: Scope, fields: Fields, key: string, parent: KeyPath): string | undefined {
  const f = requireField(scope, fields, key, parent, 'the name of another service');
  const name = readString(scope, f, { nonEmpty: true });
  return name === undefined ? undefined : qualifyRef(name, scope.ctx.provider);
}
