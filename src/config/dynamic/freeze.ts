/**
 * Deeply freezes plain data (objects, arrays, Maps' values) so a snapshot can be shared without
 * copies: nothing downstream can mutate it. Returns its argument, typed as deeply readonly by the
 * caller's own types.
 */
export function deepFreeze<T>(value: T): T {
  freezeInto(value, new Set());
  return value;
}

function freezeInto(value: unknown, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Map) {
    for (const v of value.values()) freezeInto(v, seen);
    // A frozen Map can still be .set(): callers hand it out as ReadonlyMap.
    Object.freeze(value);
    return;
  }
  for (const key of Object.keys(value)) freezeInto((value as Record<string, unknown>)[key], seen);
  Object.freeze(value);
}
