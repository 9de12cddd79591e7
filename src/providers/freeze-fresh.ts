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
  freezeInto(value);
  return value;
}

function freezeInto(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (value instanceof Map) {
    // A frozen Map can still be .set(): callers hand it out as ReadonlyMap.
    for (const v of value.values()) freezeInto(v);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeInto(value[i]);
    return;
  }
  for (const key of Object.keys(value)) freezeInto((value as Record<string, unknown>)[key]);
}
