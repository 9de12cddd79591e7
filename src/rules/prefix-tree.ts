/**
 * A radix tree of string prefixes (for PathPrefix keys). Walking a path visits, shortest first,
 * every node whose prefix the path starts with, comparing characters in place (no allocation).
 */

export class PrefixNode {
  /** Edge label leading to this node. */
  label: string;
  /** Children by the first char code of their label. */
  children: Map<number, PrefixNode> | null = null;
  /** Entry indexes (ascending) of the rules keyed on exactly this prefix. */
  entries: number[] | null = null;

  constructor(label: string) {
    this.label = label;
  }
}

/** Insert `index` under `key` (indexes must be inserted in ascending order). */
export function insertPrefix(root: PrefixNode, key: string, index: number): void {
  let node = root;
  let pos = 0;
  for (;;) {
    if (pos === key.length) {
      const list = (node.entries ??= []);
      if (list[list.length - 1] !== index) list.push(index);
      return;
    }
    const c = key.charCodeAt(pos);
    node.children ??= new Map();
    const child = node.children.get(c);
    if (child === undefined) {
      const leaf = new PrefixNode(key.slice(pos));
      leaf.entries = [index];
      node.children.set(c, leaf);
      return;
    }
    // Length of the common prefix of child.label and key[pos..].
    const label = child.label;
    let n = 1;
    while (n < label.length && pos + n < key.length && label.charCodeAt(n) === key.charCodeAt(pos + n)) n++;
    if (n < label.length) {
      // Split the edge: node -> mid (label[0..n]) -> child (label[n..]).
      const mid = new PrefixNode(label.slice(0, n));
      child.label = label.slice(n);
      mid.children = new Map([[child.label.charCodeAt(0), child]]);
      node.children.set(c, mid);
      node = mid;
    } else {
      node = child;
    }
    pos += n;
  }
}
