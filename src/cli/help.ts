/** The `--help` text: the commands, the configuration sources and every supported flag, from the schema. */
import { formatKeyPath, type SchemaNode } from '../config/paths/index.js';
import { STATIC_SCHEMA } from '../config/static/schema.js';

export interface FlagDoc {
  /** `--entryPoints.<name>.address` */
  readonly flag: string;
  readonly doc: string;
  readonly default?: string;
}

/** Every documented flag of the static schema, in schema order. */
export function staticFlagDocs(): FlagDoc[] {
  const out: FlagDoc[] = [];
  const visit = (node: SchemaNode, path: string[]): void => {
    if (path.length > 0 && node.doc !== undefined) {
      const doc = node.kind === 'scalar' && node.oneOf ? `${node.doc}: ${node.oneOf.join(', ')}` : node.doc;
      out.push({ flag: `--${formatKeyPath(path)}`, doc, ...(node.default !== undefined ? { default: node.default } : {}) });
    }
    switch (node.kind) {
      case 'section':
        for (const [name, child] of Object.entries(node.fields)) visit(child, [...path, name]);
        return;
      case 'map':
        visit(node.of, [...path, `<${node.keyLabel ?? 'name'}>`]);
        return;
      case 'list':
        // Traefik's flag form for a list element: `domains[0].main` (no dot before the index).
        if (node.of.kind === 'section') visit(node.of, [...path.slice(0, -1), `${path[path.length - 1] ?? ''}[n]`]);
        return;
      case 'scalar':
        return;
    }
  };
  visit(STATIC_SCHEMA, []);
  return out;
}

const COMMAND_LINES: ReadonlyArray<readonly [string, string]> = [
  ['turnpike [run] [flags]', 'start the proxy (the default command)'],
  ['turnpike check [flags]', 'load and check the configuration (static and dynamic files), then exit'],
  ['turnpike healthcheck [flags]', 'exit 0 when the running instance answers its health check'],
  ['turnpike explain <url> [--header k:v] [--method M] [--api URL]', 'ask a running instance (its API) which router a request reaches, and why'],
  ['turnpike version', 'print the version'],
  ['turnpike --help', 'print this help'],
];

function columns(rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string {
  const width = Math.min(44, Math.max(...rows.map(([left]) => left.length)));
  return rows
    .map(([left, right]) => (left.length > width ? `${indent}${left}\n${indent}      ${right}` : `${indent}${left.padEnd(width + 2)}${right}`))
    .join('\n');
}

/** The full help text, ending with a newline. */
export function helpText(): string {
  const flags: [string, string][] = [['--configFile=PATH', 'Static configuration file (YAML or TOML)']];
  for (const f of staticFlagDocs()) flags.push([f.flag, f.default !== undefined ? `${f.doc} (default: ${f.default})` : f.doc]);
  return [
    'Turnpike: a reverse proxy and load balancer that speaks Traefik v3\'s configuration language.',
    '',
    'Usage:',
    columns(COMMAND_LINES),
    '',
    'The static configuration comes from exactly one source, the first found (they are not merged):',
    '  1. a file: --configFile=PATH, else traefik.toml|yaml|yml or turnpike.toml|yaml|yml in /etc/traefik,',
    '     $XDG_CONFIG_HOME, $HOME/.config or the working directory;',
    '  2. the flags below (dotted paths, any case: --entryPoints.web.address=:80 or --entrypoints.web.address :80;',
    '     list values comma separated; a section flag alone, e.g. --providers.file, enables it);',
    '  3. environment variables: TRAEFIK_ or TURNPIKE_ and the flag path in upper case with _ for dots,',
    '     e.g. TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80.',
    'Durations are Go durations (10s, 1m30s, 250ms) or numbers of seconds. Without any entry point,',
    'Turnpike listens on :80 (entry point "http").',
    '',
    'Flags:',
    columns(flags),
    '',
  ].join('\n');
}
