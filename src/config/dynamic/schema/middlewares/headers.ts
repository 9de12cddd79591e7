/**
 * `http.middlewares.<name>.headers`: Traefik's headers middleware — custom request/response
 * headers, CORS, and the security headers of unrolled/secure. Every option of Traefik v3 is read;
 * the five options v3 ignores (sslRedirect, sslTemporaryRedirect, sslHost, sslForceHost,
 * featurePolicy) are type-checked and reported with a warning. Values that end up in a header
 * are refused when they hold a line break or NUL; origin regexes (Go RE2 syntax) must compile.
 */
import { translateRe2 } from '../../../../rules/re2.js';
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Fields, type Scope, readBool, readFields, readInt, readString, readStringList, readStringMap } from '../fields.js';

/** Normalised options: every Traefik default filled in (false, 0, '' and empty lists/maps). */
export interface HeadersOptions {
  /** Header name -> value; '' deletes the header. A request `Host` entry rewrites the request host. */
  readonly customRequestHeaders: Readonly<Record<string, string>>;
  readonly customResponseHeaders: Readonly<Record<string, string>>;

  readonly accessControlAllowCredentials: boolean;
  readonly accessControlAllowHeaders: readonly string[];
  readonly accessControlAllowMethods: readonly string[];
  /** Exact origins, or `*` for any. */
  readonly accessControlAllowOriginList: readonly string[];
  /** Go RE2 patterns (checked here, compiled by the factory), matched anywhere in the origin. */
  readonly accessControlAllowOriginListRegex: readonly string[];
  readonly accessControlExposeHeaders: readonly string[];
  /** Seconds; sent as Access-Control-Max-Age on preflight answers (0 included). */
  readonly accessControlMaxAge: number;
  readonly addVaryHeader: boolean;

  readonly allowedHosts: readonly string[];
  readonly hostsProxyHeaders: readonly string[];
  readonly sslProxyHeaders: Readonly<Record<string, string>>;
  readonly stsSeconds: number;
  readonly stsIncludeSubdomains: boolean;
  readonly stsPreload: boolean;
  readonly forceSTSHeader: boolean;
  readonly frameDeny: boolean;
  readonly customFrameOptionsValue: string;
  readonly contentTypeNosniff: boolean;
  readonly browserXssFilter: boolean;
  readonly customBrowserXSSValue: string;
  readonly contentSecurityPolicy: string;
  readonly contentSecurityPolicyReportOnly: string;
  readonly publicKey: string;
  readonly referrerPolicy: string;
  readonly permissionsPolicy: string;
  readonly isDevelopment: boolean;
}

/** Every option at Traefik's default (nothing set): a base for options built in code. */
export const DEFAULT_HEADERS_OPTIONS: HeadersOptions = Object.freeze({
  customRequestHeaders: {},
  customResponseHeaders: {},
  accessControlAllowCredentials: false,
  accessControlAllowHeaders: [],
  accessControlAllowMethods: [],
  accessControlAllowOriginList: [],
  accessControlAllowOriginListRegex: [],
  accessControlExposeHeaders: [],
  accessControlMaxAge: 0,
  addVaryHeader: false,
  allowedHosts: [],
  hostsProxyHeaders: [],
  sslProxyHeaders: {},
  stsSeconds: 0,
  stsIncludeSubdomains: false,
  stsPreload: false,
  forceSTSHeader: false,
  frameDeny: false,
  customFrameOptionsValue: '',
  contentTypeNosniff: false,
  browserXssFilter: false,
  customBrowserXSSValue: '',
  contentSecurityPolicy: '',
  contentSecurityPolicyReportOnly: '',
  publicKey: '',
  referrerPolicy: '',
  permissionsPolicy: '',
  isDevelopment: false,
});

const LIST_KEYS = [
  'accessControlAllowHeaders',
  'accessControlAllowMethods',
  'accessControlAllowOriginList',
  'accessControlAllowOriginListRegex',
  'accessControlExposeHeaders',
  'allowedHosts',
  'hostsProxyHeaders',
] as const;
const BOOL_KEYS = [
  'accessControlAllowCredentials',
  'addVaryHeader',
  'stsIncludeSubdomains',
  'stsPreload',
  'forceSTSHeader',
  'frameDeny',
  'contentTypeNosniff',
  'browserXssFilter',
  'isDevelopment',
] as const;
/** Options whose value is sent as a header value. */
const STRING_KEYS = [
  'customFrameOptionsValue',
  'customBrowserXSSValue',
  'contentSecurityPolicy',
  'contentSecurityPolicyReportOnly',
  'publicKey',
  'referrerPolicy',
  'permissionsPolicy',
] as const;

/** Decoded by Traefik v3 but without effect: the warning says what to use instead. */
const IGNORED: Readonly<Record<string, { readonly type: 'bool' | 'string'; readonly instead: string }>> = {
  sslRedirect: { type: 'bool', instead: 'the redirectScheme middleware or an entry point redirection' },
  sslTemporaryRedirect: { type: 'bool', instead: 'the redirectScheme middleware or an entry point redirection' },
  sslHost: { type: 'string', instead: 'the redirectRegex middleware' },
  sslForceHost: { type: 'bool', instead: 'the redirectRegex middleware' },
  featurePolicy: { type: 'string', instead: 'permissionsPolicy' },
};

const KEYS = ['customRequestHeaders', 'customResponseHeaders', 'accessControlMaxAge', 'sslProxyHeaders', 'stsSeconds', ...LIST_KEYS, ...BOOL_KEYS, ...STRING_KEYS, ...Object.keys(IGNORED)];

/** RFC 9110 token: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value must not smuggle line breaks or NUL. */
const BAD_HEADER_VALUE = /[\r\n\0]/;
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

type ListKey = (typeof LIST_KEYS)[number];
type BoolKey = (typeof BOOL_KEYS)[number];
type StringKey = (typeof STRING_KEYS)[number];

export function readHeaders(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: KEYS });
  if (fields === undefined) return undefined;

  const customRequestHeaders = readHeaderMap(scope, fields.get('customRequestHeaders'));
  const customResponseHeaders = readHeaderMap(scope, fields.get('customResponseHeaders'));
  const sslProxyHeaders = readHeaderMap(scope, fields.get('sslProxyHeaders'));
  const lists = {} as Record<ListKey, readonly string[]>;
  for (const key of LIST_KEYS) lists[key] = readValueList(scope, fields.get(key), key === 'hostsProxyHeaders');
  const bools = {} as Record<BoolKey, boolean>;
  for (const key of BOOL_KEYS) bools[key] = readBool(scope, fields.get(key)) ?? false;
  const strings = {} as Record<StringKey, string>;
  for (const key of STRING_KEYS) strings[key] = readHeaderValue(scope, fields.get(key));
  const accessControlMaxAge = readInt(scope, fields.get('accessControlMaxAge'), INT64) ?? 0;
  const stsSeconds = readInt(scope, fields.get('stsSeconds'), INT64) ?? 0;
  checkRegexes(scope, fields.get('accessControlAllowOriginListRegex'), lists.accessControlAllowOriginListRegex);
  const ignoredSet = readIgnored(scope, fields);
  if (!scope.ok) return undefined;

  const options: HeadersOptions = {
    customRequestHeaders,
    customResponseHeaders,
    accessControlAllowCredentials: bools.accessControlAllowCredentials,
    accessControlAllowHeaders: lists.accessControlAllowHeaders,
    accessControlAllowMethods: lists.accessControlAllowMethods,
    accessControlAllowOriginList: lists.accessControlAllowOriginList,
    accessControlAllowOriginListRegex: lists.accessControlAllowOriginListRegex,
    accessControlExposeHeaders: lists.accessControlExposeHeaders,
    accessControlMaxAge,
    addVaryHeader: bools.addVaryHeader,
    allowedHosts: lists.allowedHosts,
    hostsProxyHeaders: lists.hostsProxyHeaders,
    sslProxyHeaders,
    stsSeconds,
    stsIncludeSubdomains: bools.stsIncludeSubdomains,
    stsPreload: bools.stsPreload,
    forceSTSHeader: bools.forceSTSHeader,
    frameDeny: bools.frameDeny,
    customFrameOptionsValue: strings.customFrameOptionsValue,
    contentTypeNosniff: bools.contentTypeNosniff,
    browserXssFilter: bools.browserXssFilter,
    customBrowserXSSValue: strings.customBrowserXSSValue,
    contentSecurityPolicy: strings.contentSecurityPolicy,
    contentSecurityPolicyReportOnly: strings.contentSecurityPolicyReportOnly,
    publicKey: strings.publicKey,
    referrerPolicy: strings.referrerPolicy,
    permissionsPolicy: strings.permissionsPolicy,
    isDevelopment: bools.isDevelopment,
  };
  if (!hasCustomHeaders(options) && !hasCorsHeaders(options) && !hasSecureHeaders(options) && !ignoredSet) {
    scope.error(
      DYNAMIC_CODES.INVALID_VALUE,
      f.path,
      `the headers middleware sets no option (Traefik refuses it: "headers configuration not valid")${scope.leftOut}`,
    );
    return undefined;
  }
  return { kind: 'headers', options };
}

/** Traefik's HasCustomHeadersDefined. */
export function hasCustomHeaders(o: HeadersOptions): boolean {
  return Object.keys(o.customRequestHeaders).length !== 0 || Object.keys(o.customResponseHeaders).length !== 0;
}

/** Traefik's HasCorsHeadersDefined: CORS handling (and preflight answers) is on. */
export function hasCorsHeaders(o: HeadersOptions): boolean {
  return (
    o.accessControlAllowCredentials ||
    o.accessControlAllowHeaders.length !== 0 ||
    o.accessControlAllowMethods.length !== 0 ||
    o.accessControlAllowOriginList.length !== 0 ||
    o.accessControlAllowOriginListRegex.length !== 0 ||
    o.accessControlExposeHeaders.length !== 0 ||
    o.accessControlMaxAge !== 0 ||
    o.addVaryHeader
  );
}

/** Traefik's HasSecureHeadersDefined (the ignored v2 options aside): the secure part is on. */
export function hasSecureHeaders(o: HeadersOptions): boolean {
  return (
    o.allowedHosts.length !== 0 ||
    o.hostsProxyHeaders.length !== 0 ||
    Object.keys(o.sslProxyHeaders).length !== 0 ||
    o.stsSeconds !== 0 ||
    o.stsIncludeSubdomains ||
    o.stsPreload ||
    o.forceSTSHeader ||
    o.frameDeny ||
    o.customFrameOptionsValue !== '' ||
    o.contentTypeNosniff ||
    o.browserXssFilter ||
    o.customBrowserXSSValue !== '' ||
    o.contentSecurityPolicy !== '' ||
    o.contentSecurityPolicyReportOnly !== '' ||
    o.publicKey !== '' ||
    o.referrerPolicy !== '' ||
    o.permissionsPolicy !== '' ||
    o.isDevelopment
  );
}

/** A header-name -> value map (custom headers, sslProxyHeaders); '' (or an empty value) is kept. */
export function readHeaderMap(scope: Scope, f: Field | undefined): Record<string, string> {
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

/** A list whose items go into header values (or, with `names`, are header names). */
function readValueList(scope: Scope, f: Field | undefined, names: boolean): readonly string[] {
  const list = readStringList(scope, f) ?? [];
  if (f === undefined) return list;
  list.forEach((item, i) => {
    const path = Array.isArray(f.value) ? [...f.path, i] : f.path;
    if (names && !HEADER_NAME.test(item)) scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `"${item}" is not a valid header name${scope.leftOut}`);
    else if (BAD_HEADER_VALUE.test(item)) scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `the value contains a line break or NUL${scope.leftOut}`);
  });
  return list;
}

function readHeaderValue(scope: Scope, f: Field | undefined): string {
  const value = readString(scope, f) ?? '';
  if (f !== undefined && BAD_HEADER_VALUE.test(value)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `the value contains a line break or NUL${scope.leftOut}`);
  }
  return value;
}

/** Each origin regex must be valid Go RE2 syntax that JavaScript can run. */
function checkRegexes(scope: Scope, f: Field | undefined, patterns: readonly string[]): void {
  if (f === undefined) return;
  patterns.forEach((pattern, i) => {
    const path = Array.isArray(f.value) ? [...f.path, i] : f.path;
    try {
      const t = translateRe2(pattern);
      new RegExp(t.source, t.flags);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      scope.error(DYNAMIC_CODES.INVALID_VALUE, path, `invalid origin regular expression ${JSON.stringify(pattern)}: ${why}${scope.leftOut}`);
    }
  });
}

/** Type-checks the options Traefik v3 ignores and warns about each; true when one is set (truthy). */
function readIgnored(scope: Scope, fields: Fields): boolean {
  let set = false;
  for (const [key, spec] of Object.entries(IGNORED)) {
    const f = fields.get(key);
    if (f === undefined) continue;
    const value = spec.type === 'bool' ? readBool(scope, f) : readString(scope, f);
    if (value === undefined && f.value !== null && f.value !== undefined) continue; // type error reported
    if (value === true || (typeof value === 'string' && value !== '')) set = true;
    scope.warn(DYNAMIC_CODES.DEPRECATED, f.path, `headers.${key} is deprecated and has no effect in Traefik v3 (use ${spec.instead}); it is ignored`);
  }
  return set;
}
