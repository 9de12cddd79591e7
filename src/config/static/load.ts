/**
 * Loads the static (install) configuration from exactly one source, as Traefik does: the configuration file
 * (`--configFile`, else the first `traefik.*`/`turnpike.*` found, see file-search.ts), else the CLI flags, else
 * the `TRAEFIK_*`/`TURNPIKE_*` environment variables, else defaults. Sources are never merged; when a source
 * is ignored because another wins, a warning says so. The result names the source in `config.origin`.
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { decodeFlat, type FlatEntry } from '../paths/index.js';
import { tomlEntries } from '../paths/toml-entries.js';
import { fastYamlEntries, yamlEntries, type FileEntries } from '../paths/yaml-entries.js';
import { buildStaticConfig } from './build.js';
import { STATIC_CODES } from './codes.js';
import { envEntries } from './env.js';
import { defaultSearchDirs, findConfigFile, isFile } from './file-search.js';
import { flagEntries, isConfigFileFlag, tokenizeFlags } from './flags.js';
import { STATIC_SCHEMA } from './schema.js';
import { STATIC_UNKNOWN_KEYS } from './traefik-keys.js';
import type { StaticConfig } from './types.js';

export interface LoadStaticInput {
  /** Command-line arguments after the program name; a leading `run`, `check` or `healthcheck` is skipped. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Resolves `--configFile` and the file provider's relative paths; last directory searched. */
  readonly cwd: string;
  /** Home directory for `$HOME/.config` (default: env.HOME). */
  readonly home?: string;
  /** Directories searched for the configuration file instead of the default ones (tests). */
  readonly searchDirs?: readonly string[];
}

export interface LoadStaticResult {
  /** Absent when any diagnostic is an error. */
  readonly config?: StaticConfig;
  readonly diagnostics: readonly Diagnostic[];
  /** The static configuration file used, if any (for `turnpike check` and messages). */
  readonly files: { readonly static?: string };
}

const COMMANDS_WITH_CONFIG = new Set(['run', 'check', 'healthcheck']);

function error(code: string, message: string, source?: string): Diagnostic {
  return { code, severity: 'error', message, ...(source ? { source } : {}) };
}

function warning(code: string, message: string, source?: string): Diagnostic {
  return { code, severity: 'warning', message, ...(source ? { source } : {}) };
}

/**
 * Reads and flattens a configuration file; errors are TPK_CFG_FILE or TPK_CFG_PARSE. With `fast`,
 * a YAML file is read without positions when it can be (`fast: true` in the result then): for a
 * start with nothing to report, which never loads the `yaml` package.
 */
export function readConfigFile(path: string, fast = false): FileEntries & { fast?: boolean } {
  const ext = extname(path).toLowerCase();
  if (ext !== '.toml' && ext !== '.yml' && ext !== '.yaml') {
    return { entries: [], diagnostics: [error(STATIC_CODES.file, `unsupported configuration file extension "${ext}": use .yml, .yaml or .toml`, path)] };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { entries: [], diagnostics: [error(STATIC_CODES.file, `cannot read the configuration file: ${reason}`, path)] };
  }
  if (ext === '.toml') return tomlEntries(text, path);
  const quick = fast ? fastYamlEntries(text, path) : undefined;
  return quick !== undefined ? { ...quick, fast: true } : yamlEntries(text, path);
}

function result(diagnostics: Diagnostic[], file: string | undefined, config?: StaticConfig): LoadStaticResult {
  const ok = config !== undefined && !diagnostics.some((d) => d.severity === 'error');
  return { ...(ok ? { config } : {}), diagnostics, files: file === undefined ? {} : { static: file } };
}

/** See the module comment. Synchronous: it runs once at start-up, before anything listens. */
export function loadStaticConfig(input: LoadStaticInput): LoadStaticResult {
  const first = load(input, true);
  // Read without positions and something to report: read the file again, with positions.
  return first.fastRead && first.result.diagnostics.length > 0 ? load(input, false).result : first.result;
}

function load(input: LoadStaticInput, fast: boolean): { result: LoadStaticResult; fastRead: boolean } {
  let fastRead = false;
  const done = (r: LoadStaticResult): { result: LoadStaticResult; fastRead: boolean } => ({ result: r, fastRead });
  const argv = input.argv[0] !== undefined && COMMANDS_WITH_CONFIG.has(input.argv[0]) ? input.argv.slice(1) : input.argv;
  const tokens = tokenizeFlags(argv);
  const diagnostics: Diagnostic[] = [...tokens.diagnostics];
  for (const stray of tokens.positionals) {
    diagnostics.push(error(STATIC_CODES.flag, `unexpected argument "${stray}" (flags look like --entryPoints.web.address=:80)`, `argument ${stray}`));
  }
  if (diagnostics.length > 0) return done(result(diagnostics, undefined));

  const configFlag = tokens.flags.findLast((f) => isConfigFileFlag(f.name));
  const flags = flagEntries(tokens.flags);
  const env = envEntries(input.env);

  let file: string | undefined;
  if (configFlag) {
    if (configFlag.value === null || configFlag.value.trim() === '') {
      return done(result([error(STATIC_CODES.flag, '--configFile needs a file path', `flag ${configFlag.arg}`)], undefined));
    }
    file = resolve(input.cwd, configFlag.value);
    if (!isFile(file)) return done(result([error(STATIC_CODES.file, 'configuration file not found', file)], file));
  } else {
    file = findConfigFile(input.searchDirs ?? defaultSearchDirs(input.env, input.cwd, input.home));
  }

  let entries: FlatEntry[];
  let origin: StaticConfig['origin'];
  if (file !== undefined) {
    const read = readConfigFile(file, fast);
    fastRead = read.fast === true;
    diagnostics.push(...read.diagnostics);
    entries = read.entries;
    origin = { kind: 'file', file };
    if (flags.length > 0) {
      diagnostics.push(warning(STATIC_CODES.sourceIgnored, `${flags.length} flag(s) ignored: the configuration comes from the file ${file} (sources are not merged)`, 'flags'));
    }
    if (env.length > 0) {
      diagnostics.push(warning(STATIC_CODES.sourceIgnored, `${env.length} environment variable(s) ignored: the configuration comes from the file ${file}`, 'env'));
    }
    if (read.diagnostics.some((d) => d.severity === 'error')) return done(result(diagnostics, file));
  } else if (flags.length > 0) {
    entries = flags;
    origin = { kind: 'flags' };
    if (env.length > 0) {
      diagnostics.push(warning(STATIC_CODES.sourceIgnored, `${env.length} environment variable(s) ignored: the configuration comes from the command-line flags`, 'env'));
    }
  } else if (env.length > 0) {
    entries = env;
    origin = { kind: 'env' };
  } else {
    entries = [];
    origin = { kind: 'defaults' };
  }

  const decoded = decodeFlat(STATIC_SCHEMA, entries, {
    unknownKeys: STATIC_UNKNOWN_KEYS,
    repeatedLists: origin.kind === 'flags' ? 'append' : 'replace',
  });
  diagnostics.push(...decoded.diagnostics);
  const built = buildStaticConfig(decoded, origin, input.cwd);
  diagnostics.push(...built.diagnostics);
  return done(result(diagnostics, file, built.config));
}
