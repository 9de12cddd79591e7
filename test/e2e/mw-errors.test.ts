/**
 * The errors middleware through the real binary: an upstream answering 404/503 (and others) gets
 * its response replaced by the error service's page under the original status; `{status}`,
 * `{originalStatus}` and `{url}` in the query; status ranges; statusRewrites; the request headers
 * the page request carries; the error service failing (Traefik: its failure text under the
 * original status); the proxy's own 502 caught; a missing service disabling only its router.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';

interface PageRequest {
  method: string;
  url: string;
  host: string;
  headers: Record<string, string | string[] | undefined>;
}

describe('errors middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let app: Upstream;
  let pages: Upstream;
  let closedPort: number;
  const pageRequests: PageRequest[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-errors-'));
    app = await startUpstream((req, res) => {
      const m = /^\/status\/(\d{3})/.exec(req.url ?? '');
      const code = m ? Number(m[1]) : 200;
      req.resume();
      req.on('end', () => {
        if (req.url?.startsWith('/big/')) {
          // A large original error body: dropped, streamed, never buffered.
          res.writeHead(500, { 'content-type': 'text/plain', 'x-original': 'yes' });
          res.end(Buffer.alloc(2 * 1024 * 1024, 'x'));
          return;
        }
        res.writeHead(code, { 'content-type': 'text/plain', 'x-original': 'yes' });
        res.end(`original ${code}`);
      });
    });
    pages = await startUpstream((req, res) => {
      pageRequests.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', headers: req.headers });
      // The page service answers 200 (or 404 for /missing): the client gets the original status either way.
      const body = `<h1>page ${req.url ?? ''}</h1>`;
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/html', 'x-page': 'yes', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const dyn = join(dir, 'dyn.yml');
    const router = (name: string, mw: string, service = 'app'): string => `    ${name}:\n      rule: "Host(\`${name}.test\`)"\n      service: ${service}\n      middlewares: [${mw}]\n`;
    writeFileSync(
      dyn,
      `http:
  routers:
${router('e', 'e')}${router('erw', 'erw')}${router('edown', 'edown')}${router('enone', 'enone')}${router('ehdr', 'ehdr')}${router('eproxy', 'eproxy', 'down')}${router('e404page', 'e404page')}${router('emissing', 'emissing')}${router('plain', 'e', 'app')}${router('eempty', 'e', 'empty')}
  middlewares:
    e:
      errors:
        status: ["500-599", "404"]
        service: pages
        query: "/{status}.html?orig={originalStatus}&u={url}"
    erw:
      errors:
        status: ["418", "502-504"]
        statusRewrites:
          "418": 404
          "502-504": 500
        service: pages
        query: "err/{status}/{originalStatus}"
    edown:
      errors:
        status: ["500-599"]
        service: down
    enone:
      errors:
        status: ["500-599"]
        service: empty
    ehdr:
      errors:
        status: "404"
        service: pages
        errorRequestHeaders: [Accept]
    eproxy:
      errors:
        status: ["502"]
        service: pages
        query: /proxy-{status}
    e404page:
      errors:
        status: ["503"]
        service: pages
        query: /missing
    emissing:
      errors:
        status: ["500"]
        service: nope
  services:
    app:
      loadBalancer:
        servers:
          - url: "${app.url}"
    pages:
      loadBalancer:
        servers:
          - url: "${pages.url}"
    down:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closedPort}"
    empty:
      loadBalancer:
        servers: []
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await app?.close();
    await pages?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function lastPage(): PageRequest {
    const p = pageRequests.at(-1);
    assert.ok(p, 'the error service was asked');
    return p;
  }

  it('upstream 404: the page body under 404, with {status}, {originalStatus} and {url} filled in', async () => {
    const before = pageRequests.length;
    const r = await get(port, '/status/404?x=1&y=a%20b', { host: 'e.test', headers: { accept: 'text/html', cookie: 'sid=1' } });
    assert.equal(r.status, 404);
    assert.equal(r.body, '<h1>page /404.html?orig=404&u=%2Fstatus%2F404%3Fx%3D1%26y%3Da%2520b</h1>');
    assert.equal(r.headers['content-type'], 'text/html');
    assert.equal(r.headers['x-page'], 'yes');
    assert.equal(r.headers['x-original'], undefined);
    assert.equal(pageRequests.length, before + 1);
    const p = lastPage();
    assert.equal(p.method, 'GET');
    assert.equal(p.host, 'e.test', 'the original Host (passHostHeader)');
    assert.equal(p.headers['cookie'], 'sid=1', 'every request header by default');
    assert.equal(p.headers['accept'], 'text/html');
  });

  it('upstream 503: the page under 503', async () => {
    const r = await get(port, '/status/503', { host: 'e.test' });
    assert.equal(r.status, 503);
    assert.equal(r.body, '<h1>page /503.html?orig=503&u=%2Fstatus%2F503</h1>');
  });

  const passing: { desc: string; path: string; status: number }[] = [
    { desc: '200', path: '/status/200', status: 200 },
    { desc: '403 (not in the ranges)', path: '/status/403', status: 403 },
    { desc: '499 (just below the range)', path: '/status/499', status: 499 },
    { desc: '302', path: '/status/302', status: 302 },
  ];
  for (const c of passing) {
    it(`a status outside the ranges passes untouched: ${c.desc}`, async () => {
      const before = pageRequests.length;
      const r = await get(port, c.path, { host: 'e.test' });
      assert.equal(r.status, c.status);
      assert.equal(r.body, `original ${c.status}`);
      assert.equal(r.headers['x-original'], 'yes');
      assert.equal(pageRequests.length, before, 'the error service is not asked');
    });
  }

  const ranges: { desc: string; status: number }[] = [
    { desc: 'lower bound 500', status: 500 },
    { desc: 'inside 5xx', status: 550 },
    { desc: 'upper bound 599', status: 599 },
  ];
  for (const c of ranges) {
    it(`range 500-599 is inclusive: ${c.desc}`, async () => {
      const r = await get(port, `/status/${c.status}`, { host: 'e.test' });
      assert.equal(r.status, c.status);
      assert.match(r.body, new RegExp(`page /${c.status}\\.html`));
    });
  }

  it('statusRewrites: 418 answered as 404, 503 as 500; {status} is the new code, {originalStatus} the old', async () => {
    const teapot = await get(port, '/status/418', { host: 'erw.test' });
    assert.equal(teapot.status, 404);
    assert.equal(teapot.body, '<h1>page /err/404/418</h1>');
    const unavailable = await get(port, '/status/503', { host: 'erw.test' });
    assert.equal(unavailable.status, 500);
    assert.equal(unavailable.body, '<h1>page /err/500/503</h1>');
    const other = await get(port, '/status/500', { host: 'erw.test' });
    assert.equal(other.status, 500);
    assert.equal(other.body, 'original 500', '500 is not in this middleware\'s status list');
  });

  it('errorRequestHeaders: only the listed headers reach the error service', async () => {
    await get(port, '/status/404', { host: 'ehdr.test', headers: { accept: 'application/json', cookie: 'secret=1', authorization: 'Basic eDp5' } });
    const p = lastPage();
    assert.equal(p.headers['accept'], 'application/json');
    assert.equal(p.headers['cookie'], undefined);
    assert.equal(p.headers['authorization'], undefined);
    assert.equal(p.host, 'ehdr.test');
  });

  it('the page request is a GET without body even for a POST with a body', async () => {
    const r = await get(port, '/status/500', { host: 'e.test', method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 500);
    const p = lastPage();
    assert.equal(p.method, 'GET');
    assert.equal(p.headers['content-length'], undefined);
    assert.equal(p.headers['transfer-encoding'], undefined);
  });

  it('HEAD: the original status and the page headers, no body', async () => {
    const r = await get(port, '/status/404', { host: 'e.test', method: 'HEAD' });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-page'], 'yes');
    assert.equal(r.body, '');
  });

  it('a large original error body is dropped; only the page is sent', async () => {
    const r = await get(port, '/big/x', { host: 'e.test' });
    assert.equal(r.status, 500);
    assert.equal(r.body, '<h1>page /500.html?orig=500&u=%2Fbig%2Fx</h1>');
  });

  it("the page's own status is ignored: the client gets the original one", async () => {
    const r = await get(port, '/status/503', { host: 'e404page.test' });
    assert.equal(r.status, 503);
    assert.equal(r.body, '<h1>page /missing</h1>');
  });

  it('the proxy\'s own 502 (upstream unreachable) is caught too', async () => {
    const r = await get(port, '/x', { host: 'eproxy.test' });
    assert.equal(r.status, 502);
    assert.equal(r.body, '<h1>page /proxy-502</h1>');
  });

  it('error service unreachable: the original status with the proxy\'s failure text (as Traefik)', async () => {
    const r = await get(port, '/status/503', { host: 'edown.test' });
    assert.equal(r.status, 503);
    assert.equal(r.body, 'Bad Gateway');
    assert.equal(r.headers['x-original'], undefined);
  });

  it('error service without servers: the original status with "no available server"', async () => {
    const r = await get(port, '/status/500', { host: 'enone.test' });
    assert.equal(r.status, 500);
    assert.equal(r.body, 'no available server\n');
  });

  it('the main service without servers (503 "no available server") is caught too', async () => {
    const r = await get(port, '/x', { host: 'eempty.test' });
    assert.equal(r.status, 503);
    assert.equal(r.body, '<h1>page /503.html?orig=503&u=%2Fx</h1>');
  });

  it('keep-alive: a caught response and a passed one on the same connection', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await get(port, '/status/404', { host: 'e.test', agent });
      const b = await get(port, '/status/200', { host: 'e.test', agent });
      const c = await get(port, '/status/503', { host: 'e.test', agent });
      assert.deepEqual([a.status, b.status, c.status], [404, 200, 503]);
      assert.equal(b.body, 'original 200');
      assert.match(c.body, /page \/503\.html/);
    } finally {
      agent.destroy();
    }
  });

  it('a missing error service disables only the routers using the middleware', async () => {
    const rec = await tp.waitForLog('emissing error', (r) => typeof r.error === 'string' && r.error.includes('emissing') && r.error.includes('"nope@file" does not exist'));
    assert.equal(rec.code, 'TPK_CFG_MIDDLEWARE_BUILD');
    await tp.waitForLog('router error', (r) => typeof r.error === 'string' && r.error.includes('routers.emissing') && r.error.includes('emissing@file'));
    assert.equal((await get(port, '/status/500', { host: 'emissing.test' })).status, 404);
    assert.equal((await get(port, '/status/200', { host: 'plain.test' })).status, 200);
  });
});
