/**
 * Accept-Encoding negotiation as Traefik v3 does it (pkg/middlewares/compress):
 * - header absent: the default encoding if one is configured, else no compression;
 * - header present but empty: identity (no compression);
 * - otherwise codings are weighed by their q-value (1 when absent; q=0 and unparsable q-values
 *   are not acceptable), the highest weight wins, and equal weights go to the server's order:
 *   `*` first, then the configured encodings in order, `identity` last;
 * - `*` winning means the default encoding, or the first configured one;
 * - no acceptable coding, or identity winning: no compression.
 * Codings this build cannot produce (zstd on Node.js 20) are left out of the table, so a client
 * offering them gets the next best one.
 */

/** What the negotiation chooses from, built once per middleware. */
export interface EncodingTable {
  /** Encodings this middleware can produce, most preferred first (lower case). */
  readonly names: readonly string[];
  /** What `*` resolves to; null when nothing can be produced. */
  readonly wildcard: string | null;
  /** The choice when the request has no Accept-Encoding; null = do not compress. */
  readonly absent: string | null;
}

/**
 * `configured`: the `encodings` option in order; `available`: what can be produced;
 * `defaultEncoding`: '' or one of `configured`.
 */
export function createEncodingTable(configured: readonly string[], available: readonly string[], defaultEncoding: string): EncodingTable {
  const names = configured.filter((e, i) => available.includes(e) && configured.indexOf(e) === i);
  const usableDefault = defaultEncoding !== '' && names.includes(defaultEncoding) ? defaultEncoding : null;
  return { names, wildcard: usableDefault ?? names[0] ?? null, absent: usableDefault };
}

const NOT_ACCEPTABLE = -1;

/** q-value of one coding's parameters (`;q=0.5;x=y`): 1 without q, -1 when not acceptable. */
function weightOf(params: string): number {
  let i = 0;
  while (i < params.length) {
    let end = params.indexOf(';', i);
    if (end < 0) end = params.length;
    const p = params.slice(i, end).trim();
    const c = p.charCodeAt(0);
    if ((c === 113 || c === 81) /* q Q */ && p.length > 1) {
      const eq = p.indexOf('=');
      if (eq > 0 && p.slice(1, eq).trim() === '') {
        const w = Number(p.slice(eq + 1).trim());
        return w > 0 ? w : NOT_ACCEPTABLE;
      }
    }
    i = end + 1;
  }
  return 1;
}

/**
 * The encoding to answer with for these Accept-Encoding field lines (none = header absent), or
 * null for no compression.
 */
export function chooseEncoding(lines: readonly string[], table: EncodingTable): string | null {
  if (lines.length === 0) return table.absent;
  if (lines.length === 1 && (lines[0] as string).trim() === '') return null;
  const names = table.names;
  let bestWeight = 0;
  let bestRank = 0;
  let best: string | null = null;
  for (const line of lines) {
    let i = 0;
    while (i < line.length) {
      let end = line.indexOf(',', i);
      if (end < 0) end = line.length;
      const semi = line.indexOf(';', i);
      const nameEnd = semi >= 0 && semi < end ? semi : end;
      const coding = line.slice(i, nameEnd).trim().toLowerCase();
      i = end + 1;
      let rank: number;
      if (coding === '*') rank = -1;
      else if (coding === 'identity') rank = names.length;
      else {
        rank = names.indexOf(coding);
        if (rank < 0) continue;
      }
      const weight = nameEnd < end ? weightOf(line.slice(nameEnd + 1, end)) : 1;
      if (weight === NOT_ACCEPTABLE) continue;
      if (best === null || weight > bestWeight || (weight === bestWeight && rank < bestRank)) {
        best = coding;
        bestWeight = weight;
        bestRank = rank;
      }
    }
  }
  if (best === null || best === 'identity') return null;
  if (best === '*') return table.wildcard;
  return best;
}
