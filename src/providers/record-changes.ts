/**
 * Change notes between two versions of a frozen collection record (`http.routers` etc.), so that
 * the stages after a provider can work on the names that changed instead of walking 10,000 names
 * to find them. A provider that derives a new record from its previous one by replacing or
 * removing a few names says so with `noteChanges(next, base, names)`; `changedNames(next, base)`
 * gives them back, following a chain of notes (a throttled burst skips versions), or undefined
 * when it cannot tell (no note, another base, a chain too long): the caller then compares the two
 * records itself.
 *
 * The notes are a side channel (a WeakMap on the record), not part of the provider contract: a
 * provider that does not note anything works as before, only with a full comparison per change.
 */

interface Note {
  /**
   * Held weakly: a strong link made every record reachable from the newest one through the chain
   * of notes, so each save kept its records alive for the life of the process (~0.8 MB per
   * one-router save at 10,000 routers). A base that is gone ends the chain: the caller compares.
   */
  readonly base: WeakRef<object>;
  readonly names: readonly string[];
}

const notes = new WeakMap<object, Note>();

/** How many noted steps back `changedNames` follows before giving up (each step is a reload). */
const MAX_CHAIN = 32;

/** Records that `next` is `base` with `names` replaced, added or removed (and nothing else). */
export function noteChanges(next: object, base: object, names: readonly string[]): void {
  if (next !== base) notes.set(next, { base: new WeakRef(base), names });
}

/**
 * The names that differ between `base` and `next` by identity of their values (a superset is
 * possible: a name changed and changed back), or undefined when no chain of notes links them.
 */
export function changedNames(next: object, base: object): readonly string[] | undefined {
  if (next === base) return [];
  let at: object = next;
  let names: readonly string[] | undefined;
  let merged: Set<string> | undefined;
  for (let step = 0; step < MAX_CHAIN; step++) {
    const note = notes.get(at);
    if (note === undefined) return undefined;
    if (names === undefined) names = note.names;
    else {
      merged ??= new Set(names);
      for (const n of note.names) merged.add(n);
    }
    const noted = note.base.deref();
    if (noted === undefined) return undefined;
    if (noted === base) return merged === undefined ? names : [...merged];
    at = noted;
  }
  return undefined;
}
