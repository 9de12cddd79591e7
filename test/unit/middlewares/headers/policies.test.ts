/**
 * The pure parts of the headers middleware: which origin CORS allows (and what it answers), and
 * which security headers unrolled/secure's rules produce for plain and HTTPS requests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEADERS_OPTIONS, type HeadersOptions } from '../../../../src/config/dynamic/schema/middlewares/headers.js';
import type { Exchange } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { CorsPolicy, OriginMatch } from '../../../../src/middlewares/headers/cors.js';
import { SecurePolicy } from '../../../../src/middlewares/headers/secure.js';

const opts = (o: Partial<HeadersOptions>): HeadersOptions => ({ ...DEFAULT_HEADERS_OPTIONS, ...o });

/** The request fields the policies read. */
function exchange(host: string, headers: string[] = [], tls = false): Exchange {
  return { host, headers: new HeaderList(headers), tls: tls ? { servername: undefined, protocol: 'TLSv1.3', cipher: '', alpn: undefined } : null } as unknown as Exchange;
}

void describe('CorsPolicy.match', () => {
  const cases: { desc: string; list: string[]; regex?: string[]; origin: string; want: OriginMatch }[] = [
    { desc: 'an exact origin', list: ['https://a.test'], origin: 'https://a.test', want: OriginMatch.Origin },
    { desc: 'another origin', list: ['https://a.test'], origin: 'https://b.test', want: OriginMatch.None },
    { desc: 'an exact entry before * wins', list: ['https://a.test', '*'], origin: 'https://a.test', want: OriginMatch.Origin },
    { desc: '* before the exact entry wins', list: ['*', 'https://a.test'], origin: 'https://a.test', want: OriginMatch.Star },
    { desc: '* matches a request without Origin', list: ['*'], origin: '', want: OriginMatch.Star },
    { desc: 'a regex found anywhere (not anchored)', list: [], regex: ['example\\.org'], origin: 'https://x.example.org.evil', want: OriginMatch.Origin },
    { desc: 'an anchored regex', list: [], regex: ['^https://[a-z]+\\.example\\.org$'], origin: 'https://x.example.org.evil', want: OriginMatch.None },
    { desc: 'a Go (?i) flag', list: [], regex: ['(?i)^https://A\\.TEST$'], origin: 'https://a.test', want: OriginMatch.Origin },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const cors = new CorsPolicy(opts({ accessControlAllowOriginList: c.list, accessControlAllowOriginListRegex: c.regex ?? [] }));
      assert.equal(cors.match(c.origin), c.want);
    });
  }

  void it('adds Origin to Vary once, keeping the first Vary value (as Traefik)', () => {
    const cors = new CorsPolicy(opts({ addVaryHeader: true }));
    const h = new HeaderList(['Vary', 'Accept-Encoding', 'Vary', 'Cookie']);
    cors.applyResponse(h, null);
    assert.deepEqual(h.raw, ['Vary', 'Accept-Encoding,Origin']);
    const same = new HeaderList(['Vary', 'Origin']);
    cors.applyResponse(same, null);
    assert.deepEqual(same.raw, ['Vary', 'Origin']);
  });
});

void describe('SecurePolicy', () => {
  const pairs = (p: readonly string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (let i = 0; i < p.length; i += 2) out[p[i] as string] = p[i + 1] as string;
    return out;
  };

  const cases: { desc: string; o: Partial<HeadersOptions>; plain: Record<string, string>; ssl: Record<string, string> }[] = [
    { desc: 'HSTS only over HTTPS', o: { stsSeconds: 10 }, plain: {}, ssl: { 'Strict-Transport-Security': 'max-age=10' } },
    { desc: 'stsIncludeSubdomains and stsPreload need stsSeconds', o: { stsIncludeSubdomains: true, stsPreload: true }, plain: {}, ssl: {} },
    { desc: 'forceSTSHeader sends HSTS over HTTP too', o: { stsSeconds: 10, stsPreload: true, forceSTSHeader: true }, plain: { 'Strict-Transport-Security': 'max-age=10; preload' }, ssl: { 'Strict-Transport-Security': 'max-age=10; preload' } },
    { desc: 'isDevelopment drops HSTS and HPKP', o: { stsSeconds: 10, forceSTSHeader: true, publicKey: 'k', isDevelopment: true, frameDeny: true }, plain: { 'X-Frame-Options': 'DENY' }, ssl: { 'X-Frame-Options': 'DENY' } },
    { desc: 'HPKP only over HTTPS', o: { publicKey: 'pin' }, plain: {}, ssl: { 'Public-Key-Pins': 'pin' } },
    { desc: 'custom values replace frameDeny and browserXssFilter', o: { frameDeny: true, customFrameOptionsValue: 'SAMEORIGIN', browserXssFilter: true, customBrowserXSSValue: '0' }, plain: { 'X-Frame-Options': 'SAMEORIGIN', 'X-XSS-Protection': '0' }, ssl: { 'X-Frame-Options': 'SAMEORIGIN', 'X-XSS-Protection': '0' } },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const s = new SecurePolicy(opts(c.o));
      assert.deepEqual(pairs(s.plainHeaders), c.plain);
      assert.deepEqual(pairs(s.sslHeaders), c.ssl);
    });
  }

  void it('counts TLS and exactly matching sslProxyHeaders as HTTPS; an empty value matches a missing header (Go)', () => {
    const s = new SecurePolicy(opts({ sslProxyHeaders: { 'X-Forwarded-Proto': 'https' } }));
    assert.equal(s.isSsl(exchange('a', [], true)), true);
    assert.equal(s.isSsl(exchange('a', ['x-forwarded-proto', 'https'])), true);
    assert.equal(s.isSsl(exchange('a', ['X-Forwarded-Proto', 'HTTPS'])), false);
    assert.equal(s.isSsl(exchange('a')), false);
    const empty = new SecurePolicy(opts({ sslProxyHeaders: { 'X-Ssl': '' } }));
    assert.equal(empty.isSsl(exchange('a')), true);
  });

  void it('checks allowedHosts case-insensitively against the first non-empty hostsProxyHeaders header, else Host', () => {
    const s = new SecurePolicy(opts({ allowedHosts: ['Good.test'], hostsProxyHeaders: ['X-A', 'X-B'] }));
    assert.equal(s.hostAllowed(exchange('good.TEST')), true);
    assert.equal(s.hostAllowed(exchange('evil.test', ['X-A', '', 'X-B', 'good.test'])), true);
    assert.equal(s.hostAllowed(exchange('good.test', ['X-A', 'evil.test'])), false);
    assert.equal(new SecurePolicy(opts({ allowedHosts: ['good.test'], isDevelopment: true })).hostAllowed(exchange('evil.test')), true);
  });
});
