/**
 * `http.services.<name>.weighted`: a weighted round robin over other services (Traefik's canary
 * and blue-green building block): `services[].name/weight`, `sticky.cookie`, `healthCheck: {}`.
 */
import type { StickyConfig, WeightedConfig, WeightedServiceRef } from '../../types.js';
import { type Field, type KeyPath, type Scope, readFields, readInt, readList } from '../fields.js';
import { readParentHealthCheck, readServiceRef } from './parent.js';

/** Reads `sticky` (the loadBalancer reader's, passed in: one implementation, no import cycle). */
export type StickyReader = (scope: Scope, f: Field | undefined) => StickyConfig | undefined;

export function readWeighted(scope: Scope, f: Field, readSticky: StickyReader): WeightedConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['services', 'sticky', 'healthCheck'] });
  if (fields === undefined) return undefined;
  const services = readList(scope, fields.get('services'), (value, path) => readWeightedRef(scope, value, path)) ?? [];
  const sticky = readSticky(scope, fields.get('sticky'));
  const healthCheck = readParentHealthCheck(scope, fields.get('healthCheck'));
  if (!scope.ok) return undefined;
  return { services, sticky, healthCheck };
}

function readWeightedRef(scope: Scope, raw: unknown, path: KeyPath): WeightedServiceRef | undefined {
  const fields = readFields(scope, raw, path, { supported: ['name', 'weight'] });
  if (fields === undefined) return undefined;
  const name = readServiceRef(scope, fields, 'name', path);
  // Traefik's weight is an int, default 1; a negative weight makes no sense for a round robin.
  const weight = readInt(scope, fields.get('weight'), { min: 0n, max: 2147483647n }) ?? 1;
  if (name === undefined) return undefined;
  return { name, weight };
}
