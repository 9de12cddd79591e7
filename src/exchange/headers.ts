/**
 * A request or response header list: a flat array `[name, value, name, value, ...]` as read off
 * the wire (Node's `rawHeaders` has this shape, so building one costs no copy). Names keep their
 * original case for forwarding; look-ups are case-insensitive. Lists are short (10-30 entries),
 * so a linear scan beats building a map per request.
 */
export class HeaderList {
  /** The raw pairs. Exposed for the forwarder's serialiser; others use the methods. */
  readonly raw: string[];

  constructor(raw: string[] = []) {
    this.raw = raw;
  }

  get size(): number {
    return this.raw.length >> 1;
  }

  /** First value of `name`, or undefined. `name` must be lower case. */
  get(name: string): string | undefined {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) {
      if (equalsLower(raw[i] as string, name)) return raw[i + 1];
    }
    return undefined;
  }

  /** Every value of `name` in order. `name` must be lower case. */
  getAll(name: string): string[] {
    const out: string[] = [];
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) {
      if (equalsLower(raw[i] as string, name)) out.push(raw[i + 1] as string);
    }
    return out;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replace every value of `name` with one value (appended at the position of the first). */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    const raw = this.raw;
    let found = -1;
    for (let i = 0; i < raw.length; ) {
      if (equalsLower(raw[i] as string, lower)) {
        if (found < 0) {
          found = i;
          raw[i + 1] = value;
          i += 2;
        } else {
          raw.splice(i, 2);
        }
      } else {
        i += 2;
      }
    }
    if (found < 0) raw.push(name, value);
  }

  /** Append one more value for `name`. */
  add(name: string, value: string): void {
    this.raw.push(name, value);
  }

  /** Remove every value of `name`; returns whether any was present. `name` is matched case-insensitively. */
  delete(name: string): boolean {
    const lower = name.toLowerCase();
    const raw = this.raw;
    let removed = false;
    for (let i = 0; i < raw.length; ) {
      if (equalsLower(raw[i] as string, lower)) {
        raw.splice(i, 2);
        removed = true;
      } else {
        i += 2;
      }
    }
    return removed;
  }

  forEach(fn: (name: string, value: string) => void): void {
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) fn(raw[i] as string, raw[i + 1] as string);
  }

  clone(): HeaderList {
    return new HeaderList(this.raw.slice());
  }
}

/** Case-insensitive equality against an already lower-case name, without allocating. */
export function equalsLower(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  if (name === lower) return true;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
