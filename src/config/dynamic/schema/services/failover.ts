/**
 * `http.services.<name>.failover`: requests go to `service` while it is up (its health comes from
 * its own health check) and to `fallback` while it is down. `errors` (Traefik 3.x: fail over on
 * answer statuses) is not supported yet.
 */
import type { FailoverConfig } from '../../types.js';
import { type Field, type Scope, readFields } from '../fields.js';
import { readParentHealthCheck, readServiceRef } from './parent.js';

export function readFailover(scope: Scope, f: Field): FailoverConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['service', 'fallback', 'healthCheck'], unsupported: ['errors'] });
  if (fields === undefined) return undefined;
  const service = readServiceRef(scope, fields, 'service', f.path);
  const fallback = readServiceRef(scope, fields, 'fallback', f.path);
  const healthCheck = readParentHealthCheck(scope, fields.get('healthCheck'));
  if (!scope.ok || service === undefined || fallback === undefined) return undefined;
  return { service, fallback, healthCheck };
}
