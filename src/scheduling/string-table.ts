/**
 * V8 keeps the table of its internalized strings (property names, off the JS heap) at the size of
 * its peak: a garbage collection clears the strings that died, but the table is only resized
 * when a new string goes in. Reading a large file internalizes every name of it twice (the parser's
 * keys, then the records' `name@file`), and nothing new is internalized once the proxy is idle,
 * so the table stayed at twice the size it needs: 8 MB of 12 with 100,000 routers (measured with
 * v8.getHeapStatistics().malloced_memory, which fell to 4 MB once a string went in after a full GC).
 *
 * shrinkStringTableSoon() puts one new string in after the next full GC, and again after the one
 * after (V8 frees the old table at a GC once the new one is made). It allocates nothing that stays,
 * does not force a collection, and costs nothing on the data path.
 */

/**
 * An array this long (8 bytes an element) is over V8's largest regular object (128 KB): it lives
 * in the large-object space, which only a full (mark-compact) collection frees.
 */
const LARGE_ELEMENTS = 20_000;

/** How many full collections a shrink waits through (the first clears, the second frees). */
const ROUNDS = 2;

/** Strings put in so far (each a new name: turnpike-string-table-<n>). */
let serial = 0;
let pending = false;

const registry = new FinalizationRegistry<number>((round) => {
  internalizeOne();
  if (round + 1 < ROUNDS) watch(round + 1);
  else pending = false;
});

/** Puts a string never seen before into the table (as a property name), which resizes it as needed. */
function internalizeOne(): void {
  const o: Record<string, number> = {};
  o[`turnpike-string-table-${++serial}`] = serial;
}

/** How many strings shrinkStringTableSoon has put in so far (tests). */
export function stringTableNudges(): number {
  return serial;
}

/** Calls back (the registry's callback) after the next full collection. */
function watch(round: number): void {
  registry.register(new Array<number>(LARGE_ELEMENTS).fill(round), round);
}

/** After a large configuration was read: see the module comment. Calls while one is pending do nothing. */
export function shrinkStringTableSoon(): void {
  if (pending) return;
  pending = true;
  watch(0);
}
