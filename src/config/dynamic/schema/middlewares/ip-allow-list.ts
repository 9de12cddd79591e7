/**
 * `http.middlewares.<name>.ipAllowList` (and its deprecated v2 name `ipWhiteList`): requests whose
 * client IP (chosen by `ipStrategy`) is outside `sourceRange` are refused with `rejectStatusCode`
 * (default 403). As in Traefik, `sourceRange` must hold at least one entry, each an IP or a CIDR
 * block, and `rejectStatusCode` must be a status Go knows. `ipWhiteList` reads the same options
 * minus `rejectStatusCode` (which Traefik's ipWhiteList does not have) and is reported as deprecated.
 */
import { parseIpBlock } from '../../../../net/ip.js';
import { goStatusText } from '../../../../exchange/status-text.js';
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readInt, readStringList, requireField } from '../fields.js';
import { type IpStrategyOptions, readIpStrategy } from './ip-strategy.js';

export interface IpAllowListOptions {
  /** Allowed IPs and CIDR blocks, IPv4 and IPv6 (validated). */
  readonly sourceRange: readonly string[];
  /** How the client IP is chosen; the default is the connection's remote address. */
  readonly ipStrategy: IpStrategyOptions;
  /** Status of the refusal (body: its Go status text). */
  readonly rejectStatusCode: number;
}

export const DEFAULT_REJECT_STATUS_CODE = 403;
const REMOTE_ADDRESS: IpStrategyOptions = Object.freeze({ depth: 0, excludedIPs: Object.freeze([]), ipv6Subnet: undefined });

export function readIpAllowList(scope: Scope, f: Field): MiddlewareConfig | undefined {
  return read(scope, f, ['sourceRange', 'ipStrategy', 'rejectStatusCode']);
}

/** Traefik v3 still reads `ipWhiteList` (deprecated): same middleware, without rejectStatusCode. */
export function readIpWhiteList(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const config = read(scope, f, ['sourceRange', 'ipStrategy']);
  if (config !== undefined) scope.warn(DYNAMIC_CODES.DEPRECATED, f.path, 'the ipWhiteList middleware is deprecated; use ipAllowList (same options, plus rejectStatusCode)');
  return config;
}

function read(scope: Scope, f: Field, keys: readonly string[]): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: keys });
  if (fields === undefined) return undefined;

  const rangeField = requireField(scope, fields, 'sourceRange', f.path, 'the allowed IPs or CIDR blocks, e.g. [10.0.0.0/8, "2001:db8::/32"]');
  const sourceRange = readStringList(scope, rangeField) ?? [];
  if (rangeField !== undefined && scope.ok && sourceRange.length === 0) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, rangeField.path, `sourceRange is empty: nothing would be allowed (Traefik refuses it)${scope.leftOut}`);
  }
  if (rangeField !== undefined) {
    sourceRange.forEach((entry, i) => {
      if (parseIpBlock(entry.trim()) === null) {
        const at = Array.isArray(rangeField.value) ? [...rangeField.path, i] : rangeField.path;
        scope.error(DYNAMIC_CODES.INVALID_VALUE, at, `"${entry}" is not an IP address or CIDR block (e.g. 192.168.1.7, 10.0.0.0/8, 2001:db8::/32)${scope.leftOut}`);
      }
    });
  }

  const strategyField = fields.get('ipStrategy');
  const ipStrategy = strategyField === undefined ? REMOTE_ADDRESS : readIpStrategy(scope, strategyField);

  const codeField = fields.get('rejectStatusCode');
  let rejectStatusCode = readInt(scope, codeField, { min: -(2n ** 63n), max: 2n ** 63n - 1n }) ?? 0;
  if (rejectStatusCode === 0) rejectStatusCode = DEFAULT_REJECT_STATUS_CODE;
  else if (codeField !== undefined && goStatusText(rejectStatusCode) === '') {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, codeField.path, `${rejectStatusCode} is not an HTTP status code (Traefik: invalid HTTP status code); 0 or unset means 403${scope.leftOut}`);
  }

  if (!scope.ok || ipStrategy === undefined) return undefined;
  return { kind: 'ipAllowList', options: { sourceRange, ipStrategy, rejectStatusCode } };
}
