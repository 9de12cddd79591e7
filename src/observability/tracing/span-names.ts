/**
 * Span names Traefik gives its spans: `EntryPoint`, `Router`, `Service`, `ReverseProxy`, and for a
 * middleware the type name its Go package declares (not always the configuration key: errors is
 * `customError`, rateLimit `RateLimiterType`, ipAllowList `IPAllowLister`).
 */
import type { MiddlewareKind } from '../../config/dynamic/types.js';

export const ENTRY_POINT_SPAN = 'EntryPoint';
export const ROUTER_SPAN = 'Router';
export const SERVICE_SPAN = 'Service';
export const UPSTREAM_SPAN = 'ReverseProxy';

const MIDDLEWARE_TYPE_NAMES: Readonly<Partial<Record<MiddlewareKind, string>>> = {
  addPrefix: 'AddPrefix',
  basicAuth: 'BasicAuth',
  buffering: 'Buffer',
  chain: 'Chain',
  circuitBreaker: 'CircuitBreaker',
  compress: 'Compress',
  contentType: 'ContentType',
  digestAuth: 'DigestAuth',
  errors: 'customError',
  forwardAuth: 'ForwardAuth',
  grpcWeb: 'GRPCWeb',
  headers: 'Headers',
  inFlightReq: 'InFlightReq',
  ipAllowList: 'IPAllowLister',
  passTLSClientCert: 'PassClientTLSCert',
  rateLimit: 'RateLimiterType',
  redirectRegex: 'RedirectRegex',
  redirectScheme: 'RedirectScheme',
  replacePath: 'ReplacePath',
  replacePathRegex: 'ReplacePathRegex',
  retry: 'Retry',
  stripPrefix: 'StripPrefix',
  stripPrefixRegex: 'StripPrefixRegex',
};

/** The span name of a middleware of this kind (a kind not listed: its key capitalised); `Middleware` when unknown. */
export function middlewareSpanName(kind: string | undefined): string {
  if (kind === undefined || kind === '') return 'Middleware';
  const known = Object.hasOwn(MIDDLEWARE_TYPE_NAMES, kind) ? MIDDLEWARE_TYPE_NAMES[kind as MiddlewareKind] : undefined;
  return known ?? kind.charAt(0).toUpperCase() + kind.slice(1);
}

/** `ref` qualified with the provider of `routerName` when it names none (`auth` in `r@file` -> `auth@file`). */
export function qualify(ref: string, routerName: string): string {
  if (ref.includes('@')) return ref;
  const at = routerName.lastIndexOf('@');
  return at < 0 ? ref : ref + routerName.slice(at);
}
