/**
 * Where a dynamic object was declared. Origins are compared by their fields, never by identity,
 * so the objects of one source without a line share one frozen origin (a 10,000-router file made
 * 20,000 `{ source }` objects, 0.8 MB).
 */
import type { ObjectOrigin } from './types.js';

let lastSourceOnly: ObjectOrigin | undefined;

export function objectOrigin(source: string, line: number | undefined): ObjectOrigin {
  if (line !== undefined) return { source, line };
  if (lastSourceOnly === undefined || lastSourceOnly.source !== source) lastSourceOnly = Object.freeze({ source });
  return lastSourceOnly;
}
