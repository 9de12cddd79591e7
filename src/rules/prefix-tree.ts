/**
 * A radix tree of string prefixes (for PathPrefix keys). Walking a path visits, shortest first,
 * every node whose prefix the path starts with, comparing characters in place (no allocation).
 *
 * Built by `insertPrefix` (in place, while a table is filed from scratch), and changed afterwards
 * only by `withPrefixList`, which copies the nodes on the key's path and leaves the tree it was
 * given as it was: a table that is still serving keeps its tree while the next one is built.
 */

export class PrefixNode<V> {
  /** Edge label leading to this node. */
  label: string;
  /** Children by the first char code of their label. */
  children: Map<number, PrefixNode<V>> | null = null;
  /** The values (in match order) of the rules keyed on exactly this prefix. */
  entries: V[] | null = null;

  constructor(label: string) {
    this.label = label;
  }
}

/** Appends `value` under `key` (values must come in match order); in place. */
export function insertPrefix<V>(root: PrefixNode<V>, key: string, value: V): void {
  let node = root;
  let pos = 0;
  for (;;) {
    if (pos === key.length) {
      const list = (node.entries ??= []);
      if (list[list.length - 1] !== value) list.push(value);
      return;
    }
    const c = key.charCodeAt(pos);
    node.children ??= new Map();
    const child = node.children.get(c);
    if (child === undefined) {
      const leaf = new PrefixNode<V>(key.slice(pos));
      leaf.entries = [value];
      node.children.set(c, leaf);
      return;
    }
    const n = commonLength(child.label, key, pos);
    if (n < child.label.length) {
      // Split the edge: node -> mid (label[0..n]) -> child (label[n..]).
      const mid = new PrefixNode<V>(child.label.slice(0, n));
      child.label = child.label.slice(n);
      mid.children = new Map([[child.label.charCodeAt(0), child]]);
      node.children.set(c, mid);
      node = mid;
    } else {
      node = child;
    }
    pos += n;
  }
}

/** Length of the common prefix of `label` and `key[pos..]` (at least 1: their first chars are equal). */
function commonLength(label: string, key: string, pos: number): number {
  let n = 1;
  while (n < label.length && pos + n < key.length && label.charCodeAt(n) === key.charCodeAt(pos + n)) n++;
  return n;
}

function copyOf<V>(node: PrefixNode<V>, label = node.label): PrefixNode<V> {
  const copy = new PrefixNode<V>(label);
  copy.children = node.children === null ? null : new Map(node.children);
  copy.entries = node.entries;
  return copy;
}

/**
 * A tree equal to `root` except that the list under `key` is `edit(list)` (null for none): the
 * nodes from the root to `key` are copies, every other node is shared, and `root` is unchanged.
 * A list emptied leaves its node in place with no entries (the walk skips it); the next table
 * filed from scratch drops such nodes.
 */
export function withPrefixList<V>(root: PrefixNode<V>, key: string, edit: (list: readonly V[] | null) => V[] | null): PrefixNode<V> {
  const top = copyOf(root);
  let node = top;
  let pos = 0;
  for (;;) {
    if (pos === key.length) {
      node.entries = edit(node.entries);
      return top;
    }
    const c = key.charCodeAt(pos);
    const children = (node.children ??= new Map<number, PrefixNode<V>>());
    const child = children.get(c);
    if (child === undefined) {
      const leaf = new PrefixNode<V>(key.slice(pos));
      leaf.entries = edit(null);
      children.set(c, leaf);
      return top;
    }
    const n = commonLength(child.label, key, pos);
    if (n < child.label.length) {
      const mid = new PrefixNode<V>(child.label.slice(0, n));
      const rest = copyOf(child, child.label.slice(n));
      mid.children = new Map([[rest.label.charCodeAt(0), rest]]);
      children.set(c, mid);
      node = mid;
    } else {
      const copy = copyOf(child);
      children.set(c, copy);
      node = copy;
    }
    pos += n;
  }
}
