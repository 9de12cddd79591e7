/**
 * The `yaml` and `smol-toml` packages, loaded on first use (synchronously, through require: both
 * ship CommonJS builds). A start whose files are YAML without errors never needs them: js-yaml
 * reads those (fast-yaml.ts), and these two give positions for diagnostics, TOML files, and the
 * files js-yaml steps aside for. Measured on Node 20: `yaml` alone adds ~8.5 MiB of RSS, smol-toml
 * ~2.6 MiB (issue 3: idle RSS under 60 MB).
 *
 * Everything in the project goes through these functions, never `import ... from 'yaml'` for
 * values (type imports are fine): smol-toml's ESM and CommonJS builds are separate module
 * instances, and `instanceof TomlError` must see the one that threw.
 */
import { createRequire } from 'node:module';
import type * as YamlPackage from 'yaml';
import type * as TomlPackage from 'smol-toml';

const load = createRequire(import.meta.url);

let yaml: typeof YamlPackage | undefined;
let toml: typeof TomlPackage | undefined;

export function yamlPackage(): typeof YamlPackage {
  yaml ??= load('yaml') as typeof YamlPackage;
  return yaml;
}

export function tomlPackage(): typeof TomlPackage {
  toml ??= load('smol-toml') as typeof TomlPackage;
  return toml;
}
