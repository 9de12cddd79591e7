/**
 * `ipStrategy`: how a middleware picks the client IP (Traefik's ipAllowList, rateLimit and
 * inFlightReq share it). `depth` > 0 takes the X-Forwarded-For entry `depth` from the right;
 * otherwise `excludedIPs` scans X-Forwarded-For from the right for the first address not in the
 * list; otherwise the connection's remote address is used. `ipv6Subnet` groups IPv6 addresses by
 * their /n prefix (depth and remote-address strategies, as in Traefik).
 */
import { DYNAMIC_CODES } from '../../codes.js';
import { parseIpBlock } from '../../../../net/ip.js';
import { type Field, type Scope, readFields, readInt, readStringList } from '../fields.js';

export interface IpStrategyOptions {
  /** 0 = not used. */
  readonly depth: number;
  /** IPs and CIDR blocks (validated); used only when depth is 0. */
  readonly excludedIPs: readonly string[];
  /** 1..128, or undefined = addresses are not grouped. */
  readonly ipv6Subnet: number | undefined;
}

/**
 * Reads an `ipStrategy` section. An empty value (`ipStrategy:` or `{}`) is the remote-address
 * strategy. Undefined when the section has an error (reported on the scope with its key path).
 */
export function readIpStrategy(scope: Scope, f: Field): IpStrategyOptions | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['depth', 'excludedIPs', 'ipv6Subnet'] });
  if (fields === undefined) return undefined;
  const depth = readInt(scope, fields.get('depth'), { min: 0n }) ?? 0;
  const excludedField = fields.get('excludedIPs');
  const excludedIPs = readStringList(scope, excludedField) ?? [];
  if (excludedField !== undefined) {
    excludedIPs.forEach((entry, i) => {
      if (parseIpBlock(entry.trim()) === null) {
        const at = Array.isArray(excludedField.value) ? [...excludedField.path, i] : excludedField.path;
        scope.error(DYNAMIC_CODES.INVALID_VALUE, at, `"${entry}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)${scope.leftOut}`);
      }
    });
  }
  const ipv6Subnet = readInt(scope, fields.get('ipv6Subnet'), { min: 1n, max: 128n });
  if (!scope.ok) return undefined;
  if (depth > 0 && excludedIPs.length > 0) {
    scope.warn(DYNAMIC_CODES.INVALID_VALUE, [...f.path, 'excludedIPs'], 'excludedIPs is ignored because depth is set (depth takes precedence, as in Traefik)');
  }
  return { depth, excludedIPs, ipv6Subnet };
}
