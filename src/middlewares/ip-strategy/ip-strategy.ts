/**
 * The client IP as an `ipStrategy` picks it (Traefik's pkg/ip strategies), for ipAllowList,
 * rateLimit and inFlightReq:
 * - depth > 0: the X-Forwarded-For entry `depth` from the right, trimmed ('' when the header has
 *   fewer entries);
 * - else excludedIPs: scanning X-Forwarded-For from the right, the first non-empty entry that is
 *   not in the list ('' when every entry is);
 * - else the connection's remote address.
 * With `ipv6Subnet`, an IPv6 result (depth or remote address) becomes the first address of its
 * /n block, so a client rotating addresses inside its prefix is one source.
 * X-Forwarded-For is what the entry point kept: from an untrusted peer it has been removed.
 */
import type { IpStrategyOptions } from '../../config/dynamic/schema/middlewares/ip-strategy.js';
import type { Exchange } from '../../exchange/exchange.js';
import { IpSet, parseIp } from '../../net/ip.js';

/** Picks the client IP (or '' when the strategy finds none) of an exchange. */
export type IpPicker = (ex: Exchange) => string;

export function createIpStrategy(options: IpStrategyOptions): IpPicker {
  const subnet = options.ipv6Subnet;
  if (options.depth > 0) {
    const depth = options.depth;
    if (subnet === undefined) return (ex) => xffFromRight(ex.headers.get('x-forwarded-for') ?? '', depth);
    return (ex) => ipv6Prefix(xffFromRight(ex.headers.get('x-forwarded-for') ?? '', depth), subnet);
  }
  if (options.excludedIPs.length > 0) {
    const excluded = new IpSet(options.excludedIPs);
    return (ex) => firstNotExcluded(ex.headers.get('x-forwarded-for') ?? '', excluded);
  }
  if (subnet === undefined) return remoteAddress;
  return (ex) => ipv6Prefix(ex.peer.address, subnet);
}

function remoteAddress(ex: Exchange): string {
  return ex.peer.address;
}

/** Entry `depth` (>= 1) from the right of a comma-separated list, trimmed; '' if there are fewer. */
export function xffFromRight(xff: string, depth: number): string {
  let end = xff.length;
  for (let k = 1; k < depth; k++) {
    const comma = end === 0 ? -1 : xff.lastIndexOf(',', end - 1);
    if (comma < 0) return '';
    end = comma;
  }
  const start = end === 0 ? 0 : xff.lastIndexOf(',', end - 1) + 1;
  return xff.slice(start, end).trim();
}

/** Scanning from the right, the first non-empty entry not in `excluded`; '' if none. */
export function firstNotExcluded(xff: string, excluded: IpSet): string {
  let end = xff.length;
  while (end >= 0) {
    const comma = end === 0 ? -1 : xff.lastIndexOf(',', end - 1);
    const entry = xff.slice(comma + 1, end).trim();
    if (entry !== '' && !excluded.has(entry)) return entry;
    if (comma < 0) return '';
    end = comma;
  }
  return '';
}

const words = new Uint32Array(4);

/** An IPv6 address reduced to the first address of its /bits block; anything else unchanged. */
export function ipv6Prefix(ip: string, bits: number): string {
  if (parseIp(ip, words) !== 6) return ip;
  for (let k = 0; k < 4; k++) {
    const keep = Math.max(0, Math.min(32, bits - k * 32));
    const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    words[k] = ((words[k] as number) & mask) >>> 0;
  }
  return formatIpv6(words);
}

/** RFC 5952 text of an IPv6 address given as four 32-bit words (lower case, longest zero run as `::`). */
export function formatIpv6(w: Uint32Array): string {
  const groups: number[] = [];
  for (let k = 0; k < 4; k++) groups.push((w[k] as number) >>> 16, (w[k] as number) & 0xffff);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
