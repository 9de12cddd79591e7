/**
 * The command line: `turnpike [run] [flags]`, `turnpike check [--configFile F] [flags]`, `turnpike version`,
 * `turnpike healthcheck [flags]`, and `--help`/`-h` (or `turnpike help`) anywhere. The subcommand, when given,
 * comes first; the flags themselves are static configuration (see config/static/flags.ts).
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { closest } from '../config/paths/suggest.js';
import { isConfigFileFlag, tokenizeFlags, type FlagToken } from '../config/static/flags.js';

export type Command = 'run' | 'check' | 'version' | 'healthcheck' | 'explain' | 'help';

export const COMMANDS: readonly Command[] = ['run', 'check', 'version', 'healthcheck', 'explain', 'help'];

export interface ParsedArgs {
  readonly command: Command;
  /** The arguments for loadStaticConfig: everything but the subcommand (and the help flags). */
  readonly rest: readonly string[];
  /** The flags in `rest`, parsed (names as written, values as given; null for bare flags). */
  readonly flags: readonly FlagToken[];
  /** The `--configFile` value, when given. */
  readonly configFile: string | undefined;
  /**
   * Problems of the command line itself (an unknown subcommand). The command is then `run` and `rest` keeps
   * the stray word, so loading the configuration fails too; print these first.
   */
  readonly diagnostics: readonly Diagnostic[];
}

function isHelpFlag(arg: string): boolean {
  return arg === '-h' || arg === '--help' || arg === '-help';
}

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

/** Parses `process.argv.slice(2)`. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const diagnostics: Diagnostic[] = [];
  const first = argv[0];
  let command: Command = 'run';
  let rest = argv;
  if (first !== undefined && !first.startsWith('-')) {
    if (isCommand(first)) {
      command = first;
      rest = argv.slice(1);
    } else {
      const guess = closest(first, COMMANDS);
      diagnostics.push({
        code: 'TPK_CLI_UNKNOWN_COMMAND',
        severity: 'error',
        message: `unknown command "${first}"${guess ? ` (did you mean "${guess}"?)` : ''}; commands: ${COMMANDS.join(', ')}`,
        source: `argument ${first}`,
      });
    }
  }
  const terminator = rest.indexOf('--');
  const flagPart = terminator < 0 ? rest : rest.slice(0, terminator);
  if (flagPart.some(isHelpFlag)) {
    command = 'help';
    rest = rest.filter((arg, i) => !(isHelpFlag(arg) && (terminator < 0 || i < terminator)));
  }
  const { flags } = tokenizeFlags(rest);
  const configFile = flags.findLast((f) => isConfigFileFlag(f.name))?.value ?? undefined;
  return { command, rest, flags, configFile, diagnostics };
}
