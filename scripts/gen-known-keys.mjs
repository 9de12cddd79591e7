#!/usr/bin/env node
// Generates src/config/static/known-keys.ts: the catalogue of every Traefik v3 static (install) option.
//
// Sources (in ../shared beside the repository, or a directory given with --shared DIR):
//   compat/traefik-v3/lists/static-options.txt  the option tables of Traefik's docs (the list of keys)
//   compat/traefik-v3/schema/traefik-v3.json    SchemaStore's schema: canonical camelCase spelling, and a few
//                                               keys the option tables miss
// Usage:
//   node scripts/gen-known-keys.mjs            write the file
//   node scripts/gen-known-keys.mjs --check    exit 1 when the file is not what the sources produce
//
// The loader uses the catalogue to tell "a Traefik option Turnpike does not support yet" from a typo, and to
// know which unsupported flags take no value (`--providers.docker`, `--api.insecure`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = join(repoRoot, 'src/config/static/known-keys.ts');

/** Keys of Turnpike's own that are planned but not available yet (reported like unsupported Traefik keys). */
const TURNPIKE_ONLY = [['workers', 'value']];

/** Spellings that neither the schema nor the option tables give in camelCase (seen in Traefik's docs). */
const EXTRA_SPELLINGS = [
  'dashboardName', 'responderOverrides', 'allowSnippetAnnotations', 'proxyBuffering', 'proxyRequestBuffering',
  'httpEntryPoint', 'httpsEntryPoint',
];

/**
 * Options documented relative to a parent section in one doc page: page suffix -> [first segment, prefix].
 * Entries of those pages that start with `first segment` get `prefix` prepended.
 */
const RELATIVE = [
  ['install-configuration/entrypoints.md', null, 'entryPoints._name_.'],
  ['certificate-resolvers/acme.md', 'acme', 'certificatesResolvers._name_.'],
  ['observability/metrics.md', 'datadog', 'metrics.'],
];

function findShared(argv) {
  const i = argv.indexOf('--shared');
  if (i >= 0 && argv[i + 1]) return resolve(argv[i + 1]);
  for (const dir of [resolve(repoRoot, '../shared'), '/work/shared']) {
    if (existsSync(join(dir, 'compat/traefik-v3/lists/static-options.txt'))) return dir;
  }
  return undefined;
}

/** Splits `a.b[0].c` into ['a', 'b', '[0]', 'c']. */
function splitKey(key) {
  const out = [];
  for (const part of key.split('.')) {
    const m = /^(.*?)((?:\[\d+\])+)$/.exec(part);
    if (m) {
      if (m[1]) out.push(m[1]);
      for (const idx of m[2].match(/\[\d+\]/g)) out.push('[0]');
    } else {
      out.push(part);
    }
  }
  return out;
}

function joinKey(segments) {
  let s = '';
  for (const seg of segments) s += seg.startsWith('[') ? seg : s ? `.${seg}` : seg;
  return s;
}

/** Walks the JSON schema: every property path, with `_name_` for free-form maps and `[0]` for list items. */
function schemaPaths(schema) {
  const defs = schema.$defs ?? {};
  const out = [];
  const walk = (node, path, depth) => {
    if (!node || typeof node !== 'object' || depth > 16) return;
    if (typeof node.$ref === 'string') node = defs[node.$ref.split('/').pop()] ?? {};
    for (const k of ['anyOf', 'oneOf', 'allOf']) for (const alt of node[k] ?? []) walk(alt, path, depth + 1);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const p = [...path, name];
      out.push(p);
      walk(child, p, depth + 1);
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      const p = [...path, '_name_'];
      out.push(p);
      walk(node.additionalProperties, p, depth + 1);
    }
    if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) {
      const hasProps = node.items.properties || node.items.$ref;
      if (hasProps) walk(node.items, [...path, '[0]'], depth + 1);
    }
  };
  walk(schema, [], 0);
  return out;
}

export function generate(sharedDir) {
  const listText = readFileSync(join(sharedDir, 'compat/traefik-v3/lists/static-options.txt'), 'utf8');
  const schema = JSON.parse(readFileSync(join(sharedDir, 'compat/traefik-v3/schema/traefik-v3.json'), 'utf8'));

  /** lower-case segment -> preferred spelling (schema first, then any doc spelling with capitals). */
  const spelling = new Map();
  const schemaKeys = schemaPaths(schema);
  for (const word of EXTRA_SPELLINGS) spelling.set(word.toLowerCase(), word);
  for (const path of schemaKeys) for (const seg of path) if (!spelling.has(seg.toLowerCase())) spelling.set(seg.toLowerCase(), seg);

  const rows = [];
  for (const line of listText.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [rawKey, def = '', , source = ''] = line.split('\t');
    if (rawKey === 'option') continue;
    rows.push({ key: rawKey.replace(/`/g, '').trim(), def: def.trim().replace(/^"(.*)"$/, '$1'), source });
  }
  for (const row of rows) {
    for (const seg of splitKey(row.key)) {
      const low = seg.toLowerCase();
      if (seg !== low && (!spelling.has(low) || spelling.get(low) === low)) spelling.set(low, seg);
      if (!spelling.has(low)) spelling.set(low, seg);
    }
  }

  const topLevel = new Set(schemaKeys.filter((p) => p.length === 1).map((p) => p[0].toLowerCase()));
  for (const row of rows) {
    if (row.source.endsWith('configuration-options.md')) topLevel.add(splitKey(row.key)[0].toLowerCase());
  }

  /** lower-case pattern -> {segments, def} */
  const keys = new Map();
  const add = (segments, def) => {
    const low = segments.map((s) => s.toLowerCase());
    const id = joinKey(low);
    const prev = keys.get(id);
    if (!prev) keys.set(id, { segments: low, def });
    else if (!prev.def && def) prev.def = def;
  };
  for (const row of rows) {
    let segments = splitKey(row.key);
    if (!topLevel.has(segments[0].toLowerCase())) {
      const rule = RELATIVE.find(([page, first]) => row.source.endsWith(page) && (first === null || segments[0] === first));
      if (!rule) continue; // access-log field names, plugin settings shown relative: values, not keys
      segments = [...splitKey(rule[2].slice(0, -1)), ...segments];
    }
    add(segments, row.def);
  }
  for (const path of schemaKeys) add(path, '');
  // Every parent of a key is a key too (a section).
  for (const { segments } of [...keys.values()]) {
    for (let n = 1; n < segments.length; n++) add(segments.slice(0, n), '');
  }

  const ids = [...keys.keys()];
  const hasChildren = new Set();
  for (const { segments } of keys.values()) {
    for (let n = 1; n < segments.length; n++) hasChildren.add(joinKey(segments.slice(0, n)));
  }
  const entries = [];
  for (const id of ids.sort()) {
    const { segments, def } = keys.get(id);
    const kind = hasChildren.has(id) ? 'section' : /^(true|false)$/i.test(def) ? 'flag' : 'value';
    const canonical = joinKey(segments.map((s) => (s === '_name_' || s === '[0]' ? s : (spelling.get(s) ?? s))));
    entries.push([canonical, kind]);
  }

  const lines = [
    '// Generated by scripts/gen-known-keys.mjs from ../shared/compat/traefik-v3/lists/static-options.txt (keys)',
    '// and ../shared/compat/traefik-v3/schema/traefik-v3.json (spelling). Do not edit: run the script.',
    '',
    '/**',
    ' * How a key is used: `section` has sub-keys (a bare `--flag` enables it), `flag` is a boolean (a bare',
    ' * `--flag` means true), `value` takes a value.',
    ' */',
    "export type KnownKeyKind = 'section' | 'flag' | 'value';",
    '',
    '/**',
    ' * Every Traefik v3 static (install) option, in Traefik\'s spelling. `_name_` stands for a user-chosen name',
    ' * (entry point, resolver, plugin, header...), `[0]` for a list index.',
    ' */',
    'export const TRAEFIK_STATIC_KEYS: ReadonlyArray<readonly [key: string, kind: KnownKeyKind]> = [',
    ...entries.map(([k, kind]) => `  ['${k}', '${kind}'],`),
    '];',
    '',
    '/** Turnpike options that are planned but not available yet: reported like unsupported Traefik options. */',
    'export const TURNPIKE_PLANNED_KEYS: ReadonlyArray<readonly [key: string, kind: KnownKeyKind]> = [',
    ...TURNPIKE_ONLY.map(([k, kind]) => `  ['${k}', '${kind}'],`),
    '];',
    '',
  ];
  return lines.join('\n');
}

function main() {
  const argv = process.argv.slice(2);
  const shared = findShared(argv);
  if (!shared) {
    process.stderr.write('gen-known-keys: cannot find the shared directory (../shared); pass --shared DIR\n');
    process.exit(2);
  }
  const text = generate(shared);
  if (argv.includes('--check')) {
    const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`gen-known-keys: ${OUTPUT} is out of date; run node scripts/gen-known-keys.mjs\n`);
      process.exit(1);
    }
    process.stdout.write('gen-known-keys: up to date\n');
    return;
  }
  writeFileSync(OUTPUT, text);
  process.stdout.write(`gen-known-keys: wrote ${OUTPUT}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
