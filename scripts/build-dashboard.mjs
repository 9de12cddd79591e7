#!/usr/bin/env node
/**
 * Builds the web dashboard (dashboard/src, TypeScript + preact) into static files that the API's
 * `dashboard@internal` serves (src/api/dashboard/serve.ts): one minified ES module and one style
 * sheet with content-hashed names, index.html pointing at them, and the favicon. Nothing is
 * loaded from elsewhere at run time (no CDN, no web fonts): the dashboard works offline.
 *
 *   node scripts/build-dashboard.mjs [--outdir dist/dashboard] [--quiet]
 *
 * Only the top-level files of the output folder are the dashboard's (tsc may put compiled test
 * helpers under <outdir>/src/): the previous build's files are replaced, nothing else is touched.
 */
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'dashboard');
/** The names a build writes (a previous build's are replaced; nothing else in the folder is touched). */
const OWN_FILES = /^(index\.html|favicon\.svg|app-[A-Za-z0-9]+\.(js|css))$/;

function parseArgs(argv) {
  const opts = { outdir: join(ROOT, 'dist', 'dashboard'), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quiet') opts.quiet = true;
    else if (a === '--outdir') opts.outdir = resolve(argv[++i] ?? '');
    else if (a.startsWith('--outdir=')) opts.outdir = resolve(a.slice('--outdir='.length));
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/build-dashboard.mjs [--outdir DIR] [--quiet]\n');
      process.exit(0);
    } else {
      process.stderr.write(`build-dashboard: unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return opts;
}

/** Builds into `outdir`; returns the files written with their sizes. */
export async function buildDashboard({ outdir }) {
  const result = await build({
    entryPoints: { app: join(SRC, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: ROOT,
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = new Map();
  for (const f of result.outputFiles) files.set(basename(f.path), Buffer.from(f.contents));
  const js = [...files.keys()].find((n) => n.endsWith('.js'));
  const css = [...files.keys()].find((n) => n.endsWith('.css'));
  if (js === undefined || css === undefined) throw new Error('esbuild produced no script or no style sheet');
  files.set('favicon.svg', readFileSync(join(SRC, 'favicon.svg')));
  const html = readFileSync(join(SRC, 'index.html'), 'utf8').replace('{{js}}', `./${js}`).replace('{{css}}', `./${css}`).replace('{{favicon}}', './favicon.svg');
  if (html.includes('{{')) throw new Error('index.html keeps a placeholder');
  files.set('index.html', Buffer.from(html));

  mkdirSync(outdir, { recursive: true });
  for (const name of readdirSync(outdir)) {
    const p = join(outdir, name);
    if (OWN_FILES.test(name) && statSync(p).isFile()) rmSync(p);
  }
  const written = [];
  for (const [name, body] of files) {
    writeFileSync(join(outdir, name), body);
    written.push({ name, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length });
  }
  return written.sort((a, b) => a.name.localeCompare(b.name));
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const opts = parseArgs(process.argv.slice(2));
  try {
    const written = await buildDashboard(opts);
    if (!opts.quiet) {
      const total = written.reduce((s, f) => s + f.bytes, 0);
      const totalGz = written.reduce((s, f) => s + f.gzip, 0);
      for (const f of written) process.stdout.write(`  ${f.name.padEnd(28)} ${String(f.bytes).padStart(7)} B  (gzip ${f.gzip} B)\n`);
      process.stdout.write(`dashboard built in ${relative(ROOT, opts.outdir) || '.'}: ${total} B, gzip ${totalGz} B\n`);
    }
  } catch (err) {
    process.stderr.write(`build-dashboard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
