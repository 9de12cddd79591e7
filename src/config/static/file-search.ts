/**
 * Where the static configuration file is looked for when `--configFile` is not given, as Traefik does:
 * `/etc/traefik/`, `$XDG_CONFIG_HOME/`, `$HOME/.config/`, then the working directory; in each, the base
 * names `traefik` then `turnpike`, each with `.toml`, `.yaml`, `.yml` (Traefik's extension order).
 * The first regular file found wins.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

export const CONFIG_BASENAMES = ['traefik', 'turnpike'] as const;
export const CONFIG_EXTENSIONS = ['toml', 'yaml', 'yml'] as const;

/** The directories searched, in order; unset variables are skipped. */
export function defaultSearchDirs(env: NodeJS.ProcessEnv, cwd: string, home?: string): string[] {
  const dirs = ['/etc/traefik'];
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg) dirs.push(xdg);
  const homeDir = home ?? env['HOME'];
  if (homeDir) dirs.push(join(homeDir, '.config'));
  dirs.push(cwd);
  return dirs;
}

/** Every candidate path, in search order. */
export function candidateFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const base of CONFIG_BASENAMES) {
      for (const ext of CONFIG_EXTENSIONS) out.push(join(dir, `${base}.${ext}`));
    }
  }
  return out;
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first configuration file found in `dirs`, or undefined. */
export function findConfigFile(dirs: readonly string[]): string | undefined {
  return candidateFiles(dirs).find(isFile);
}
