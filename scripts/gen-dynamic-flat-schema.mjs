#!/usr/bin/env node
// Generates src/config/dynamic/flat-schema.generated.ts: every key of Traefik v3's dynamic configuration
// (http/tcp/udp/tls), for the flat-key decoder that reads Docker labels (and later KV keys).
//
// Sources (in ../shared beside the repository, or a directory given with --shared DIR):
//   compat/traefik-v3/schema/traefik-v3-file-provider.json   SchemaStore's schema: the tree, spelling, types
//   compat/traefik-v3/dynamic/reference-dynamic-configuration-file--file.yml
//                                                            Traefik's own generated reference file: the
//                                                            keys the SchemaStore schema lags behind on
//                                                            (serversTransports, tls options, observability,
//                                                            newer options), and durations ("42s")
// Usage:
//   node scripts/gen-dynamic-flat-schema.mjs          write the file
//   node scripts/gen-dynamic-flat-schema.mjs --check  exit 1 when the file is not what the sources produce
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = join(repoRoot, 'src/config/dynamic/flat-schema.generated.ts');
const SCHEMA = 'compat/traefik-v3/schema/traefik-v3-file-provider.json';
const REFERENCE = 'compat/traefik-v3/dynamic/reference-dynamic-configuration-file--file.yml';

/** User-chosen names in Traefik's generated reference file (Router0, Middleware12, name0, PluginConf1...). */
const SAMPLE_NAME = /^(?:Router|Service|Middleware|ServersTransport|TCPRouter|TCPService|TCPMiddleware|TCPServersTransport|UDPRouter|UDPService|Options|Store|PluginConf|name)\d+$/;

function findShared(argv) {
  const i = argv.indexOf('--shared');
  if (i >= 0 && argv[i + 1]) return resolve(argv[i + 1]);
  for (const dir of [resolve(repoRoot, '../shared'), '/work/shared']) {
    if (existsSync(join(dir, SCHEMA))) return dir;
  }
  return undefined;
}

/** A trie node: kind 'section' (fields), 'map' (of), 'list' (of), or a scalar type. */
function section() {
  return { kind: 'section', fields: new Map() };
}

function scalarType(node) {
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  return 'string';
}

/** Converts one JSON-schema node into a trie node. */
function fromJson(defs, node, seen = new Set()) {
  if (node.$ref) {
    const name = node.$ref.split('/').pop();
    if (seen.has(name)) return section();
    return fromJson(defs, defs[name], new Set([...seen, name]));
  }
  const alternatives = node.oneOf ?? node.anyOf;
  if (alternatives && alternatives.some((a) => a.properties || a.$ref)) {
    // A service or middleware: one kind per alternative, all offered as fields.
    const out = section();
    for (const alt of alternatives) mergeInto(out, fromJson(defs, alt, seen));
    if (node.properties) mergeInto(out, fromJson(defs, { ...node, oneOf: undefined, anyOf: undefined }, seen));
    return out;
  }
  if (alternatives) return { kind: 'string' }; // string-or-number values (rateLimit average/period): text
  if (node.type === 'array') {
    const items = node.items ?? {};
    const item = fromJson(defs, items, seen);
    return { kind: 'list', of: item };
  }
  if (node.properties) {
    const out = section();
    for (const [k, v] of Object.entries(node.properties)) out.fields.set(k, fromJson(defs, v, seen));
    return out;
  }
  const named = typeof node.additionalProperties === 'object' ? node.additionalProperties : Object.values(node.patternProperties ?? {})[0];
  if (named) return { kind: 'map', of: fromJson(defs, named, seen) };
  if (node.type === 'object' || node.type === undefined) return section();
  return { kind: scalarType(node) };
}

function mergeInto(target, source) {
  for (const [k, v] of source.fields) {
    const existing = target.fields.get(k);
    if (existing && existing.kind === 'section' && v.kind === 'section') mergeInto(existing, v);
    else if (!existing) target.fields.set(k, v);
  }
}

function sampleType(value) {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' && /^\d+(?:ms|s|m|h)$/.test(value)) return 'duration';
  return 'string';
}

/** Trie node for a value of the reference file with no schema counterpart. */
function fromSample(value) {
  if (Array.isArray(value)) {
    const first = value[0];
    return { kind: 'list', of: first !== null && typeof first === 'object' ? fromSample(first) : { kind: sampleType(first) } };
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => SAMPLE_NAME.test(k))) {
      // Sample entries may show different kinds (TCPMiddleware01 ipAllowList, 03 inFlightConn): merge them all.
      let of = fromSample(value[keys[0]]);
      for (const k of keys.slice(1)) of = complete(of, value[k]);
      return { kind: 'map', of };
    }
    const out = section();
    for (const [k, v] of Object.entries(value)) out.fields.set(k, fromSample(v));
    return out;
  }
  return { kind: sampleType(value) };
}

function findField(node, key) {
  for (const [k, v] of node.fields) if (k.toLowerCase() === key.toLowerCase()) return [k, v];
  return undefined;
}

/** Completes `node` (from the schema) with what the reference sample `value` shows. Returns the node. */
function complete(node, value) {
  if (Array.isArray(value)) {
    if (node.kind !== 'list') return node;
    const first = value[0];
    if (first !== null && typeof first === 'object') node.of = complete(node.of, first);
    return node;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (node.kind === 'section' && node.fields.size === 0 && keys.length > 0 && keys.every((k) => SAMPLE_NAME.test(k))) {
      return fromSample(value);
    }
    if (node.kind === 'map') {
      for (const k of keys) node.of = complete(node.of, value[k]);
      return node;
    }
    if (node.kind !== 'section') return node;
    for (const [k, v] of Object.entries(value)) {
      const found = findField(node, k);
      if (found) node.fields.set(found[0], complete(found[1], v));
      else node.fields.set(k, fromSample(v));
    }
    return node;
  }
  // A scalar: the reference tells durations apart from plain strings.
  if (node.kind === 'string' && sampleType(value) === 'duration') return { kind: 'duration' };
  return node;
}

/** Flattens the trie into sorted [pattern, kind] rows. */
function rows(node, prefix, out) {
  switch (node.kind) {
    case 'section':
      out.push([prefix, 'section']);
      for (const [k, v] of node.fields) rows(v, prefix === '' ? k : `${prefix}.${k}`, out);
      return;
    case 'map':
      out.push([prefix, 'map']);
      rows(node.of, `${prefix}._name_`, out);
      return;
    case 'list':
      if (node.of.kind === 'section' || node.of.kind === 'map' || node.of.kind === 'list') {
        out.push([prefix, 'list']);
        rows(node.of, `${prefix}[0]`, out);
      } else out.push([prefix, `${node.of.kind}[]`]);
      return;
    default:
      out.push([prefix, node.kind]);
  }
}

export function generate(shared) {
  const json = JSON.parse(readFileSync(join(shared, SCHEMA), 'utf8'));
  const root = fromJson(json.definitions ?? {}, { properties: json.properties });
  const reference = parse(readFileSync(join(shared, REFERENCE), 'utf8'));
  complete(root, reference);
  const out = [];
  rows(root, '', out);
  const entries = out.filter(([p]) => p !== '').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = [
    '// Generated by scripts/gen-dynamic-flat-schema.mjs from ../shared/compat/traefik-v3/schema/traefik-v3-file-provider.json',
    '// and ../shared/compat/traefik-v3/dynamic/reference-dynamic-configuration-file--file.yml. Do not edit: run the script.',
    '',
    '/**',
    ' * What a key holds: `section` (fixed sub-keys), `map` (user-named entries, `_name_` below it), `list` (of',
    ' * sections, `[0]` below it), a value type, or a list of values (`string[]`, comma separated in flat sources).',
    ' */',
    "export type FlatKeyKind = 'section' | 'map' | 'list' | 'string' | 'boolean' | 'integer' | 'number' | 'duration' | 'string[]' | 'integer[]' | 'number[]' | 'boolean[]' | 'duration[]';",
    '',
    '/**',
    " * Every key of Traefik v3's dynamic configuration in Traefik's spelling, parents before children. `_name_`",
    ' * stands for a user-chosen name (router, service, header...), `[0]` for a list index.',
    ' */',
    'export const DYNAMIC_FLAT_KEYS: ReadonlyArray<readonly [key: string, kind: FlatKeyKind]> = [',
    ...entries.map(([k, kind]) => `  ['${k}', '${kind}'],`),
    '];',
    '',
  ];
  return lines.join('\n');
}

function main() {
  const argv = process.argv.slice(2);
  const shared = findShared(argv);
  if (!shared) {
    process.stderr.write('gen-dynamic-flat-schema: cannot find the shared directory (../shared); pass --shared DIR\n');
    process.exit(2);
  }
  const text = generate(shared);
  if (argv.includes('--check')) {
    const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`gen-dynamic-flat-schema: ${OUTPUT} is out of date; run node scripts/gen-dynamic-flat-schema.mjs\n`);
      process.exit(1);
    }
    process.stdout.write('gen-dynamic-flat-schema: up to date\n');
    return;
  }
  writeFileSync(OUTPUT, text);
  process.stdout.write(`gen-dynamic-flat-schema: wrote ${OUTPUT}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
