/**
 * A radix tree of string prefixes (for PathPrefix keys). Walking a path visits, shortest first,
 * every node whose prefix the path starts with, comparing characters in place (no allocation).
 *
 * Built by `insertPrefix` (in place, while a table is filed from scratch), and changed afterwards
 * only by `withPrefixList`, which copies the nodes on the key's path and leaves the tree it was
 * given as it was: a table that is still serving keeps its tree while the next one is built.
 *
 * What a node holds for its prefix (`L`) is up to the index: the tree only stores it, so that the
 * index can keep a lone value without wrapping it in a one-element array.
 */

export class PrefixNode<L> {
  /** Edge label leading to this node. */
  label: string;
  /** Children by the first char code of their label. */
  children: Map<number, PrefixNode<L>> | null = null;
  /** What the index files under exactly this prefix (null: nothing). */
  entries: L | null = null;

  constructor(label: string) {
    this.label = label;
  }
}

/**
 * Sets the entries under `key` to `add(entries, value)` (null when there are none yet); in place.
 * `add` takes the value as an argument so that filing a table makes no closure per key.
 */
export function insertPrefix<L, V>(root: PrefixNode<L>, key: string, value: V, add: (entries: L | null, value: V) => L): void {
  let node = root;
  let pos = 0;
  for (;;) {
    if (pos === key.length) {
      node.entries = add(node.entries, value);
      return;
    }
    const c = key.charCodeAt(pos);
    node.children ??= new Map();
    const child = node.children.get(c);
    if (child === undefined) {
      const leaf = new PrefixNode<L>(key.slice(pos));
      leaf.entries = add(null, value);
      node.children.set(c, leaf);
      return;
    }
    const n = commonLength(child.label, key, pos);
    if (n < child.label.length) {
      // Split the edge: node -> mid (label[0..n]) -> child (label[n..]).
      const mid = new PrefixNode<L>(child.label.slice(0, n));
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

function copyOf<L>(node: PrefixNode<L>, label = node.label): PrefixNode<L> {
  const copy = new PrefixNode<L>(label);
  copy.children = node.children === null ? null : new Map(node.children);
  copy.entries = node.entries;
  return copy;
}

/**
 * A tree equal to `root` except that the entries under `key` are `edit(entries)` (null for none):
 * the nodes from the root to `key` are copies, every other node is shared, and `root` is
 * unchanged. Entries emptied leave their node in place with none (the walk skips it); the next
 * table filed from scratch drops such nodes.
 */
export function withPrefixList<L>(root: PrefixNode<L>, key: string, edit: (entries: L | null) => L | null): PrefixNode<L> {
  const top = copyOf(root);
  let node = top;
  let pos = 0;
  for (;;) {
    if (pos === key.length) {
      node.entries = edit(node.entries);
      return top;
    }
    const c = key.charCodeAt(pos);
    const children = (node.children ??= new Map<number, PrefixNode<L>>());
    const child = children.get(c);
    if (child === undefined) {
      const leaf = new PrefixNode<L>(key.slice(pos));
      leaf.entries = edit(null);
      children.set(c, leaf);
      return top;
    }
    const n = commonLength(child.label, key, pos);
    if (n < child.label.length) {
      const mid = new PrefixNode<L>(child.label.slice(0, n));
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
