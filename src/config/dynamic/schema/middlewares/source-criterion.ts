/**
 * `sourceCriterion` of rateLimit and inFlightReq: what groups requests as coming from one source.
 * At most one of `ipStrategy`, `requestHeaderName` (a non-empty header name) and `requestHost`
 * (true) may be set; none set means the middleware's default (Traefik: the client IP for
 * rateLimit, the request host for inFlightReq).
 */
import { DYNAMIC_CODES } from '../../codes.js';
import { type Field, type Scope, readBool, readFields, readString } from '../fields.js';
import { type IpStrategyOptions, readIpStrategy } from './ip-strategy.js';

export type SourceCriterion =
  | { readonly kind: 'ipStrategy'; readonly ipStrategy: IpStrategyOptions }
  | { readonly kind: 'requestHeaderName'; readonly headerName: string }
  | { readonly kind: 'requestHost' };

/** The remote-address strategy: rateLimit's default. */
export const REMOTE_ADDRESS: SourceCriterion = Object.freeze({
  kind: 'ipStrategy',
  ipStrategy: Object.freeze({ depth: 0, excludedIPs: Object.freeze([]), ipv6Subnet: undefined }),
});
export const REQUEST_HOST: SourceCriterion = Object.freeze({ kind: 'requestHost' });

/** RFC 9110 token: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function readSourceCriterion(scope: Scope, f: Field | undefined, fallback: SourceCriterion): SourceCriterion | undefined {
  if (f === undefined) return fallback;
  const fields = readFields(scope, f.value, f.path, { supported: ['ipStrategy', 'requestHeaderName', 'requestHost'] });
  if (fields === undefined) return undefined;
  const ipField = fields.get('ipStrategy');
  const ipStrategy = ipField === undefined ? undefined : readIpStrategy(scope, ipField);
  const headerField = fields.get('requestHeaderName');
  const headerName = readString(scope, headerField);
  if (headerField !== undefined && headerName !== undefined && headerName !== '' && !HEADER_NAME.test(headerName)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, headerField.path, `"${headerName}" is not a valid header name${scope.leftOut}`);
  }
  const requestHost = readBool(scope, fields.get('requestHost')) ?? false;
  if (!scope.ok) return undefined;
  const set: string[] = [];
  if (ipField !== undefined) set.push('ipStrategy');
  if (headerName !== undefined && headerName !== '') set.push('requestHeaderName');
  if (requestHost) set.push('requestHost');
  if (set.length > 1) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `${set.join(' and ')} are mutually exclusive: set only one${scope.leftOut}`);
    return undefined;
  }
  if (ipStrategy !== undefined) return { kind: 'ipStrategy', ipStrategy };
  if (headerName !== undefined && headerName !== '') return { kind: 'requestHeaderName', headerName };
  if (requestHost) return REQUEST_HOST;
  return fallback;
}
