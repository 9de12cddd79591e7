/**
 * The file provider's reading half: which files `providers.file` points at, and their text.
 * A directory is read recursively (as Traefik), taking *.yml, *.yaml and *.toml files (extension
 * case-insensitive), in sorted order. Turnpike skips names starting with "." (editor lock files,
 * Kubernetes' `..data` ConfigMap folders that would otherwise duplicate every file) and does not
 * descend into symlinked directories (as Traefik).
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../config/diagnostics.js';
import { DYNAMIC_CODES } from '../../config/dynamic/codes.js';
import type { FileProviderConfig } from '../../config/static/types.js';
import { DIRECTORY_EXTENSIONS, extensionOf } from './parse.js';
import type { SourceFile } from './translate.js';

export interface ReadResult {
  readonly files: readonly SourceFile[];
  /** Problems with the provider's own settings or its directory (not with one file). */
  readonly diagnostics: readonly Diagnostic[];
  /** The directories to watch: every folder walked, or the parent folder of a single file. */
  readonly directories: readonly string[];
}

/** What the provider watches and reads: a directory, or one file. */
export type FileTarget = { readonly kind: 'directory'; readonly path: string } | { readonly kind: 'file'; readonly path: string };

export function targetOf(cfg: FileProviderConfig): { target: FileTarget | undefined; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (cfg.directory !== undefined && cfg.directory !== '') {
    if (cfg.filename !== undefined && cfg.filename !== '') {
      diagnostics.push({
        code: DYNAMIC_CODES.PROVIDER_CONFIG,
        severity: 'warning',
        message: `providers.file.filename and providers.file.directory are mutually exclusive; using directory ${cfg.directory}`,
        source: 'providers.file',
      });
    }
    return { target: { kind: 'directory', path: cfg.directory }, diagnostics };
  }
  if (cfg.filename !== undefined && cfg.filename !== '') return { target: { kind: 'file', path: cfg.filename }, diagnostics };
  diagnostics.push({
    code: DYNAMIC_CODES.PROVIDER_CONFIG,
    severity: 'error',
    message: 'the file provider needs providers.file.filename or providers.file.directory',
    source: 'providers.file',
  });
  return { target: undefined, diagnostics };
}

export async function readTarget(target: FileTarget): Promise<ReadResult> {
  if (target.kind === 'file') return { files: [await readOne(target.path)], diagnostics: [], directories: [dirname(target.path)] };
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const directories: string[] = [];
  await walk(target.path, files, diagnostics, directories, true);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, diagnostics, directories };
}

async function walk(dir: string, files: SourceFile[], diagnostics: Diagnostic[], directories: string[], root: boolean): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const missing = errorCode(err) === 'ENOENT';
    diagnostics.push({
      code: missing ? DYNAMIC_CODES.FILE_NOT_FOUND : DYNAMIC_CODES.FILE_READ,
      severity: missing && root ? 'warning' : 'error',
      message: missing ? 'directory not found; no dynamic configuration from it' : `cannot read directory: ${errorText(err)}`,
      source: dir,
    });
    return;
  }
  directories.push(dir);
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, files, diagnostics, directories, false);
    else if ((entry.isFile() || entry.isSymbolicLink()) && DIRECTORY_EXTENSIONS.includes(extensionOf(entry.name))) {
      files.push(await readOne(path));
    }
  }
}

async function readOne(path: string): Promise<SourceFile> {
  try {
    // Bytes: decoded by the translation only where they differ from the kept text (file-text.ts).
    return { path, bytes: await readFile(path) };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { path, error: { code: DYNAMIC_CODES.FILE_NOT_FOUND, message: 'file not found' } };
    return { path, error: { code: DYNAMIC_CODES.FILE_READ, message: `cannot read file: ${errorText(err)}` } };
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
