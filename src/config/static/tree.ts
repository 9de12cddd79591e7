/**
 * Readers for the decoded static tree (what decodeFlat returns: plain objects, arrays, scalars),
 * shared by build.ts and the sections in sections/. The decoder already checked every type, so a
 * reader only picks the value out, with a fallback where the schema has a default.
 */
export type Tree = Readonly<Record<string, unknown>>;

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The section at `key`, or undefined when absent or not a section. */
export function subtree(tree: Tree | undefined, key: string): Tree | undefined {
  const value = tree !== undefined && Object.hasOwn(tree, key) ? tree[key] : undefined;
  return isTree(value) ? value : undefined;
}

/** True when `key` was given (a bare section like `--ping` included). */
export function present(tree: Tree | undefined, key: string): boolean {
  return tree !== undefined && Object.hasOwn(tree, key);
}

export function text(tree: Tree | undefined, key: string): string | undefined {
  const value = tree?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function flag(tree: Tree | undefined, key: string, fallback: boolean): boolean {
  const value = tree?.[key];
  return typeof value === 'boolean' ? value : fallback;
}

export function numberAt(tree: Tree | undefined, key: string, fallback: number): number {
  const value = tree?.[key];
  return typeof value === 'number' ? value : fallback;
}

export function strings(tree: Tree | undefined, key: string): string[] {
  const value = tree?.[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
