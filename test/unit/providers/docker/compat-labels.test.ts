/**
 * Traefik's documentation examples written as labels (../shared/compat/traefik-v3/labels: compose files,
 * label lists, Consul/Nomad/ECS tags — one grammar) must decode with the label schema, and give the same
 * model as the YAML example of the same doc (the docs show one example in several tabs: the nearest
 * dynamic YAML block before the labels block). Routers and middlewares must be equal; services are
 * compared without their servers (labels describe the container's server, YAML lists URLs). The
 * examples we refuse or read differently are listed in REFUSED with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { LABEL_FLAT_SCHEMA, labelRefusal } from '../../../../src/config/dynamic/flat-schema.js';
import { validateDynamic } from '../../../../src/config/dynamic/validate.js';
import { decodeFlat, type FlatEntry } from '../../../../src/config/paths/index.js';

const COMPAT = ['/work/shared', join(process.cwd(), '../shared')].map((d) => join(d, 'compat/traefik-v3')).find((d) => existsSync(join(d, 'INDEX.tsv')));

/** Examples that do not give the YAML tab's model, and why. */
const SERVICE_MIDDLEWARES = 'services.<s>.middlewares (service-level middlewares, Traefik 3.7) is not in the dynamic schema nor supported by the validator yet';
const SERVERS_LIST = 'the docs write loadBalancer.servers[0].url in labels/tags; Traefik reads the container server from loadbalancer.server.* (servers is label:"-"), so we refuse it with that hint';
const TCP_HEALTH = 'TCP service healthCheck (Traefik 3.7) is not in the dynamic schema yet';
const REFUSED: Readonly<Record<string, string>> = {
  'expose-docker-advanced--24.yml': SERVICE_MIDDLEWARES,
  'expose-swarm-advanced--23.yml': SERVICE_MIDDLEWARES,
  'reference-routing-configuration-http-load-balancing-service--22.yml': SERVICE_MIDDLEWARES,
  'reference-routing-configuration-http-load-balancing-service--3.yml': SERVERS_LIST,
  'reference-routing-configuration-http-load-balancing-service--4.txt': SERVERS_LIST,
  'reference-routing-configuration-http-middlewares-encodedcharacters--1.yml': 'the encodedCharacters middleware (Traefik 3.7) is not in the dynamic schema nor supported yet',
  'reference-routing-configuration-http-middlewares-encodedcharacters--3.yml': 'the encodedCharacters middleware (Traefik 3.7) is not in the dynamic schema nor supported yet',
  'reference-routing-configuration-http-middlewares-passtlsclientcert--8.yml': 'the docs tabs differ: the labels set info.serialnumber=true, the YAML tab leaves it out (decoding is fine)',
  'reference-routing-configuration-http-middlewares-retry--3.yml': 'retry timeout/maxRequestBodyBytes/status/disableRetryOnNetworkError/retryNonIdempotentMethod (Traefik 3.7) are not in the dynamic schema yet',
  'reference-routing-configuration-tcp-service--3.yml': TCP_HEALTH,
  'reference-routing-configuration-tcp-service--4.txt': TCP_HEALTH,
};

interface Outcome {
  readonly file: string;
  /** undefined = decoded and matched (or nothing to compare). */
  readonly problem: string | undefined;
}

/** `key=value` strings and `key: value` mappings anywhere in a parsed document. */
function collectLabels(value: unknown, out: [string, string][]): void {
  if (typeof value === 'string') {
    const m = /^\s*(traefik\.[^=\s]+)=(.*)$/is.exec(value);
    if (m !== null) out.push([m[1] ?? '', m[2] ?? '']);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectLabels(v, out);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (/^traefik\./i.test(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) out.push([k, String(v)]);
      else collectLabels(v, out);
    }
  }
}

function labelsOf(text: string): [string, string][] {
  const out: [string, string][] = [];
  try {
    collectLabels(parse(text), out);
  } catch {
    // HCL (Nomad) and other non-YAML blocks: quoted `"traefik.x=y"` strings.
    for (const m of text.matchAll(/"(traefik\.[^"=\s]+)=([^"]*)"/gi)) out.push([m[1] ?? '', m[2] ?? '']);
  }
  // Compose files escape `$` as `$$`.
  return out.map(([k, v]) => [k, v.replace(/\$\$/g, '$')]);
}

/** The nearest dynamic YAML example before block `block` of the same doc. */
function pairOf(index: readonly string[][], doc: string, block: number): string | undefined {
  let best: [number, string] | undefined;
  for (const row of index) {
    const [file = '', kind, format, source, parses] = row;
    if (kind !== 'dynamic' || format !== 'yaml' || source !== doc || parses !== 'yes') continue;
    const n = Number(/--(\d+)\.yml$/.exec(file)?.[1] ?? NaN);
    if (Number.isFinite(n) && n < block && (best === undefined || n > best[0])) best = [n, file];
  }
  return best?.[1];
}

/** JSON view of a validated collection; services without servers. */
function view(config: ReturnType<typeof validateDynamic>['config'], names: 'routers' | 'middlewares' | 'services'): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(config.http[names])) as Record<string, Record<string, unknown>>;
  if (names === 'services') {
    for (const s of Object.values(out)) {
      const lb = s['loadBalancer'] as Record<string, unknown> | undefined;
      if (lb !== undefined) delete lb['servers'];
    }
  }
  return out;
}

function check(compat: string, index: readonly string[][], row: readonly string[]): Outcome {
  const [file = '', , , doc = ''] = row;
  const name = file.slice('labels/'.length);
  const labels = labelsOf(readFileSync(join(compat, file), 'utf8'));
  const entries: FlatEntry[] = [];
  for (const [key, value] of labels) {
    const segments = key.split('.').slice(1);
    const root = (segments[0] ?? '').toLowerCase();
    if (!['http', 'tcp', 'udp', 'tls'].includes(root)) continue;
    entries.push({ segments, value, origin: key });
  }
  if (entries.length === 0) return { file: name, problem: undefined };
  const decoded = decodeFlat(LABEL_FLAT_SCHEMA, entries, { unknownKeys: { unsupported: (p) => labelRefusal(p) } });
  if (decoded.diagnostics.length > 0) return { file: name, problem: `decode: ${decoded.diagnostics.map((d) => `${d.source ?? ''}: ${d.message}`).join('; ')}` };
  const tree = decoded.value;
  // The label-only server section has no YAML counterpart.
  const http = tree['http'] as Record<string, Record<string, Record<string, Record<string, unknown>>>> | undefined;
  for (const svc of Object.values(http?.['services'] ?? {})) delete svc['loadBalancer']?.['server'];
  const block = Number(/--(\d+)\.\w+$/.exec(file)?.[1] ?? NaN);
  const pair = pairOf(index, doc, block);
  if (pair === undefined) return { file: name, problem: undefined };
  const fromYaml = validateDynamic(parse(readFileSync(join(compat, pair), 'utf8')), { source: pair }).config;
  const fromLabels = validateDynamic({ http: tree['http'] }, { source: name }).config;
  for (const c of ['routers', 'middlewares', 'services'] as const) {
    const a = view(fromLabels, c);
    const b = view(fromYaml, c);
    for (const [k, v] of Object.entries(a)) {
      if (!(k in b)) continue; // the YAML tab may show fewer objects
      try {
        assert.deepEqual(v, b[k]);
      } catch {
        return { file: name, problem: `${c}.${k} differs from ${pair}: ${JSON.stringify(v)} vs ${JSON.stringify(b[k])}` };
      }
    }
  }
  return { file: name, problem: undefined };
}

void describe('docs label examples (compat/traefik-v3/labels)', { skip: COMPAT === undefined ? 'no ../shared compat corpus' : false }, () => {
  const compat = COMPAT ?? '';
  const index = readFileSync(join(compat, 'INDEX.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const rows = index.filter((r) => r[0]?.startsWith('labels/') === true && existsSync(join(compat, r[0] ?? '')));
  const outcomes = rows.map((r) => check(compat, index, r));

  void it('reads every labels example as Traefik does, except the refused ones', () => {
    const failing = outcomes.filter((o) => o.problem !== undefined && !(o.file in REFUSED));
    assert.deepEqual(failing, []);
  });

  void it('lists no refused example that now reads fine', () => {
    const fine = new Set(outcomes.filter((o) => o.problem === undefined).map((o) => o.file));
    assert.deepEqual(Object.keys(REFUSED).filter((f) => fine.has(f) || !readdirSync(join(compat, 'labels')).includes(f)), []);
  });

  void it('covers the corpus', () => assert.ok(rows.length >= 100, `${rows.length} files`));
});
