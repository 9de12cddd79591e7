/**
 * The security part of the headers middleware, with unrolled/secure's semantics (what Traefik
 * runs):
 * - allowedHosts: the request host (the first non-empty header of hostsProxyHeaders, else the
 *   Host) must equal one entry, case-insensitively, port included, else 500 `Bad Host`;
 *   skipped when isDevelopment;
 * - the request counts as HTTPS when it came over TLS or one sslProxyHeaders entry matches
 *   exactly (an entry with an empty value matches a missing header, as in Go);
 * - response headers, overwriting the backend's: Strict-Transport-Security (stsSeconds != 0,
 *   HTTPS or forceSTSHeader, not isDevelopment), X-Frame-Options (customFrameOptionsValue, else
 *   DENY for frameDeny), X-Content-Type-Options: nosniff, X-XSS-Protection
 *   (customBrowserXSSValue, else `1; mode=block`), Public-Key-Pins (HTTPS only, not
 *   isDevelopment), Content-Security-Policy(-Report-Only), Referrer-Policy, Permissions-Policy.
 */
import type { HeadersOptions } from '../../config/dynamic/schema/middlewares/headers.js';
import type { Exchange } from '../../exchange/exchange.js';
import { equalsLower } from '../../exchange/headers.js';

/** Flat [name, value, ...] pairs set on the response. */
export type HeaderPairs = readonly string[];

export class SecurePolicy {
  /** Lower-cased allowed hosts; null when the check is off (none, or isDevelopment). */
  readonly #allowedHosts: readonly string[] | null;
  readonly #hostsProxyHeaders: readonly string[];
  /** [lower-case name, value, ...] */
  readonly #sslProxyHeaders: readonly string[];
  /** Response headers for plain HTTP and for HTTPS requests (the same array when they agree). */
  readonly plainHeaders: HeaderPairs;
  readonly sslHeaders: HeaderPairs;
  /** Whether the response depends on the request being HTTPS (else isSsl need not be asked). */
  readonly dependsOnSsl: boolean;

  constructor(o: HeadersOptions) {
    this.#allowedHosts = o.allowedHosts.length === 0 || o.isDevelopment ? null : o.allowedHosts.map((h) => h.toLowerCase());
    this.#hostsProxyHeaders = o.hostsProxyHeaders.map((h) => h.toLowerCase());
    this.#sslProxyHeaders = Object.entries(o.sslProxyHeaders).flatMap(([k, v]) => [k.toLowerCase(), v]);

    const common: string[] = [];
    if (o.customFrameOptionsValue !== '') common.push('X-Frame-Options', o.customFrameOptionsValue);
    else if (o.frameDeny) common.push('X-Frame-Options', 'DENY');
    if (o.contentTypeNosniff) common.push('X-Content-Type-Options', 'nosniff');
    if (o.customBrowserXSSValue !== '') common.push('X-XSS-Protection', o.customBrowserXSSValue);
    else if (o.browserXssFilter) common.push('X-XSS-Protection', '1; mode=block');
    if (o.contentSecurityPolicy !== '') common.push('Content-Security-Policy', o.contentSecurityPolicy);
    if (o.contentSecurityPolicyReportOnly !== '') common.push('Content-Security-Policy-Report-Only', o.contentSecurityPolicyReportOnly);
    if (o.referrerPolicy !== '') common.push('Referrer-Policy', o.referrerPolicy);
    if (o.permissionsPolicy !== '') common.push('Permissions-Policy', o.permissionsPolicy);

    const sts: string[] = [];
    if (o.stsSeconds !== 0 && !o.isDevelopment) {
      let value = `max-age=${o.stsSeconds}`;
      if (o.stsIncludeSubdomains) value += '; includeSubDomains';
      if (o.stsPreload) value += '; preload';
      sts.push('Strict-Transport-Security', value);
    }
    const hpkp = o.publicKey !== '' && !o.isDevelopment ? ['Public-Key-Pins', o.publicKey] : [];
    const plain = o.forceSTSHeader ? [...sts, ...common] : common;
    const ssl = [...sts, ...common, ...hpkp];
    this.dependsOnSsl = ssl.length !== plain.length;
    this.plainHeaders = plain;
    this.sslHeaders = this.dependsOnSsl ? ssl : plain;
  }

  /** False when allowedHosts is set and the request host is not in it. */
  hostAllowed(ex: Exchange): boolean {
    const allowed = this.#allowedHosts;
    if (allowed === null) return true;
    let host = ex.host;
    for (const name of this.#hostsProxyHeaders) {
      const v = ex.headers.get(name);
      if (v !== undefined && v !== '') {
        host = v;
        break;
      }
    }
    for (const a of allowed) if (equalsLower(host, a)) return true;
    return false;
  }

  /** Whether the request is HTTPS: TLS, or a matching sslProxyHeaders entry. */
  isSsl(ex: Exchange): boolean {
    if (ex.tls !== null) return true;
    const pairs = this.#sslProxyHeaders;
    for (let i = 0; i < pairs.length; i += 2) {
      if ((ex.headers.get(pairs[i] as string) ?? '') === pairs[i + 1]) return true;
    }
    return false;
  }
}
