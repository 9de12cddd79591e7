/**
 * The dashboard's built files (scripts/build-dashboard.mjs writes them to `<outDir>/dashboard/`),
 * read once into memory: a few small files, each with its Content-Type, a strong ETag and gzip /
 * brotli variants when they are smaller. Only the regular files at the top level of that folder
 * with a known extension are served: the set is a whitelist, so no request path can reach
 * anything else (no directory traversal whatever the path holds).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Content types by extension; files with another extension are not served. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name the dashboard may serve: one path segment, no leading dot. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Built names carry a content hash (`app-3FZ2K7QX.js`): such files never change and are cached for a year. */
const HASHED_NAME = /-[A-Za-z0-9]{8,}\.[a-z]+$/;
/** Below this size compression is not worth a Vary header. */
const MIN_COMPRESS = 512;

export interface Asset {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzip: Buffer | undefined;
  readonly brotli: Buffer | undefined;
  /** Strong validator: a hash of the content. */
  readonly etag: string;
  /** True for content-hashed names (immutable). */
  readonly immutable: boolean;
}

export type AssetSet = ReadonlyMap<string, Asset>;

/** The default folder: `<outDir>/dashboard/` next to this module's `<outDir>/src/`. */
export function defaultAssetDir(): string {
  return fileURLToPath(new URL('../../../dashboard/', import.meta.url));
}

/** Whether `name` (one decoded path segment) may name a dashboard file. */
export function isSafeAssetName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..') && CONTENT_TYPES[extname(name)] !== undefined;
}

async function loadOne(dir: string, name: string): Promise<Asset> {
  const body = await readFile(join(dir, name));
  const contentType = CONTENT_TYPES[extname(name)] as string;
  const compressible = body.length >= MIN_COMPRESS && !/^image\/png|x-icon/.test(contentType);
  const [gz, br] = compressible
    ? await Promise.all([
        gzipAsync(body, { level: 9 }),
        brotliAsync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      ])
    : [undefined, undefined];
  return {
    name,
    contentType,
    body,
    gzip: gz !== undefined && gz.length < body.length ? gz : undefined,
    brotli: br !== undefined && br.length < body.length ? br : undefined,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    immutable: HASHED_NAME.test(name),
  };
}

/**
 * Reads the dashboard's files from `dir`. Resolves undefined when the folder or its index.html is
 * missing (the dashboard was not built: `npm run build` builds it).
 */
export async function loadAssets(dir: string): Promise<AssetSet | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const names = entries.filter((e) => e.isFile() && isSafeAssetName(e.name)).map((e) => e.name);
  if (!names.includes('index.html')) return undefined;
  const assets = await Promise.all(names.map((n) => loadOne(dir, n)));
  return new Map(assets.map((a) => [a.name, a]));
}
