/** Helpers for static-config tests: temporary directories with files, and the shared compat directory. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TempDir {
  readonly path: string;
  /** Writes `text` at `name` (sub-directories created) and returns the absolute path. */
  write(name: string, text: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'turnpike-static-'));
  return {
    path,
    write(name, text) {
      const file = join(path, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** The repository root: the nearest directory above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

/** `../shared` beside the repository (where CI has it), or undefined when absent. */
export function sharedDir(): string | undefined {
  const dir = join(repoRoot(), '..', 'shared');
  return existsSync(join(dir, 'compat/traefik-v3')) ? dir : undefined;
}
