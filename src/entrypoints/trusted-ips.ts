/**
 * A precompiled set of IPs and CIDR ranges (IPv4 and IPv6), as `forwardedHeaders.trustedIPs`
 * takes them. Built once per entry point; `has()` parses the peer address and compares words,
 * without allocating for IPv4.
 */

/** Parse dotted-quad IPv4 to an unsigned 32-bit number, or -1. */
export function parseIPv4(s: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Parse an IPv6 address (with `::` and an optional trailing dotted quad) to 8 16-bit groups, or null. */
export function parseIPv6(s: string): Uint16Array | null {
  if (s.indexOf(':') < 0) return null;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const head = parseGroups(dbl >= 0 ? s.slice(0, dbl) : s, dbl < 0);
  const tail = dbl >= 0 ? parseGroups(s.slice(dbl + 2), true) : [];
  if (head === null || tail === null) return null;
  const out = new Uint16Array(8);
  if (dbl < 0) {
    if (head.length !== 8) return null;
    out.set(head);
    return out;
  }
  if (head.length + tail.length > 7) return null;
  out.set(head, 0);
  out.set(tail, 8 - tail.length);
  return out;
}

/** Colon-separated hex groups; the last one may be a dotted quad (two groups) when `v4Last`. */
function parseGroups(part: string, v4Last: boolean): number[] | null {
  if (part === '') return [];
  const items = part.split(':');
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const g = items[i] as string;
    if (v4Last && i === items.length - 1 && g.indexOf('.') >= 0) {
      const v4 = parseIPv4(g);
      if (v4 < 0) return null;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
      continue;
    }
    if (g.length === 0 || g.length > 4) return null;
    let v = 0;
    for (let j = 0; j < g.length; j++) {
      const c = g.charCodeAt(j);
      const l = c | 0x20;
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else if (l >= 97 && l <= 102) v = v * 16 + (l - 87);
      else return null;
    }
    out.push(v);
  }
  return out;
}

interface V6Range {
  readonly net: Uint16Array;
  readonly bits: number;
}

export class TrustedIps {
  readonly #v4: number[] = []; // pairs: network, mask (both unsigned)
  readonly #v6: V6Range[] = [];
  readonly size: number;

  /** Throws an Error naming the first entry that is neither an IP nor a CIDR. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const slash = entry.indexOf('/');
      const addr = slash < 0 ? entry : entry.slice(0, slash);
      const bitsText = slash < 0 ? undefined : entry.slice(slash + 1);
      const v4 = parseIPv4(addr);
      if (v4 >= 0) {
        const bits = bitsText === undefined ? 32 : parseBits(bitsText, 32);
        if (bits < 0) throw new Error(`invalid trusted IP or CIDR ${JSON.stringify(raw)}`);
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        this.#v4.push((v4 & mask) >>> 0, mask);
        continue;
      }
      const v6 = parseIPv6(stripZone(addr));
      const bits = bitsText === undefined ? 128 : parseBits(bitsText, 128);
      if (v6 === null || bits < 0) throw new Error(`invalid trusted IP or CIDR ${JSON.stringify(raw)}`);
      const mapped = isV4Mapped(v6);
      if (mapped && bits >= 96) {
        // ::ffff:a.b.c.d/n is the IPv4 range a.b.c.d/(n-96), as Go treats it.
        const v4bits = bits - 96;
        const mask = v4bits === 0 ? 0 : (0xffffffff << (32 - v4bits)) >>> 0;
        this.#v4.push((((v6[6] as number) * 65536 + (v6[7] as number)) & mask) >>> 0, mask);
      }
      this.#v6.push({ net: v6, bits });
    }
    this.size = entries.length;
  }

  /** True when `address` (an IP, IPv6 zone allowed) is in the set. */
  has(address: string): boolean {
    const v4 = parseIPv4(address);
    if (v4 >= 0) {
      const list = this.#v4;
      for (let i = 0; i < list.length; i += 2) {
        if (((v4 & (list[i + 1] as number)) >>> 0) === list[i]) return true;
      }
      return false;
    }
    if (this.#v6.length === 0) return false;
    const v6 = parseIPv6(stripZone(address));
    if (v6 === null) return false;
    if (isV4Mapped(v6)) {
      const hi = v6[6] as number;
      const lo = v6[7] as number;
      return this.has(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    for (const r of this.#v6) if (inRange(v6, r)) return true;
    return false;
  }
}

function parseBits(text: string, max: number): number {
  if (text.length === 0 || text.length > 3) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n <= max ? n : -1;
}

function stripZone(a: string): string {
  const z = a.indexOf('%');
  return z < 0 ? a : a.slice(0, z);
}

function isV4Mapped(g: Uint16Array): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

function inRange(addr: Uint16Array, r: V6Range): boolean {
  let bits = r.bits;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((addr[i] as number) & mask) !== ((r.net[i] as number) & mask)) return false;
  }
  return true;
}
