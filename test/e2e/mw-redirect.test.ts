/**
 * redirectScheme and redirectRegex as router middlewares, through the real binary: statuses by
 * method (302/307, permanent 301/308), the target port (80/443 omitted), the request scheme taken
 * from trusted X-Forwarded-Proto (http/ws, https/wss), no redirect when the URL would not change
 * (the request reaches the upstream), Go-style replacements, 502 for a URL Go cannot parse, and the
 * entry-point redirection (same code) still working.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get, type SimpleResponse } from '../helpers/http-client.js';

const MIDDLEWARES = `
  middlewares:
    tohttps:
      redirectScheme:
        scheme: https
    tohttps-perm:
      redirectScheme:
        scheme: https
        permanent: true
    tohttps-port:
      redirectScheme:
        scheme: https
        port: "8443"
    tohttps-443:
      redirectScheme:
        scheme: https
        port: 443
    tohttp:
      redirectScheme:
        scheme: http
        port: "80"
    rx:
      redirectRegex:
        regex: "^http://old\\\\.test(:[0-9]+)?/(.*)"
        replacement: "https://new.test/\${2}"
    rx-perm:
      redirectRegex:
        regex: "^http://perm\\\\.test/(?P<rest>.*)"
        replacement: "https://www.perm.test/$rest"
        permanent: true
    rx-same:
      redirectRegex:
        regex: "^(http://same\\\\.test/.*)$"
        replacement: "$1"
    rx-broken:
      redirectRegex:
        regex: "^http://broken\\\\.test/(.*)"
        replacement: "://broken/$1"
`;

/** [router name, Host, middlewares] */
const ROUTERS: readonly (readonly [string, string, string])[] = [
  ['tohttps', 'tohttps.test', 'tohttps'],
  ['tohttpsperm', 'perm-scheme.test', 'tohttps-perm'],
  ['tohttpsport', 'port.test', 'tohttps-port'],
  ['tohttps443', 'p443.test', 'tohttps-443'],
  ['tohttp', 'tohttp.test', 'tohttp'],
  ['rx', 'old.test', 'rx'],
  ['rxperm', 'perm.test', 'rx-perm'],
  ['rxsame', 'same.test', 'rx-same'],
  ['rxbroken', 'broken.test', 'rx-broken'],
];

describe('redirect middlewares (redirectScheme, redirectRegex)', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let redirectPort: number;
  let upstream: Upstream;

  const send = (host: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SimpleResponse> =>
    get(port, path, { host, ...opts });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-redirect-'));
    upstream = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`upstream ${req.url ?? ''}`);
    });
    const routers = ROUTERS.map(([name, host, mw]) => `    ${name}:\n      rule: "Host(\`${host}\`)"\n      service: up\n      middlewares: [${mw}]\n`).join('');
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, `http:\n  routers:\n${routers}${MIDDLEWARES}  services:\n    up:\n      loadBalancer:\n        servers:\n          - url: "${upstream.url}"\n`);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      // Trust the client's X-Forwarded-Proto, as behind a TLS-terminating proxy.
      '--entryPoints.web.forwardedHeaders.insecure=true',
      '--entryPoints.redirect.address=127.0.0.1:0',
      '--entryPoints.redirect.http.redirections.entryPoint.to=:9443',
      '--entryPoints.redirect.http.redirections.entryPoint.scheme=https',
      `--providers.file.filename=${dyn}`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    await tp.waitForLog('two entry points', (r) => r.msg === 'entryPoint listening' && tp.count((x) => x.msg === 'entryPoint listening') === 2);
    port = tp.logs.find((r) => r.msg === 'entryPoint listening' && r.entryPoint === 'web')?.port as number;
    redirectPort = tp.logs.find((r) => r.msg === 'entryPoint listening' && r.entryPoint === 'redirect')?.port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('redirectScheme', () => {
    const statuses: { desc: string; host: string; method: string; status: number; text: string }[] = [
      { desc: 'GET -> 302 Found', host: 'tohttps.test', method: 'GET', status: 302, text: 'Found' },
      { desc: 'POST -> 307 (replayed as is)', host: 'tohttps.test', method: 'POST', status: 307, text: 'Temporary Redirect' },
      { desc: 'HEAD -> 307 (only GET gets 302)', host: 'tohttps.test', method: 'HEAD', status: 307, text: '' },
      { desc: 'permanent GET -> 301', host: 'perm-scheme.test', method: 'GET', status: 301, text: 'Moved Permanently' },
      { desc: 'permanent PUT -> 308', host: 'perm-scheme.test', method: 'PUT', status: 308, text: 'Permanent Redirect' },
    ];
    for (const c of statuses) {
      it(c.desc, async () => {
        const r = await send(c.host, '/a/b?c=1', { method: c.method });
        assert.equal(r.status, c.status);
        assert.equal(r.headers.location, `https://${c.host}/a/b?c=1`);
        assert.equal(r.body, c.text);
        assert.equal(r.headers['content-type'], undefined, 'Traefik v3 sends redirects without Content-Type');
      });
    }

    it('drops the request port and puts the configured one', async () => {
      assert.equal((await send('tohttps.test:8080', '/x')).headers.location, 'https://tohttps.test/x');
      assert.equal((await send('port.test:8080', '/x')).headers.location, 'https://port.test:8443/x');
      assert.equal((await send('port.test', '/x')).headers.location, 'https://port.test:8443/x');
    });

    it('omits port 443 for https (given as a number)', async () => {
      assert.equal((await send('p443.test', '/x')).headers.location, 'https://p443.test/x');
    });

    it('does not redirect a request that already came over https (trusted X-Forwarded-Proto https or wss)', async () => {
      for (const proto of ['https', 'wss', 'HTTPS']) {
        const r = await send('tohttps.test', '/x?q', { headers: { 'X-Forwarded-Proto': proto } });
        assert.equal(r.status, 200, proto);
        assert.equal(r.body, 'upstream /x?q');
      }
    });

    it('still redirects when https arrived on another port than the target', async () => {
      const r = await send('port.test:9000', '/x', { headers: { 'X-Forwarded-Proto': 'https' } });
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, 'https://port.test:8443/x');
    });

    it('treats X-Forwarded-Proto ws as http, and an unknown value as absent', async () => {
      assert.equal((await send('tohttps.test', '/x', { headers: { 'X-Forwarded-Proto': 'ws' } })).status, 302);
      assert.equal((await send('tohttps.test', '/x', { headers: { 'X-Forwarded-Proto': 'gopher' } })).status, 302);
    });

    it('to http with port 80: a plain request on :80 (or no port) is already there', async () => {
      assert.equal((await send('tohttp.test:80', '/x')).status, 200);
      assert.equal((await send('tohttp.test', '/x')).status, 200);
      const r = await send('tohttp.test', '/x', { headers: { 'X-Forwarded-Proto': 'https' } });
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, 'http://tohttp.test/x');
    });
  });

  describe('redirectRegex', () => {
    it('redirects to the expanded replacement (${2}), the Host port and query included in the match', async () => {
      const r = await send('old.test:8080', '/some/path?x=1');
      assert.equal(r.status, 302);
      assert.equal(r.headers.location, 'https://new.test/some/path?x=1');
      assert.equal(r.body, 'Found');
      assert.equal((await send('old.test', '/p', { method: 'DELETE' })).status, 307);
    });

    it('permanent, with a named group ($rest)', async () => {
      const r = await send('perm.test', '/a?b');
      assert.equal(r.status, 301);
      assert.equal(r.headers.location, 'https://www.perm.test/a?b');
      assert.equal((await send('perm.test', '/a', { method: 'POST', body: 'x' })).status, 308);
    });

    it('goes on to the upstream when the replacement gives the same URL', async () => {
      const r = await send('same.test', '/kept?q=1');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'upstream /kept?q=1');
    });

    it("goes on when the regexp does not match (here: the Host's port breaks the anchor)", async () => {
      const r = await send('perm.test:8080', '/a');
      assert.equal(r.status, 200);
    });

    it('answers 502 when Go could not parse the new URL', async () => {
      const r = await send('broken.test', '/x');
      assert.equal(r.status, 502);
      assert.equal(r.body, 'Bad Gateway');
    });
  });

  describe('entry-point redirection (shares the redirectScheme code)', () => {
    it('redirects to https on the target port, 301/308', async () => {
      const g = await get(redirectPort, '/a?b=1', { host: 'ep.test' });
      assert.equal(g.status, 301);
      assert.equal(g.headers.location, 'https://ep.test:9443/a?b=1');
      const p = await get(redirectPort, '/a', { host: 'ep.test:8000', method: 'POST', body: 'x' });
      assert.equal(p.status, 308);
      assert.equal(p.headers.location, 'https://ep.test:9443/a');
    });
  });
});
