/**
 * The schema language of flat-key decoding: a tree of sections, user-named maps, lists and typed values.
 * The same schema drives every flat source (CLI flags, environment variables, labels, KV keys, and files
 * once flattened), the `--help` text and the "did you mean" suggestions.
 *
 * Keys are matched case-insensitively and decoded in the spelling written here (the canonical one);
 * map keys (entry point names, router names...) keep the user's spelling.
 */

/** How a value is parsed: `duration` is a Go duration (`10s`, `1m30s`) or a number of seconds, in ms. */
export type ScalarType = 'string' | 'boolean' | 'integer' | 'number' | 'duration';

export interface Documented {
  /** One line for `--help`. */
  readonly doc?: string;
  /** The default as shown to users (`60s`, `true`); defaults themselves are applied by the model builder. */
  readonly default?: string;
}

export interface ScalarSchema extends Documented {
  readonly kind: 'scalar';
  readonly type: ScalarType;
  /** Allowed values, matched case-insensitively; the decoded value takes the spelling listed here. */
  readonly oneOf?: readonly string[];
  /** Smallest allowed number (integer, number; ms for durations). */
  readonly min?: number;
  /** Extra check of a string value: returns what was expected when the value is wrong. */
  readonly check?: (value: string) => string | undefined;
}

/** A list: of values (written comma separated, or as a list in files) or of sections (`key[0].field`). */
export interface ListSchema extends Documented {
  readonly kind: 'list';
  readonly of: ScalarSchema | SectionSchema;
}

/** A fixed set of keys. Giving the section's own key with no value (or `true`) enables it with defaults. */
export interface SectionSchema extends Documented {
  readonly kind: 'section';
  readonly fields: Readonly<Record<string, SchemaNode>>;
}

/** User-named entries (`entryPoints.<name>`), each decoded with `of`. */
export interface MapSchema extends Documented {
  readonly kind: 'map';
  readonly of: SchemaNode;
  /** Placeholder shown in help, e.g. `name` for `--entryPoints.<name>.address`. */
  readonly keyLabel?: string;
}

export type SchemaNode = ScalarSchema | ListSchema | SectionSchema | MapSchema;

type ScalarOptions = Omit<ScalarSchema, 'kind' | 'type'>;

export function section(fields: Record<string, SchemaNode>, doc?: Documented): SectionSchema {
  return { kind: 'section', fields, ...doc };
}

export function mapOf(of: SchemaNode, options?: Omit<MapSchema, 'kind' | 'of'>): MapSchema {
  return { kind: 'map', of, ...options };
}

export function listOf(of: ScalarSchema | SectionSchema, doc?: Documented): ListSchema {
  return { kind: 'list', of, ...doc };
}

export function str(options?: ScalarOptions): ScalarSchema {
  return { kind: 'scalar', type: 'string', ...options };
}

export function bool(options?: ScalarOptions): ScalarSchema {
  return { kind: 'scalar', type: 'boolean', ...options };
}

export function int(options?: ScalarOptions): ScalarSchema {
  return { kind: 'scalar', type: 'integer', ...options };
}

export function num(options?: ScalarOptions): ScalarSchema {
  return { kind: 'scalar', type: 'number', ...options };
}

export function duration(options?: ScalarOptions): ScalarSchema {
  return { kind: 'scalar', type: 'duration', min: 0, ...options };
}

/** Lower-case key -> [canonical key, schema], built once per section. */
const fieldIndexes = new WeakMap<SectionSchema, ReadonlyMap<string, readonly [string, SchemaNode]>>();

function fieldIndex(node: SectionSchema): ReadonlyMap<string, readonly [string, SchemaNode]> {
  let index = fieldIndexes.get(node);
  if (!index) {
    const built = new Map<string, readonly [string, SchemaNode]>();
    for (const [name, child] of Object.entries(node.fields)) built.set(name.toLowerCase(), [name, child]);
    index = built;
    fieldIndexes.set(node, index);
  }
  return index;
}

/** Finds a section's field by name, case-insensitively: [canonical name, schema]. */
export function findField(node: SectionSchema, name: string): readonly [string, SchemaNode] | undefined {
  return fieldIndex(node).get(name.toLowerCase());
}

/** Builds the lookup tables of every section below `root` now rather than on first use. */
export function compileSchema<T extends SchemaNode>(root: T): T {
  const visit = (node: SchemaNode): void => {
    switch (node.kind) {
      case 'section':
        fieldIndex(node);
        for (const child of Object.values(node.fields)) visit(child);
        return;
      case 'map':
      case 'list':
        visit(node.of);
        return;
      case 'scalar':
        return;
    }
  };
  visit(root);
  return root;
}

/** True when a bare key (`--providers.file`, `--api.insecure`) is complete without a value. */
export function takesNoValue(node: SchemaNode): boolean {
  return node.kind === 'section' || node.kind === 'map' || (node.kind === 'scalar' && node.type === 'boolean');
}
