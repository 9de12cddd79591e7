/**
 * IP addresses and CIDR blocks (ClientIP rules, trusted IPs, allow lists), as integer words (one 32-bit word for IPv4, four for
 * IPv6) so that a request costs a parse into a reused buffer and a few masks, no allocation.
 * Syntax follows Go's netip: no leading zeros in IPv4 parts, `::` expands at least one group, an
 * IPv4 tail is allowed in IPv6, a zone (`%eth0`) is accepted and ignored on plain addresses.
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are unmapped, as Traefik's checker does.
 */

/** Result of a parse: 0 invalid, 4 IPv4, 6 IPv6, MAPPED an IPv4-mapped IPv6 (words hold the IPv4). */
export type IpFamily = 0 | 4 | 6 | typeof MAPPED;
export const MAPPED = 5;

const groups = new Uint16Array(8);

function parseV4(s: string, start: number, end: number): number {
  let value = 0;
  let parts = 0;
  let pos = start;
  while (parts < 4) {
    const partStart = pos;
    let v = 0;
    while (pos < end) {
      const c = s.charCodeAt(pos);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      pos++;
    }
    const len = pos - partStart;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && s.charCodeAt(partStart) === 48)) return -1;
    value = value * 256 + v;
    parts++;
    if (parts < 4) {
      if (s.charCodeAt(pos) !== 46 || pos >= end) return -1;
      pos++;
    }
  }
  return pos === end ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseV6(s: string, end: number, out: Uint32Array): IpFamily {
  let pos = 0;
  let n = 0;
  let ellipsis = -1;
  groups.fill(0);
  if (s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    ellipsis = 0;
    pos = 2;
  }
  while (pos < end) {
    const groupStart = pos;
    let v = 0;
    while (pos < end) {
      const d = hexDigit(s.charCodeAt(pos));
      if (d < 0) break;
      v = v * 16 + d;
      pos++;
    }
    const len = pos - groupStart;
    if (len > 0 && pos < end && s.charCodeAt(pos) === 46) {
      // IPv4 tail takes two groups.
      if (n > 6) return 0;
      const v4 = parseV4(s, groupStart, end);
      if (v4 < 0) return 0;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      pos = end;
      break;
    }
    if (len === 0 || len > 4 || n >= 8) return 0;
    groups[n++] = v;
    if (pos === end) break;
    if (s.charCodeAt(pos) !== 58) return 0;
    pos++;
    if (s.charCodeAt(pos) === 58) {
      if (ellipsis >= 0) return 0;
      ellipsis = n;
      pos++;
    } else if (pos === end) {
      return 0;
    }
  }
  if (ellipsis < 0) {
    if (n !== 8) return 0;
  } else {
    if (n >= 8) return 0;
    const shift = 8 - n;
    for (let j = n - 1; j >= ellipsis; j--) {
      groups[j + shift] = groups[j] as number;
      groups[j] = 0;
    }
  }
  const g = groups;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    out[0] = (((g[6] as number) << 16) | (g[7] as number)) >>> 0;
    return MAPPED;
  }
  for (let k = 0; k < 4; k++) out[k] = (((g[2 * k] as number) << 16) | (g[2 * k + 1] as number)) >>> 0;
  return 6;
}

/** Parse `s` into `out`; a zone suffix is accepted only when `allowZone`. */
export function parseIp(s: string, out: Uint32Array, allowZone = true): IpFamily {
  let end = s.length;
  if (end === 0) return 0;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!allowZone || pct === end - 1) return 0;
    end = pct;
  }
  if (s.indexOf(':') >= 0 && s.indexOf(':') < end) return parseV6(s, end, out);
  if (pct >= 0) return 0; // zones only exist on IPv6
  const v4 = parseV4(s, 0, end);
  if (v4 < 0) return 0;
  out[0] = v4;
  return 4;
}

/** A compiled ClientIP value: an address (all bits significant) or a CIDR block. */
export interface IpBlock {
  readonly family: 4 | 6;
  readonly net: readonly [number, number, number, number];
  readonly mask: readonly [number, number, number, number];
}

function maskWord(bits: number, word: number): number {
  const b = Math.max(0, Math.min(32, bits - word * 32));
  return b === 0 ? 0 : b === 32 ? 0xffffffff : (0xffffffff << (32 - b)) >>> 0;
}

/** Parse a ClientIP value (`1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:10.0.0.0/104`); null if invalid. */
export function parseIpBlock(value: string): IpBlock | null {
  const words = new Uint32Array(4);
  const slash = value.indexOf('/');
  const addr = slash < 0 ? value : value.slice(0, slash);
  const fam = parseIp(addr, words, slash < 0);
  if (fam === 0) return null;
  let bits: number;
  let family: 4 | 6 = fam === 6 ? 6 : 4;
  if (slash < 0) {
    bits = family === 4 ? 32 : 128;
  } else {
    const b = value.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(b)) return null;
    bits = Number(b);
    if (bits > (fam === 4 ? 32 : 128)) return null;
    if (fam === MAPPED) {
      if (bits >= 96) bits -= 96;
      else {
        // A block reaching beyond the mapped range: compare as plain IPv6.
        family = 6;
        words[3] = words[0] as number;
        words[2] = 0xffff;
        words[0] = 0;
        words[1] = 0;
      }
    }
  }
  const n = family === 4 ? 1 : 4;
  const net: [number, number, number, number] = [0, 0, 0, 0];
  const mask: [number, number, number, number] = [0, 0, 0, 0];
  for (let k = 0; k < n; k++) {
    mask[k] = maskWord(bits, k);
    net[k] = ((words[k] as number) & maskWord(bits, k)) >>> 0;
  }
  return { family, net, mask };
}

/** True when the parsed address (`family`, `words` from parseIp) lies in `block`. */
export function blockContains(block: IpBlock, family: IpFamily, words: Uint32Array): boolean {
  const fam = family === MAPPED ? 4 : family;
  if (fam !== block.family) return false;
  const { net, mask } = block;
  if (fam === 4) return (((words[0] as number) & mask[0]) >>> 0) === net[0];
  for (let k = 0; k < 4; k++) {
    if ((((words[k] as number) & (mask[k] as number)) >>> 0) !== net[k]) return false;
  }
  return true;
}

/**
 * A precompiled set of IPs and CIDR blocks (IPv4 and IPv6), as `forwardedHeaders.trustedIPs` (and
 * later ipAllowList) take them. `has()` parses the address into a reused buffer: no allocation.
 */
export class IpSet {
  readonly #blocks: IpBlock[] = [];
  readonly #words = new Uint32Array(4);

  /** Throws an Error naming the first entry that is neither an IP nor a CIDR block. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const block = parseIpBlock(raw.trim());
      if (block === null) throw new Error(`invalid IP address or CIDR range ${JSON.stringify(raw)}`);
      this.#blocks.push(block);
    }
  }

  get size(): number {
    return this.#blocks.length;
  }

  /** True when `address` (an IP; an IPv6 zone is ignored; IPv4-mapped IPv6 counts as IPv4) is in the set. */
  has(address: string): boolean {
    const family = parseIp(address, this.#words);
    if (family === 0) return false;
    for (const b of this.#blocks) if (blockContains(b, family, this.#words)) return true;
    return false;
  }
}
