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

/**
 * Deep freeze for the provider pipeline, where most of each message is already deep-frozen (the
 * validator's output is): an object that is already frozen is taken as deeply frozen and not
 * walked again. With 100,000 routers, walking the whole tree at every stage (translation, file
 * provider, aggregator) cost seconds and a Set of every object.
 *
 * Each object is frozen before its children are walked, so shared and cyclic references end the
 * walk without a visited set.
 */
export function freezeFresh<T>(value: T): T {
  freezeFreshInto(value);
  return value;
}

function freezeFreshInto(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (value instanceof Map) {
    // A frozen Map can still be .set(): callers hand it out as ReadonlyMap.
    for (const v of value.values()) freezeFreshInto(v);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeFreshInto(value[i]);
    return;
  }
  // for-in walks the object's enum cache (no key list per object); the data frozen here are plain
  // objects, whose only enumerable keys are their own.
  for (const key in value) freezeFreshInto((value as Record<string, unknown>)[key]);
}
