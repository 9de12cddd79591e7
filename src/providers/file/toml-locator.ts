/**
 * Finds where key paths are in TOML text, for diagnostics (smol-toml gives values, not positions), on top of
 * the scanner the static configuration uses too (config/paths/toml-positions.ts). A path is placed where the
 * statement that first names it starts — a table header, a `key = value` line, an array item — with `[[a.b]]`
 * array tables as indexes (`['a', 'b', 2]`). A path that was not seen (e.g. inside a value) resolves to its
 * closest recorded ancestor.
 */
import type { Locate } from '../../config/dynamic/validate.js';
import { scanTomlKeys, tomlPathKey } from '../../config/paths/toml-positions.js';

export function createTomlLocator(text: string): Locate {
  const { statements } = scanTomlKeys(text);
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const at = statements.get(tomlPathKey(path.slice(0, n)));
      if (at !== undefined) return at;
    }
    return undefined;
  };
}
