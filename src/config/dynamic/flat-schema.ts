/**
 * Traefik's dynamic configuration (http/tcp/udp/tls) in the schema language of the flat-key decoder
 * (src/config/paths), for the providers that write it as flat keys: Docker labels
 * (`traefik.http.routers.r.rule`) and, later, KV stores (`traefik/http/routers/r/rule`).
 *
 * The key catalogue is generated (flat-schema.generated.ts, by scripts/gen-dynamic-flat-schema.mjs);
 * this module turns it into schema trees. Decoding gives keys in Traefik's spelling
 * (`customrequestheaders` -> `customRequestHeaders`), user-chosen names as written, comma lists and
 * `[0]` indexes as lists. Values: booleans and numbers are parsed (a bad one is a decode error, as in
 * Traefik's label parser), durations stay text so that `validateDynamic` reads them exactly as it reads
 * a file (`10` = ten seconds, `1m30s`). The decoded tree is then handed to `validateDynamic`, the one
 * validator of every provider.
 */
import { bool, compileSchema, int, listOf, mapOf, num, section, str, type ScalarSchema, type SchemaNode, type SectionSchema } from '../paths/index.js';
import { DYNAMIC_FLAT_KEYS, type FlatKeyKind } from './flat-schema.generated.js';

export { DYNAMIC_FLAT_KEYS, type FlatKeyKind } from './flat-schema.generated.js';

/** Mutable node used while building from the catalogue. */
interface Draft {
  kind: FlatKeyKind;
  readonly children: Map<string, Draft>;
}

function scalar(kind: FlatKeyKind): ScalarSchema {
  switch (kind) {
    case 'boolean':
    case 'boolean[]':
      return bool();
    case 'integer':
    case 'integer[]':
      return int();
    case 'number':
    case 'number[]':
      return num();
    case 'duration':
    case 'duration[]':
      return str({ doc: 'a duration: Go syntax (10s, 1m30s) or a whole number of seconds' });
    case 'string':
    case 'string[]':
    case 'section':
    case 'map':
    case 'list':
      return str();
  }
}

/** Splits a catalogue key into segments: `a.b[0].c` -> a, b, [0], c. */
function segmentsOf(key: string): string[] {
  const out: string[] = [];
  for (const part of key.split('.')) {
    const m = /^(.*?)((?:\[0\])+)$/.exec(part);
    if (m === null) out.push(part);
    else {
      if (m[1] !== undefined && m[1] !== '') out.push(m[1]);
      for (let i = 0; i < (m[2] ?? '').length / 3; i++) out.push('[0]');
    }
  }
  return out;
}

function draftTree(keys: ReadonlyArray<readonly [string, FlatKeyKind]>): Draft {
  const root: Draft = { kind: 'section', children: new Map() };
  for (const [key, kind] of keys) {
    let node = root;
    for (const segment of segmentsOf(key)) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { kind: 'section', children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.kind = kind;
  }
  return root;
}

function toSchema(draft: Draft): SchemaNode {
  switch (draft.kind) {
    case 'section': {
      const fields: Record<string, SchemaNode> = {};
      for (const [name, child] of draft.children) fields[name] = toSchema(child);
      return section(fields);
    }
    case 'map': {
      const of = draft.children.get('_name_');
      return mapOf(of === undefined ? str() : toSchema(of), { keyLabel: 'name' });
    }
    case 'list': {
      const of = draft.children.get('[0]');
      const item = of === undefined ? section({}) : toSchema(of);
      return listOf(item.kind === 'scalar' || item.kind === 'section' ? item : section({}));
    }
    case 'string[]':
    case 'boolean[]':
    case 'integer[]':
    case 'number[]':
    case 'duration[]':
      return listOf(scalar(draft.kind));
    case 'string':
    case 'boolean':
    case 'integer':
    case 'number':
    case 'duration':
      return scalar(draft.kind);
  }
}

/** The whole dynamic configuration tree (what a file or a KV store can hold). */
export const DYNAMIC_FLAT_SCHEMA: SectionSchema = compileSchema(toSchema(draftTree(DYNAMIC_FLAT_KEYS)) as SectionSchema);

/**
 * Keys of the file tree that labels cannot set (Traefik marks them `label:"-"`), by pattern
 * (lower-case, `_name_` for names): the reason shown when a label tries.
 */
export const LABEL_REFUSED: ReadonlyMap<string, string> = new Map([
  ['http.services._name_.weighted', 'weighted services cannot be declared with labels (Traefik reads them from files or KV stores only)'],
  ['http.services._name_.mirroring', 'mirroring services cannot be declared with labels (Traefik reads them from files or KV stores only)'],
  ['http.services._name_.failover', 'failover services cannot be declared with labels (Traefik reads them from files or KV stores only)'],
  ['http.services._name_.highestrandomweight', 'highestRandomWeight services cannot be declared with labels (Traefik reads them from files or KV stores only)'],
  ['http.services._name_.loadbalancer.servers', 'labels set the one server of the container with loadbalancer.server.* (port, scheme, url, weight, preservepath), not servers'],
  ['http.serverstransports', 'serversTransports cannot be declared with labels (use the file provider and refer to it as name@file)'],
  ['tcp.services._name_.weighted', 'weighted TCP services cannot be declared with labels'],
  ['tcp.services._name_.loadbalancer.servers', 'labels set the one server of the container with loadbalancer.server.* (port, tls), not servers'],
  ['tcp.serverstransports', 'TCP serversTransports cannot be declared with labels (use the file provider)'],
  ['udp.services._name_.weighted', 'weighted UDP services cannot be declared with labels'],
  ['udp.services._name_.loadbalancer.servers', 'labels set the one server of the container with loadbalancer.server.port, not servers'],
  ['tls.options', 'TLS options cannot be declared with labels (use the file provider)'],
  ['tls.certificates', 'TLS certificates cannot be declared with labels (use the file provider)'],
]);

/** The label-only `loadbalancer.server` section of each protocol: what a label says of the container's server. */
const LABEL_SERVERS: ReadonlyArray<readonly [string, FlatKeyKind]> = [
  ['http.services._name_.loadBalancer.server', 'section'],
  ['http.services._name_.loadBalancer.server.port', 'string'],
  ['http.services._name_.loadBalancer.server.scheme', 'string'],
  ['http.services._name_.loadBalancer.server.url', 'string'],
  ['http.services._name_.loadBalancer.server.weight', 'integer'],
  ['http.services._name_.loadBalancer.server.preservePath', 'boolean'],
  ['tcp.services._name_.loadBalancer.server', 'section'],
  ['tcp.services._name_.loadBalancer.server.port', 'string'],
  ['tcp.services._name_.loadBalancer.server.tls', 'boolean'],
  ['udp.services._name_.loadBalancer.server', 'section'],
  ['udp.services._name_.loadBalancer.server.port', 'string'],
];

function refused(key: string): boolean {
  const lower = key.toLowerCase().replace(/\[0\]/g, '');
  for (const pattern of LABEL_REFUSED.keys()) {
    if (lower === pattern || lower.startsWith(`${pattern}.`)) return true;
  }
  return false;
}

/**
 * What labels (`traefik.<key>`) can set: the dynamic tree without the keys of LABEL_REFUSED, with
 * `loadBalancer.server.*` (the container's one server) instead of `servers`.
 */
export const LABEL_FLAT_SCHEMA: SectionSchema = compileSchema(
  toSchema(draftTree([...DYNAMIC_FLAT_KEYS.filter(([key]) => !refused(key)), ...LABEL_SERVERS])) as SectionSchema,
);

/** The reason a label key pattern (lower-case, `_name_` for names) is refused, if it is. */
export function labelRefusal(pattern: string): string | undefined {
  const lower = pattern.replace(/\[0\]/g, '');
  for (const [p, why] of LABEL_REFUSED) {
    if (lower === p || lower.startsWith(`${p}.`)) return why;
  }
  return undefined;
}
