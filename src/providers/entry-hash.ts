/**
 * A 128-bit hash of one configuration entry (its name and its validated data), the term that a
 * provider's order-free configuration hash is a sum of (provider-state.ts).
 *
 * Written here rather than taken from node:crypto because of what it costs at scale: with 100,000
 * routers, a SHA-256 per entry over a canonical text of it took 1.9 s of a first load (the text,
 * the Hash object and its digest per entry), and this walk takes under a tenth of that, with no
 * allocation. It is not a cryptographic hash, and nothing relies on it being one:
 * - whether an entry changed is decided exactly (sameData), never by this hash;
 * - the hash only lets the runtime skip a configuration equal to the one in place. Two different
 *   configurations with one sum would need a 128-bit collision: by accident that does not happen,
 *   and whoever could craft one writes the configuration anyway.
 *
 * Four 32-bit lanes, each a multiply-rotate mix of every 16-bit unit fed (with its own constants),
 * crossed and finished with murmur3's fmix32. Every value starts with a tag of its kind, strings,
 * lists and Maps carry their length, and an object ends with a tag of its own: the units fed read
 * back one way only, so two different values never feed the same sequence of units.
 */

let h1 = 0;
let h2 = 0;
let h3 = 0;
let h4 = 0;

/** Mixes one unit; `text` repeats this loop body on locals and must stay in step with it. */
function unit(k: number): void {
  h1 = Math.imul(h1 ^ k, 0x9e3779b1);
  h1 = (h1 << 13) | (h1 >>> 19);
  h2 = Math.imul(h2 ^ k, 0x85ebca77);
  h2 = (h2 << 15) | (h2 >>> 17);
  h3 = Math.imul(h3 ^ k, 0xc2b2ae3d);
  h3 = (h3 << 17) | (h3 >>> 15);
  h4 = Math.imul(h4 ^ k, 0x27d4eb2f);
  h4 = (h4 << 11) | (h4 >>> 21);
}

const enum Tag {
  Undefined = 0x10001,
  Null,
  False,
  True,
  String,
  Int,
  Number,
  BigInt,
  List,
  Object,
  ObjectEnd,
  Map,
  Other,
}

/** The string's units, mixed in locals (module variables would be a load and a store per unit). */
function text(s: string): void {
  unit(Tag.String);
  unit(s.length);
  let a = h1;
  let b = h2;
  let c = h3;
  let d = h4;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    a = Math.imul(a ^ k, 0x9e3779b1);
    a = (a << 13) | (a >>> 19);
    b = Math.imul(b ^ k, 0x85ebca77);
    b = (b << 15) | (b >>> 17);
    c = Math.imul(c ^ k, 0xc2b2ae3d);
    c = (c << 17) | (c >>> 15);
    d = Math.imul(d ^ k, 0x27d4eb2f);
    d = (d << 11) | (d >>> 21);
  }
  h1 = a;
  h2 = b;
  h3 = c;
  h4 = d;
}

function feed(value: unknown): void {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
        unit(Tag.Int);
        unit(value | 0);
      } else {
        unit(Tag.Number);
        text(String(value));
      }
      return;
    case 'bigint':
      unit(Tag.BigInt);
      return text(value.toString());
    case 'boolean':
      return unit(value ? Tag.True : Tag.False);
    case 'undefined':
      return unit(Tag.Undefined);
    case 'object':
      break;
    case 'function':
    case 'symbol':
      // Not configuration data; fed by kind so that the walk stays total.
      unit(Tag.Other);
      return text(typeof value);
  }
  if (value === null) return unit(Tag.Null);
  if (Array.isArray(value)) {
    unit(Tag.List);
    unit(value.length);
    for (let i = 0; i < value.length; i++) feed(value[i]);
    return;
  }
  if (value instanceof Map) {
    unit(Tag.Map);
    unit(value.size);
    for (const [k, v] of value as Map<unknown, unknown>) {
      feed(k);
      feed(v);
    }
    return;
  }
  // for-in walks the object's enum cache: no key list allocated per object. Validated data has
  // only own enumerable keys and plain prototypes, so it visits what Object.keys would. Every key
  // starts with Tag.String, so ObjectEnd tells where the object stops.
  const record = value as Record<string, unknown>;
  unit(Tag.Object);
  for (const k in record) {
    text(k);
    feed(record[k]);
  }
  unit(Tag.ObjectEnd);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Adds (`sign` 1) or subtracts (-1) the hash of `name` = `value` to `lanes` (four lanes, mod
 * 2^32). Key order counts, as it does for sameData.
 */
export function addEntryHash(lanes: Uint32Array, name: string, value: unknown, sign: 1 | -1): void {
  h1 = 0x243f6a88;
  h2 = 0x85a308d3;
  h3 = 0x13198a2e;
  h4 = 0x03707344;
  text(name);
  feed(value);
  // Cross the lanes so that each output depends on all four.
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  lanes[0] = ((lanes[0] as number) + sign * fmix(h1)) >>> 0;
  lanes[1] = ((lanes[1] as number) + sign * fmix(h2)) >>> 0;
  lanes[2] = ((lanes[2] as number) + sign * fmix(h3)) >>> 0;
  lanes[3] = ((lanes[3] as number) + sign * fmix(h4)) >>> 0;
}

export const ENTRY_HASH_LANES = 4;
