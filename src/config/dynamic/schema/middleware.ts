/**
 * `http.middlewares.<name>`: exactly one Traefik middleware type, normalised to
 * `{kind, options}`. Types Turnpike implements are read fully; Traefik's other types are reported
 * as unsupported (the object is left out, so a router using it is disabled rather than served
 * without, say, its authentication); names Traefik does not have are unknown keys.
 */
import { DYNAMIC_CODES } from '../codes.js';
import type { HeadersOptions, MiddlewareConfig } from '../types.js';
import { type Field, type KeyPath, type Scope, readFields, readString, readStringList, readStringMap, requireField } from './fields.js';
import { readOneKind } from './one-kind.js';

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

/** Options of Traefik's headers middleware beyond the two custom header maps. */
const HEADERS_UNSUPPORTED = [
  'accessControlAllowCredentials',
  'accessControlAllowHeaders',
  'accessControlAllowMethods',
  'accessControlAllowOriginList',
  'accessControlAllowOriginListRegex',
  'accessControlExposeHeaders',
  'accessControlMaxAge',
  'addVaryHeader',
  'allowedHosts',
  'hostsProxyHeaders',
  'sslProxyHeaders',
  'stsSeconds',
  'stsIncludeSubdomains',
  'stsPreload',
  'forceSTSHeader',
  'frameDeny',
  'customFrameOptionsValue',
  'contentTypeNosniff',
  'browserXssFilter',
  'customBrowserXSSValue',
  'contentSecurityPolicy',
  'contentSecurityPolicyReportOnly',
  'publicKey',
  'referrerPolicy',
  'permissionsPolicy',
  'isDevelopment',
  // Deprecated in v3, still decoded by Traefik.
  'featurePolicy',
  'sslRedirect',
  'sslTemporaryRedirect',
  'sslHost',
  'sslForceHost',
] as const;

/** RFC 9110 token: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value must not smuggle line breaks or NUL. */
const BAD_HEADER_VALUE = /[\r\n\0]/;

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
    case 'stripPrefix':
      return readStripPrefix(scope, field);
    case 'addPrefix':
      return readAddPrefix(scope, field);
    case 'headers':
      return readHeaders(scope, field);
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

function readHeaders(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: ['customRequestHeaders', 'customResponseHeaders'],
    unsupported: HEADERS_UNSUPPORTED,
  });
  if (fields === undefined) return undefined;
  const customRequestHeaders = readHeaderMap(scope, fields.get('customRequestHeaders'));
  const customResponseHeaders = readHeaderMap(scope, fields.get('customResponseHeaders'));
  if (!scope.ok) return undefined;
  const options: HeadersOptions = { customRequestHeaders, customResponseHeaders };
  return { kind: 'headers', options };
}

function readHeaderMap(scope: Scope, f: Field | undefined): Record<string, string> {
  const map = readStringMap(scope, f) ?? {};
  if (f === undefined) return map;
  for (const [name, value] of Object.entries(map)) {
    if (!HEADER_NAME.test(name)) {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, name], `"${name}" is not a valid header name${scope.leftOut}`);
    } else if (BAD_HEADER_VALUE.test(value)) {
      scope.error(DYNAMIC_CODES.INVALID_VALUE, [...f.path, name], `the value of header "${name}" contains a line break or NUL${scope.leftOut}`);
    }
  }
  return map;
}
