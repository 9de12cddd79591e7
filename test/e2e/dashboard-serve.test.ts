/**
 * Serving the dashboard's static files (src/api/dashboard/serve.ts) through a real entry point:
 * redirects, Content-Type, caching (ETag/304, immutable hashed names), brotli/gzip, methods, a
 * missing build, and no directory traversal whatever the request target holds (raw bytes on a
 * socket, with sanitizePath on and off).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import { acceptedEncodings, assetNameOf, clearDashboardCache, DASHBOARD_CSP, serveDashboard } from '../../src/api/dashboard/serve.js';
import { entryPointConfig, rawExchange } from './entrypoint-helpers.js';
import { get } from '../helpers/http-client.js';

const SECRET = 'TOP-SECRET-0f9e8d';
const JS = `console.log(${JSON.stringify('dashboard '.repeat(200))});\n`;

function rawGet(port: number, target: string): Promise<{ status: number; text: string }> {
  return rawExchange(port, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]).then((r) => ({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(r.data)?.[1] ?? 0), text: r.data }));
}

function getBuffer(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard static files', () => {
  let root: string;
  let dir: string;
  const eps: HttpEntryPoint[] = [];
  const ports = { sanitized: 0, raw: 0, prefixed: 0, unbuilt: 0, trusting: 0 };

  async function start(base: string, assetDir: string, sanitizePath: boolean, trustForwarded = false): Promise<number> {
    const ep = new HttpEntryPoint(entryPointConfig({ http: { sanitizePath }, insecure: trustForwarded }));
    ep.setHandler((ex) => {
      if (!ex.path.startsWith(base)) return ex.response.sendText(404, 'outside basePath');
      return serveDashboard(ex, ex.path.slice(base.length - 1), base, assetDir);
    });
    eps.push(ep);
    return (await ep.listen()).port;
  }

  before(async () => {
    clearDashboardCache();
    root = mkdtempSync(join(tmpdir(), 'tp-dash-serve-'));
    dir = join(root, 'dashboard');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), SECRET);
    writeFileSync(join(dir, '.env'), SECRET);
    writeFileSync(join(dir, 'src', 'x.js'), SECRET);
    writeFileSync(join(dir, 'notes.md'), SECRET);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="./app-ABCD1234.js"></script>');
    writeFileSync(join(dir, 'app-ABCD1234.js'), JS);
    writeFileSync(join(dir, 'app-ABCD1234.css'), 'body{color:red}');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    ports.sanitized = await start('/', dir, true);
    ports.raw = await start('/', dir, false);
    ports.prefixed = await start('/tp/', dir, true);
    ports.unbuilt = await start('/', join(root, 'missing'), true);
    ports.trusting = await start('/', dir, true, true);
  });
  after(async () => {
    await Promise.all(eps.map((e) => e.close(0)));
    rmSync(root, { recursive: true, force: true });
  });

  it('redirects the basePath and /dashboard to /dashboard/ (302), keeping the query', async () => {
    const cases = [
      { desc: 'root', port: () => ports.sanitized, path: '/', location: '/dashboard/' },
      { desc: 'no trailing slash', port: () => ports.sanitized, path: '/dashboard', location: '/dashboard/' },
      { desc: 'query kept', port: () => ports.sanitized, path: '/dashboard?a=1', location: '/dashboard/?a=1' },
      { desc: 'basePath', port: () => ports.prefixed, path: '/tp/', location: '/tp/dashboard/' },
      { desc: 'basePath, no slash', port: () => ports.prefixed, path: '/tp/dashboard', location: '/tp/dashboard/' },
    ];
    for (const c of cases) {
      const r = await get(c.port(), c.path);
      assert.equal(r.status, 302, c.desc);
      assert.equal(r.headers.location, c.location, c.desc);
    }
  });

  it('honours a plain X-Forwarded-Prefix from a trusted peer in redirects, never another site', async () => {
    const cases = [
      { desc: 'prefix', prefix: '/edge', location: '/edge/dashboard/' },
      { desc: 'prefix with slash', prefix: '/edge/', location: '/edge/dashboard/' },
      { desc: 'scheme-relative refused', prefix: '//evil.example', location: '/dashboard/' },
      { desc: 'absolute URL refused', prefix: 'https://evil.example', location: '/dashboard/' },
      { desc: 'backslash refused', prefix: '/\\evil.example', location: '/dashboard/' },
    ];
    for (const c of cases) {
      const r = await get(ports.trusting, '/', { headers: { 'X-Forwarded-Prefix': c.prefix } });
      assert.equal(r.headers.location, c.location, c.desc);
    }
    const untrusted = await get(ports.sanitized, '/', { headers: { 'X-Forwarded-Prefix': '/edge' } });
    assert.equal(untrusted.headers.location, '/dashboard/', 'the entry point drops forwarded headers of untrusted peers');
  });

  it('serves index.html and the assets with their Content-Type, caching headers and CSP', async () => {
    const index = await get(ports.sanitized, '/dashboard/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.equal(index.headers['content-security-policy'], DASHBOARD_CSP);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.match(index.body, /app-ABCD1234\.js/);
    const cases = [
      { desc: 'script', path: '/dashboard/app-ABCD1234.js', type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable' },
      { desc: 'style', path: '/dashboard/app-ABCD1234.css', type: 'text/css; charset=utf-8', cache: 'public, max-age=31536000, immutable' },
      { desc: 'favicon', path: '/dashboard/favicon.svg', type: 'image/svg+xml', cache: 'no-cache' },
      { desc: 'index by name', path: '/dashboard/index.html', type: 'text/html; charset=utf-8', cache: 'no-cache' },
      { desc: 'under basePath', path: '/tp/dashboard/app-ABCD1234.js', type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable', port: () => ports.prefixed },
    ];
    for (const c of cases) {
      const r = await get((c.port ?? (() => ports.sanitized))(), c.path);
      assert.equal(r.status, 200, c.desc);
      assert.equal(r.headers['content-type'], c.type, c.desc);
      assert.equal(r.headers['cache-control'], c.cache, c.desc);
      assert.match(String(r.headers.etag), /^"[\w-]+"$/, c.desc);
    }
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const first = await get(ports.sanitized, '/dashboard/app-ABCD1234.js');
    const etag = String(first.headers.etag);
    const again = await get(ports.sanitized, '/dashboard/app-ABCD1234.js', { headers: { 'If-None-Match': `"other", ${etag}` } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
    const stale = await get(ports.sanitized, '/dashboard/app-ABCD1234.js', { headers: { 'If-None-Match': '"other"' } });
    assert.equal(stale.status, 200);
    const head = await get(ports.sanitized, '/dashboard/app-ABCD1234.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(JS)));
  });

  it('sends brotli or gzip when accepted and smaller, with Vary', async () => {
    const br = await getBuffer(ports.sanitized, '/dashboard/app-ABCD1234.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.equal(brotliDecompressSync(br.body).toString(), JS);
    const gz = await getBuffer(ports.sanitized, '/dashboard/app-ABCD1234.js', { 'Accept-Encoding': 'gzip, br;q=0' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), JS);
    const plain = await getBuffer(ports.sanitized, '/dashboard/app-ABCD1234.js', { 'Accept-Encoding': 'identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), JS);
    const tiny = await getBuffer(ports.sanitized, '/dashboard/app-ABCD1234.css', { 'Accept-Encoding': 'br' });
    assert.equal(tiny.headers['content-encoding'], undefined, 'small files go as they are');
  });

  it('answers 405 to other methods and 404 to unknown files', async () => {
    const post = await get(ports.sanitized, '/dashboard/', { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    for (const path of ['/dashboard/nope.js', '/dashboard/app-ABCD1234.js/', '/dashboardx', '/dashboard/sub/']) {
      assert.equal((await get(ports.sanitized, path)).status, 404, path);
    }
  });

  it('says the dashboard is not built when its files are missing', async () => {
    const r = await get(ports.unbuilt, '/dashboard/');
    assert.equal(r.status, 404);
    assert.match(r.body, /not built.*npm run build/);
  });

  it('never serves a file outside the whitelist, whatever the target (sanitizePath on and off)', async () => {
    const targets = [
      '/dashboard/../secret.txt',
      '/dashboard/%2e%2e/secret.txt',
      '/dashboard/%2E%2E%2Fsecret.txt',
      '/dashboard/..%2fsecret.txt',
      '/dashboard/..%5csecret.txt',
      '/dashboard/..\\secret.txt',
      '/dashboard/.env',
      '/dashboard/%2eenv',
      '/dashboard/src/x.js',
      '/dashboard/src%2fx.js',
      '/dashboard/notes.md',
      '/dashboard//etc/passwd',
      '/dashboard/%00index.html',
      '/dashboard/index.html%00.js',
      '/dashboard/./index.html/../../secret.txt',
      '/dashboard/%252e%252e/secret.txt',
    ];
    for (const port of [ports.sanitized, ports.raw]) {
      for (const t of targets) {
        const r = await rawGet(port, t);
        assert.ok(!r.text.includes(SECRET), `${t} leaked the secret`);
        assert.ok(r.status === 404 || r.status === 400 || r.status === 302, `${t}: status ${r.status}`);
      }
    }
  });
});

describe('dashboard serving helpers', () => {
  it('reads Accept-Encoding with q-values and *', () => {
    const cases = [
      { desc: 'none', header: undefined, want: { br: false, gzip: false } },
      { desc: 'both', header: 'gzip, br', want: { br: true, gzip: true } },
      { desc: 'q=0 refuses', header: 'br;q=0, gzip;q=0.5', want: { br: false, gzip: true } },
      { desc: 'star', header: '*', want: { br: true, gzip: true } },
      { desc: 'star with an exception', header: '*, br;q=0', want: { br: false, gzip: true } },
      { desc: 'x-gzip', header: 'x-gzip', want: { br: false, gzip: true } },
      { desc: 'spaces and case', header: ' GZIP ; Q=1 ', want: { br: false, gzip: true } },
    ];
    for (const c of cases) assert.deepEqual(acceptedEncodings(c.header), c.want, c.desc);
  });

  it('maps a path below /dashboard/ to one safe file name', () => {
    const cases = [
      { desc: 'index', sub: '', want: 'index.html' },
      { desc: 'asset', sub: 'app-X1.js', want: 'app-X1.js' },
      { desc: 'escaped letters', sub: 'app%2DX1.js', want: 'app-X1.js' },
      { desc: 'dot dot', sub: '..', want: undefined },
      { desc: 'escaped slash', sub: 'a%2Fb.js', want: undefined },
      { desc: 'subfolder', sub: 'src/x.js', want: undefined },
      { desc: 'dotfile', sub: '.env', want: undefined },
      { desc: 'unknown extension', sub: 'x.md', want: undefined },
      { desc: 'bad escape', sub: '%E0%A4%A.js', want: undefined },
      { desc: 'NUL', sub: 'a%00.js', want: undefined },
    ];
    for (const c of cases) assert.equal(assetNameOf(c.sub), c.want, c.desc);
  });
});
