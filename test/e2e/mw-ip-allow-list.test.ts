/**
 * ipAllowList (and the deprecated ipWhiteList) through the real binary, with clients on 127.0.0.1
 * and on ::1: the remote address, ipStrategy depth and excludedIPs over X-Forwarded-For (kept only
 * from a trusted peer), ipv6Subnet, rejectStatusCode, and a bad range disabling only its router.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string | undefined;
}

/** One request from the client address family of `address` (127.0.0.1 or ::1). */
function send(address: string, port: number, host: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, family: address.includes(':') ? 6 : 4, port, path: '/', headers: { host, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), contentType: res.headers['content-type'] }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

const MIDDLEWARES = `
  middlewares:
    local:
      ipAllowList:
        sourceRange: ["127.0.0.1/32"]
    v6:
      ipAllowList:
        sourceRange: ["::1/128"]
    v6net:
      ipAllowList:
        sourceRange: ["::"]
        ipStrategy:
          ipv6Subnet: 64
    v6exact:
      ipAllowList:
        sourceRange: ["::"]
    depth:
      ipAllowList:
        sourceRange: ["203.0.113.0/24", "2001:db8::/32"]
        ipStrategy:
          depth: 2
    excluded:
      ipAllowList:
        sourceRange: ["203.0.113.0/24"]
        ipStrategy:
          excludedIPs: ["10.0.0.0/8", "192.168.0.0/16"]
    teapot:
      ipAllowList:
        sourceRange: ["192.0.2.0/24"]
        rejectStatusCode: 418
    white:
      ipWhiteList:
        sourceRange: ["127.0.0.1", "::1"]
    bad:
      ipAllowList:
        sourceRange: ["10.0.0.0/8", "foobar"]
`;

const ROUTERS = ['local', 'v6', 'v6net', 'v6exact', 'depth', 'excluded', 'teapot', 'white', 'bad', 'plain'];

describe('ipAllowList middleware (e2e)', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port4: number;
  let port6: number;
  let upstream: Upstream;
  let hits = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-ip-'));
    upstream = await startUpstream((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('allowed');
    });
    const routers = ROUTERS.map((n) => `    ${n}:\n      rule: "Host(\`${n}.test\`)"\n      service: up\n` + (n === 'plain' ? '' : `      middlewares: [${n}]\n`)).join('');
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(dyn, `http:\n  routers:\n${routers}${MIDDLEWARES}  services:\n    up:\n      loadBalancer:\n        servers:\n          - url: "${upstream.url}"\n`);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      // X-Forwarded-For is kept from 127.0.0.1 only; the ::1 client's is removed by the entry point.
      '--entryPoints.web.forwardedHeaders.trustedIPs=127.0.0.1',
      '--entryPoints.web6.address=[::1]:0',
      `--providers.file.filename=${dyn}`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port4 = (await tp.waitForLog('web listening', (r) => r.msg === 'entryPoint listening' && r.entryPoint === 'web')).port as number;
    port6 = (await tp.waitForLog('web6 listening', (r) => r.msg === 'entryPoint listening' && r.entryPoint === 'web6')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const v4 = (host: string, headers?: Record<string, string>): Promise<Answer> => send('127.0.0.1', port4, host, headers);
  const v6 = (host: string, headers?: Record<string, string>): Promise<Answer> => send('::1', port6, host, headers);

  it('checks the remote address: 127.0.0.1 allowed, ::1 refused with 403 Forbidden (text/plain)', async () => {
    assert.deepEqual(await v4('local.test'), { status: 200, body: 'allowed', contentType: 'text/plain' });
    const before = hits;
    assert.deepEqual(await v6('local.test'), { status: 403, body: 'Forbidden', contentType: 'text/plain; charset=utf-8' });
    assert.equal(hits, before, 'a refused request never reaches the upstream');
  });

  it('matches an IPv6 client (::1) against an IPv6 range', async () => {
    assert.equal((await v6('v6.test')).status, 200);
    assert.equal((await v4('v6.test')).status, 403);
  });

  it('ipv6Subnet reduces ::1 to its /64 prefix (::) before the check', async () => {
    assert.equal((await v6('v6net.test')).status, 200);
    assert.equal((await v6('v6exact.test')).status, 403, 'without ipv6Subnet ::1 is not ::');
  });

  const depthCases: { desc: string; xff: string | undefined; status: number }[] = [
    { desc: 'the second entry from the right is allowed', xff: '203.0.113.7, 10.0.0.1', status: 200 },
    { desc: 'an IPv6 second entry from the right is allowed', xff: '198.51.100.1, 2001:db8::5, 10.0.0.1', status: 200 },
    { desc: 'the second entry from the right is not allowed (the first one is)', xff: '198.51.100.1, 203.0.113.7', status: 403 },
    { desc: 'a second entry with a port is reduced to its host', xff: '203.0.113.7:5555, 10.0.0.1', status: 200 },
    { desc: 'too few entries', xff: '203.0.113.7', status: 403 },
    { desc: 'no X-Forwarded-For (the remote address is not used)', xff: undefined, status: 403 },
  ];
  for (const c of depthCases) {
    it(`depth 2: ${c.desc} -> ${c.status}`, async () => {
      const r = await v4('depth.test', c.xff === undefined ? {} : { 'x-forwarded-for': c.xff });
      assert.equal(r.status, c.status);
    });
  }

  it("depth 2: an untrusted peer's X-Forwarded-For is removed before the check", async () => {
    assert.equal((await v6('depth.test', { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' })).status, 403);
  });

  const excludedCases: { desc: string; xff: string; status: number }[] = [
    { desc: 'skips the excluded proxies from the right', xff: '203.0.113.7, 10.1.1.1, 192.168.1.1', status: 200 },
    { desc: 'the first non-excluded entry is not allowed', xff: '203.0.113.7, 198.51.100.1, 10.1.1.1', status: 403 },
    { desc: 'every entry excluded', xff: '10.1.1.1, 192.168.1.1', status: 403 },
  ];
  for (const c of excludedCases) {
    it(`excludedIPs: ${c.desc} -> ${c.status}`, async () => {
      assert.equal((await v4('excluded.test', { 'x-forwarded-for': c.xff })).status, c.status);
    });
  }

  it('rejectStatusCode sets the status and Go status text', async () => {
    assert.deepEqual(await v4('teapot.test'), { status: 418, body: "I'm a teapot", contentType: 'text/plain; charset=utf-8' });
  });

  it('serves the deprecated ipWhiteList like ipAllowList, with a warning in the log', async () => {
    assert.equal((await v4('white.test')).status, 200);
    assert.equal((await v6('white.test')).status, 200);
    const warned = tp.logs.some((l) => l.msg === 'configuration warning' && /ipWhiteList middleware is deprecated/.test(String(l.error)));
    assert.ok(warned, 'a deprecation warning was logged');
  });

  it('disables only the router whose ipAllowList has a bad range, naming the middleware and the entry', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(errors.some((e) => /"foobar" is not an IP address or CIDR block/.test(e) && /sourceRange\[1\]/.test(e)), JSON.stringify(errors));
    assert.ok(errors.some((e) => /middleware "bad@file"/.test(e)), JSON.stringify(errors));
    assert.equal((await v4('bad.test')).status, 404);
    assert.equal((await v4('plain.test')).status, 200);
  });
});
