/**
 * `http.middlewares.<name>`: exactly one Traefik middleware type, normalised to
 * `{kind, options}`. Types Turnpike implements are read fully; Traefik's other types are reported
 * as unsupported (the object is left out, so a router using it is disabled rather than served
 * without, say, its authentication); names Traefik does not have are unknown keys.
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { MiddlewareConfig } from '../types.js';
import { type Field, type KeyPath, type Scope, readFields, readString, readStringList, requireField } from './fields.js';
import { readHeaders } from './middlewares/headers.js';
import { readCircuitBreaker } from './middlewares/circuit-breaker.js';
import { readRetry } from './middlewares/retry.js';
import { readBuffering } from './middlewares/buffering.js';
import { readPassTlsClientCert } from './middlewares/pass-tls-client-cert.js';
import { readGrpcWeb } from './middlewares/grpc-web.js';
import { readIpAllowList, readIpWhiteList } from './middlewares/ip-allow-list.js';
import { readStripPrefixRegex } from './middlewares/strip-prefix-regex.js';
import { readReplacePath } from './middlewares/replace-path.js';
import { readReplacePathRegex } from './middlewares/replace-path-regex.js';
import { readRedirectScheme } from './middlewares/redirect-scheme.js';
import { readRedirectRegex } from './middlewares/redirect-regex.js';
import { readContentType } from './middlewares/content-type.js';
import { readChain } from './middlewares/chain.js';
import { readBasicAuth } from './middlewares/basic-auth.js';
import { readDigestAuth } from './middlewares/digest-auth.js';
import { readForwardAuth } from './middlewares/forward-auth.js';
import { readCompress } from './middlewares/compress.js';
import { readErrors } from './middlewares/errors.js';
import { readOneKind } from './one-kind.js';
import { readRateLimit } from './middlewares/rate-limit.js';
import { readInFlightReq } from './middlewares/in-flight-req.js';

/** Every HTTP middleware type of Traefik v3 (OSS). */
export const TRAEFIK_MIDDLEWARE_TYPES = [
  'addPrefix',
  'basicAuth',
  'buffering',
  'chain',
  'circuitBreaker',
  'compress',
  'contentType',
  'digestAuth',
  'encodedCharacters',
  'errors',
  'forwardAuth',
  'grpcWeb',
  'headers',
  'inFlightReq',
  'ipAllowList',
  'ipWhiteList',
  'passTLSClientCert',
  'plugin',
  'rateLimit',
  'redirectRegex',
  'redirectScheme',
  'replacePath',
  'replacePathRegex',
  'retry',
  'stripPrefix',
  'stripPrefixRegex',
] as const;

export function readMiddleware(scope: Scope, raw: unknown, path: KeyPath): MiddlewareConfig | undefined {
  const fields = readFields(scope, raw, path, { supported: TRAEFIK_MIDDLEWARE_TYPES });
  if (fields === undefined) return undefined;
  const one = readOneKind(scope, fields, path, [...fields.keys()], {
    object: 'middleware',
    kind: 'type',
    needs: 'one type, such as stripPrefix, addPrefix or headers',
  });
  if (one === undefined) return undefined;
  const { kind: type, field } = one;
  switch (type) {
    case 'rateLimit':
      return readRateLimit(scope, field);
    case 'inFlightReq':
      return readInFlightReq(scope, field);
    case 'compress':
      return readCompress(scope, field);
    case 'errors':
      return readErrors(scope, field);
    case 'basicAuth':
      return readBasicAuth(scope, field);
    case 'digestAuth':
      return readDigestAuth(scope, field);
    case 'forwardAuth':
      return readForwardAuth(scope, field);
    case 'stripPrefixRegex':
      return readStripPrefixRegex(scope, field);
    case 'replacePath':
      return readReplacePath(scope, field);
    case 'replacePathRegex':
      return readReplacePathRegex(scope, field);
    case 'redirectScheme':
      return readRedirectScheme(scope, field);
    case 'redirectRegex':
      return readRedirectRegex(scope, field);
    case 'contentType':
      return readContentType(scope, field);
    case 'chain':
      return readChain(scope, field);
    case 'stripPrefix':
      return readStripPrefix(scope, field);
    case 'addPrefix':
      return readAddPrefix(scope, field);
    case 'ipAllowList':
      return readIpAllowList(scope, field);
    case 'ipWhiteList':
      return readIpWhiteList(scope, field);
    case 'headers':
      return readHeaders(scope, field);
    case 'circuitBreaker':
      return readCircuitBreaker(scope, field);
    case 'retry':
      return readRetry(scope, field);
    case 'passTLSClientCert':
      return readPassTlsClientCert(scope, field);
    case 'grpcWeb':
      return readGrpcWeb(scope, field);
    case 'buffering':
      return readBuffering(scope, field);
    default:
      scope.error(DYNAMIC_CODES.UNSUPPORTED, field.path, `the "${type}" middleware is not supported yet${scope.leftOut}`);
      return undefined;
  }
}

function readStripPrefix(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: ['prefixes'],
    ignored: { forceSlash: 'stripPrefix.forceSlash is deprecated and has no effect in Traefik v3; it is ignored' },
  });
  if (fields === undefined) return undefined;
  const prefixes = readStringList(scope, fields.get('prefixes')) ?? [];
  if (!scope.ok) return undefined;
  return { kind: 'stripPrefix', options: { prefixes } };
}

function readAddPrefix(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['prefix'] });
  if (fields === undefined) return undefined;
  const prefix = readString(scope, requireField(scope, fields, 'prefix', f.path, 'the path prefix to add, e.g. /api'), { nonEmpty: true });
  if (!scope.ok || prefix === undefined) return undefined;
  return { kind: 'addPrefix', options: { prefix } };
}
