/**
 * `http.services.<name>.mirroring`: the main `service` answers; each of `mirrors[]` receives a
 * copy of `percent` % of the requests (answers discarded). `mirrorBody` (default true) copies
 * the body, unless it is larger than `maxBodySize` bytes (default -1 = no limit).
 */
import type { MirrorRef, MirroringConfig } from '../../types.js';
import { type Field, type KeyPath, type Scope, readBool, readFields, readInt, readList } from '../fields.js';
import { readParentHealthCheck, readServiceRef } from './parent.js';

/** Traefik's default `maxBodySize`: no limit. */
export const DEFAULT_MAX_BODY_SIZE = -1;

export function readMirroring(scope: Scope, f: Field): MirroringConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['service', 'mirrors', 'mirrorBody', 'maxBodySize', 'healthCheck'] });
  if (fields === undefined) return undefined;
  const service = readServiceRef(scope, fields, 'service', f.path);
  const mirrors = readList(scope, fields.get('mirrors'), (value, path) => readMirror(scope, value, path)) ?? [];
  const mirrorBody = readBool(scope, fields.get('mirrorBody')) ?? true;
  const maxBodySize = readInt(scope, fields.get('maxBodySize'), { min: -1n, max: BigInt(Number.MAX_SAFE_INTEGER) }) ?? DEFAULT_MAX_BODY_SIZE;
  const healthCheck = readParentHealthCheck(scope, fields.get('healthCheck'));
  if (!scope.ok || service === undefined) return undefined;
  return { service, mirrors, mirrorBody, maxBodySize, healthCheck };
}

function readMirror(scope: Scope, raw: unknown, path: KeyPath): MirrorRef | undefined {
  const fields = readFields(scope, raw, path, { supported: ['name', 'percent'] });
  if (fields === undefined) return undefined;
  const name = readServiceRef(scope, fields, 'name', path);
  const percent = readInt(scope, fields.get('percent'), { min: 0n, max: 100n }) ?? 0;
  if (name === undefined) return undefined;
  return { name, percent };
}
