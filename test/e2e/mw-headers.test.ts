/**
 * The headers middleware through the real binary and a real upstream: custom request/response
 * headers, CORS (preflights answered by the proxy, checked with curl; simple requests with
 * node:http), security headers (HTTPS seen through sslProxyHeaders), allowedHosts, and a bad
 * headers middleware disabling only the router that uses it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';

const run = promisify(execFile);

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** curl -i: status line, headers (lower-cased names) and body of one request. */
async function curl(port: number, args: string[]): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-i', '--max-time', '5', ...args, `http://127.0.0.1:${port}/`], { timeout: 10_000 });
  const split = stdout.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = stdout.slice(0, split).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: stdout.slice(split + 4) };
}

const MIDDLEWARES = `
  middlewares:
    cors:
      headers:
        accessControlAllowMethods: [GET, OPTIONS, PUT]
        accessControlAllowHeaders: [X-Custom, Content-Type]
        accessControlAllowOriginList: ["https://app.test"]
        accessControlAllowOriginListRegex: ['^https://[a-z]+\\.example\\.org$']
        accessControlAllowCredentials: true
        accessControlExposeHeaders: [X-Exposed, X-Other]
        accessControlMaxAge: 600
        addVaryHeader: true
    star:
      headers:
        accessControlAllowOriginList: ["*"]
    secure:
      headers:
        frameDeny: true
        contentTypeNosniff: true
        browserXssFilter: true
        contentSecurityPolicy: "default-src 'self'"
        contentSecurityPolicyReportOnly: "script-src 'none'"
        referrerPolicy: same-origin
        permissionsPolicy: "camera=()"
        stsSeconds: 31536000
        stsIncludeSubdomains: true
        stsPreload: true
        publicKey: 'pin-sha256="base64=="; max-age=60'
        sslProxyHeaders:
          X-Forwarded-Proto: https
    force:
      headers:
        stsSeconds: 60
        forceSTSHeader: true
        frameDeny: true
        customFrameOptionsValue: SAMEORIGIN
        customBrowserXSSValue: "0"
        contentTypeNosniff: true
        customResponseHeaders:
          X-Content-Type-Options: ""
    dev:
      headers:
        isDevelopment: true
        stsSeconds: 60
        forceSTSHeader: true
        allowedHosts: [elsewhere.test]
    hosts:
      headers:
        allowedHosts: [good.test, "good.test:8443"]
        customResponseHeaders:
          X-Resp: from-headers
    proxied:
      headers:
        allowedHosts: [good.test]
        hostsProxyHeaders: [X-Original-Host]
    custom:
      headers:
        customRequestHeaders:
          Host: rewritten.test
          X-Added: "yes"
          User-Agent: ""
        customResponseHeaders:
          X-Backend-Drop: ""
          X-Resp: r
    badregex:
      headers:
        accessControlAllowOriginListRegex: ["(unclosed"]
    empty:
      headers: {}
`;

const ROUTERS: [string, string, string][] = [
  ['cors', 'Host(`cors.test`)', 'cors'],
  ['star', 'Host(`star.test`)', 'star'],
  ['secure', 'Host(`secure.test`)', 'secure'],
  ['force', 'Host(`force.test`)', 'force'],
  ['dev', 'Host(`dev.test`)', 'dev'],
  ['hosts', 'PathPrefix(`/hosts`)', 'hosts'],
  ['proxied', 'PathPrefix(`/proxied`)', 'proxied'],
  ['custom', 'Host(`custom.test`)', 'custom'],
  ['badregex', 'Host(`badregex.test`)', 'badregex'],
  ['empty', 'Host(`empty.test`)', 'empty'],
  ['plain', 'Host(`plain.test`)', ''],
];

describe('headers middleware (e2e)', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;
  let hits = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-headers-'));
    upstream = await startUpstream((req, res) => {
      hits++;
      res.writeHead(200, {
        'content-type': 'application/json',
        vary: 'Accept-Encoding',
        'access-control-allow-origin': 'https://backend.test',
        'x-frame-options': 'ALLOW-FROM backend',
        'x-backend-drop': 'x',
      });
      res.end(JSON.stringify({ method: req.method ?? '', url: req.url ?? '', headers: req.headers } satisfies Seen));
    });
    const routers = ROUTERS.map(([name, rule, mw]) => `    ${name}:\n      rule: "${rule}"\n      service: up\n` + (mw ? `      middlewares: [${mw}]\n` : '')).join('');
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, `http:\n  routers:\n${routers}${MIDDLEWARES}  services:\n    up:\n      loadBalancer:\n        servers:\n          - url: "${upstream.url}"\n`);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      // Trust the test client's X-Forwarded-* headers, as behind a TLS-terminating proxy.
      '--entryPoints.web.forwardedHeaders.insecure=true',
      `--providers.file.filename=${dyn}`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('CORS', () => {
    it('answers a preflight itself (curl), with every configured header and 200', async () => {
      const before = hits;
      const r = await curl(port, ['-X', 'OPTIONS', '-H', 'Host: cors.test', '-H', 'Origin: https://app.test', '-H', 'Access-Control-Request-Method: PUT', '-H', 'Access-Control-Request-Headers: X-Custom']);
      assert.equal(r.status, 200);
      assert.equal(r.body, '');
      assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.test');
      assert.equal(r.headers.get('access-control-allow-methods'), 'GET,OPTIONS,PUT');
      assert.equal(r.headers.get('access-control-allow-headers'), 'X-Custom,Content-Type');
      assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(r.headers.get('access-control-max-age'), '600');
      assert.equal(r.headers.get('content-length'), '0');
      assert.equal(hits, before, 'the preflight never reaches the upstream');
    });

    it('answers a preflight from an origin matched by regex with that origin', async () => {
      const r = await curl(port, ['-X', 'OPTIONS', '-H', 'Host: cors.test', '-H', 'Origin: https://foo.example.org', '-H', 'Access-Control-Request-Method: GET']);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), 'https://foo.example.org');
    });

    it('answers a preflight from a disallowed origin without Access-Control-Allow-Origin', async () => {
      const r = await curl(port, ['-X', 'OPTIONS', '-H', 'Host: cors.test', '-H', 'Origin: https://evil.test', '-H', 'Access-Control-Request-Method: GET']);
      assert.equal(r.status, 200);
      assert.equal(r.headers.has('access-control-allow-origin'), false);
      assert.equal(r.headers.get('access-control-max-age'), '600');
    });

    it('forwards an OPTIONS request that is not a preflight', async () => {
      const r = await get(port, '/', { host: 'cors.test', method: 'OPTIONS', headers: { origin: 'https://app.test' } });
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body) as Seen).method, 'OPTIONS');
    });

    it('sets the CORS headers on a simple request, overwriting the backend and extending Vary', async () => {
      const r = await get(port, '/', { host: 'cors.test', headers: { origin: 'https://app.test' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['access-control-allow-origin'], 'https://app.test');
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
      assert.equal(r.headers['access-control-expose-headers'], 'X-Exposed,X-Other');
      assert.equal(r.headers.vary, 'Accept-Encoding,Origin');
      assert.equal(r.headers['access-control-max-age'], undefined, 'max age is for preflights only');
    });

    it("leaves the backend's Access-Control-Allow-Origin for an origin that is not allowed (as Traefik)", async () => {
      const r = await get(port, '/', { host: 'cors.test', headers: { origin: 'https://evil.test' } });
      assert.equal(r.headers['access-control-allow-origin'], 'https://backend.test');
      assert.equal(r.headers.vary, 'Accept-Encoding,Origin');
    });

    it('answers * for any origin, or none, when the list holds *', async () => {
      const withOrigin = await get(port, '/', { host: 'star.test', headers: { origin: 'https://whatever.test' } });
      assert.equal(withOrigin.headers['access-control-allow-origin'], '*');
      const without = await get(port, '/', { host: 'star.test' });
      assert.equal(without.headers['access-control-allow-origin'], '*');
      const preflight = await curl(port, ['-X', 'OPTIONS', '-H', 'Host: star.test', '-H', 'Origin: https://x.test', '-H', 'Access-Control-Request-Method: GET']);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.equal(preflight.headers.get('access-control-max-age'), '0');
      assert.equal(preflight.headers.has('access-control-allow-methods'), false);
    });
  });

  describe('security headers', () => {
    it('sets the security headers over plain HTTP, without HSTS nor HPKP, overwriting the backend', async () => {
      const r = await get(port, '/', { host: 'secure.test' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['x-xss-protection'], '1; mode=block');
      assert.equal(r.headers['content-security-policy'], "default-src 'self'");
      assert.equal(r.headers['content-security-policy-report-only'], "script-src 'none'");
      assert.equal(r.headers['referrer-policy'], 'same-origin');
      assert.equal(r.headers['permissions-policy'], 'camera=()');
      assert.equal(r.headers['strict-transport-security'], undefined);
      assert.equal(r.headers['public-key-pins'], undefined);
    });

    it('adds HSTS and HPKP when sslProxyHeaders says the request is HTTPS', async () => {
      const r = await get(port, '/', { host: 'secure.test', headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(r.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains; preload');
      assert.equal(r.headers['public-key-pins'], 'pin-sha256="base64=="; max-age=60');
    });

    it('forceSTSHeader sends HSTS over HTTP; custom values win; customResponseHeaders can delete a security header', async () => {
      const r = await get(port, '/', { host: 'force.test' });
      assert.equal(r.headers['strict-transport-security'], 'max-age=60');
      assert.equal(r.headers['x-frame-options'], 'SAMEORIGIN');
      assert.equal(r.headers['x-xss-protection'], '0');
      assert.equal(r.headers['x-content-type-options'], undefined);
    });

    it('isDevelopment drops HSTS and the allowedHosts check', async () => {
      const r = await get(port, '/', { host: 'dev.test' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['strict-transport-security'], undefined);
    });
  });

  describe('allowedHosts', () => {
    const cases: { desc: string; host: string; path: string; headers?: Record<string, string>; status: number }[] = [
      { desc: 'an allowed host', host: 'good.test', path: '/hosts', status: 200 },
      { desc: 'an allowed host in other letter case', host: 'GOOD.test', path: '/hosts', status: 200 },
      { desc: 'an allowed host:port', host: 'good.test:8443', path: '/hosts', status: 200 },
      { desc: 'a host with a port that is not listed', host: 'good.test:9000', path: '/hosts', status: 500 },
      { desc: 'another host', host: 'evil.test', path: '/hosts', status: 500 },
      { desc: 'a hostsProxyHeaders header naming an allowed host', host: 'evil.test', path: '/proxied', headers: { 'x-original-host': 'good.test' }, status: 200 },
      { desc: 'a hostsProxyHeaders header naming another host', host: 'good.test', path: '/proxied', headers: { 'x-original-host': 'evil.test' }, status: 500 },
      { desc: 'an allowed Host when the hostsProxyHeaders header is absent', host: 'good.test', path: '/proxied', status: 200 },
    ];
    for (const c of cases) {
      it(`${c.status === 200 ? 'lets through' : 'answers 500 Bad Host to'} ${c.desc}`, async () => {
        const before = hits;
        const r = await get(port, c.path, { host: c.host, ...(c.headers ? { headers: c.headers } : {}) });
        assert.equal(r.status, c.status);
        if (c.status === 500) {
          assert.equal(r.body, 'Bad Host\n');
          assert.equal(hits, before, 'a bad host never reaches the upstream');
        }
      });
    }

    it('still applies customResponseHeaders to the Bad Host answer (as Traefik)', async () => {
      const r = await get(port, '/hosts', { host: 'evil.test' });
      assert.equal(r.status, 500);
      assert.equal(r.headers['x-resp'], 'from-headers');
    });
  });

  describe('custom headers', () => {
    it('rewrites the Host, adds and deletes request headers; sets and deletes response headers', async () => {
      const r = await get(port, '/', { host: 'custom.test', headers: { 'user-agent': 'ua' } });
      assert.equal(r.status, 200);
      const seen = JSON.parse(r.body) as Seen;
      assert.equal(seen.headers.host, 'rewritten.test');
      assert.equal(seen.headers['x-added'], 'yes');
      assert.equal(seen.headers['user-agent'], undefined);
      assert.equal(r.headers['x-resp'], 'r');
      assert.equal(r.headers['x-backend-drop'], undefined);
    });
  });

  describe('bad configuration', () => {
    const errorsAbout = (needle: string): string[] =>
      tp.logs.filter((l) => l.msg === 'configuration error' && String(l.error).includes(needle)).map((l) => String(l.error));

    it('disables the router of a headers middleware with an invalid origin regex, naming both', async () => {
      assert.ok(errorsAbout('badregex').some((e) => /invalid origin regular expression/.test(e)), JSON.stringify(errorsAbout('badregex')));
      assert.ok(errorsAbout('badregex').some((e) => /middleware "badregex@file"/.test(e)));
      assert.equal((await get(port, '/', { host: 'badregex.test' })).status, 404);
    });

    it('disables the router of an empty headers middleware (Traefik: headers configuration not valid)', async () => {
      assert.ok(errorsAbout('empty').some((e) => /headers configuration not valid/.test(e)));
      assert.equal((await get(port, '/', { host: 'empty.test' })).status, 404);
    });

    it('keeps serving the other routers', async () => {
      assert.equal((await get(port, '/', { host: 'plain.test' })).status, 200);
    });
  });
});
