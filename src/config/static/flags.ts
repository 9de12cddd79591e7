/**
 * Command-line flags as Traefik reads them: `--entryPoints.web.address=:80`, `--entrypoints.web.address :80`
 * (two-argument form), `--providers.file` (a bare section or boolean: no value taken), one or two dashes,
 * case-insensitive dotted paths, `--` ends the flags.
 */
import type { Diagnostic } from '../diagnostics.js';
import { lookupPath, takesNoValue, type FlatEntry } from '../paths/index.js';
import { STATIC_CODES } from './codes.js';
import { STATIC_SCHEMA } from './schema.js';
import { matchKnownKey } from './traefik-keys.js';

export interface FlagToken {
  /** The name as written, without dashes: `entryPoints.web.address`. */
  readonly name: string;
  /** The value; null when given bare (`--providers.file`). */
  readonly value: string | null;
  /** The argument(s) as written, for messages. */
  readonly arg: string;
}

export interface TokenizedFlags {
  readonly flags: readonly FlagToken[];
  /** Arguments that are not flags (subcommands, strays), in order. */
  readonly positionals: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** `--configFile` (any case) names the configuration file; it is not a configuration key. */
export function isConfigFileFlag(name: string): boolean {
  return name.toLowerCase() === 'configfile';
}

/**
 * Whether a flag given without `=` takes the next argument as its value: not for sections and booleans
 * (Turnpike's or Traefik's, per the option catalogue); yes for everything else, unknown keys included.
 */
export function flagTakesValue(name: string): boolean {
  if (isConfigFileFlag(name)) return true;
  const segments = name.split('.');
  const found = lookupPath(STATIC_SCHEMA, segments);
  if (found.found) return !takesNoValue(found.node);
  const known = matchKnownKey(segments);
  return known ? known.kind === 'value' : true;
}

function flagError(arg: string, message: string): Diagnostic {
  return { code: STATIC_CODES.flag, severity: 'error', message, source: `flag ${arg}` };
}

/** Splits arguments into flags and positionals. */
export function tokenizeFlags(args: readonly string[]): TokenizedFlags {
  const flags: FlagToken[] = [];
  const positionals: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || !arg.startsWith('-')) {
      const previous = flags.at(-1);
      if (previous?.value === null && previous.arg === args[i - 1] && /^(true|false)$/i.test(arg)) {
        diagnostics.push(flagError(`${previous.arg} ${arg}`, `a boolean or section flag takes its value after "=": write ${previous.arg}=${arg}`));
        continue;
      }
      positionals.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body === '' || body.startsWith('-') || body.startsWith('=')) {
      diagnostics.push(flagError(arg, `bad flag syntax "${arg}"`));
      continue;
    }
    const eq = body.indexOf('=');
    if (eq > 0) {
      flags.push({ name: body.slice(0, eq), value: body.slice(eq + 1), arg });
      continue;
    }
    if (!flagTakesValue(body)) {
      flags.push({ name: body, value: null, arg });
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || (next.startsWith('-') && next.length > 1)) {
      diagnostics.push(flagError(arg, `flag needs a value: write ${arg}=<value> or ${arg} <value>`));
      continue;
    }
    flags.push({ name: body, value: next, arg: `${arg} ${next}` });
    i++;
  }
  return { flags, positionals, diagnostics };
}

/** Configuration entries for the decoder (every flag but `--configFile`). */
export function flagEntries(flags: readonly FlagToken[]): FlatEntry[] {
  return flags
    .filter((f) => !isConfigFileFlag(f.name))
    .map((f) => ({ segments: f.name.split('.'), value: f.value, origin: `flag --${f.name}` }));
}
