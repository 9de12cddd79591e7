/**
 * "Did you mean" for mistyped keys and commands: the closest candidate by edit distance, ignoring case.
 * How far off a suggestion may be is a policy: the static configuration and the CLI are strict (short flag
 * words), the dynamic configuration is looser (long camelCase option names).
 */

/** Whether a candidate `distance` edits away from a (lower-cased) word of `length` characters is worth suggesting. */
export type TypoPolicy = (distance: number, length: number) => boolean;

/** At most 2 edits, and fewer than half the word (static configuration keys, CLI commands). */
export const STRICT_TYPOS: TypoPolicy = (distance, length) => distance <= 2 && distance * 2 < length;

/** Up to a third of the word, at least 2 edits (dynamic configuration keys). */
export const LOOSE_TYPOS: TypoPolicy = (distance, length) => distance <= Math.max(2, Math.floor(length / 3));

function distance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * Returns the candidate closest to `word` (the first of equally close ones) when `policy` finds it close
 * enough to be a plausible typo, else undefined. A candidate equal but for case is always returned.
 */
export function closest(word: string, candidates: Iterable<string>, policy: TypoPolicy = STRICT_TYPOS): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(w, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined || bestDistance === 0) return best;
  return policy(bestDistance, w.length) ? best : undefined;
}
