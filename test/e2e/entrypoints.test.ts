/**
 * Several entry points at once, Traefik's generated entry-point redirection, and graceful
 * shutdown on SIGTERM that lets an in-flight request finish.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('entry points', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let webPort: number;
  let altPort: number;
  let securePort: number;
  let releaseSlow: (() => void) | undefined;
  let slowArrived: (() => void) | undefined;
  const slowSeen = new Promise<void>((r) => (slowArrived = r));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-eps-'));
    up = await startUpstream((req, res) => {
      if (req.url === '/slow') {
        slowArrived?.();
        releaseSlow = () => res.end('slow done');
        return;
      }
      res.end(`ok ${req.url}`);
    });
    webPort = await freePort();
    altPort = await freePort();
    securePort = await freePort();
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    all:
      rule: "PathPrefix(\`/\`)"
      service: up
    altonly:
      rule: "Path(\`/alt-only\`)"
      entryPoints: [alt]
      service: up
  services:
    up:
      loadBalancer:
        servers:
          - url: "${up.url}"
`,
    );
    const staticFile = join(dir, 'traefik.yml');
    writeFileSync(
      staticFile,
      `entryPoints:
  web:
    address: "127.0.0.1:${webPort}"
    transport:
      lifeCycle:
        graceTimeOut: 5s
  alt:
    address: "127.0.0.1:${altPort}"
  redirect:
    address: "127.0.0.1:0"
    http:
      redirections:
        entryPoint:
          to: websecure
          scheme: https
  websecure:
    address: "127.0.0.1:${securePort}"
providers:
  file:
    filename: ${dyn}
log:
  format: json
  level: INFO
`,
    );
    tp = new TurnpikeProcess([`--configFile=${staticFile}`]);
    await waitFor('four entry points', () => (tp.count((r) => r.msg === 'entryPoint listening') === 4 ? true : undefined));
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    releaseSlow?.();
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves each entry point on its own port, with per-entry-point routers', async () => {
    assert.equal((await get(webPort, '/x')).body, 'ok /x');
    assert.equal((await get(altPort, '/x')).body, 'ok /x');
    assert.equal((await get(altPort, '/alt-only')).body, 'ok /alt-only');
    // `altonly` is attached to `alt` only; on `web` the catch-all answers.
    assert.equal((await get(webPort, '/alt-only')).body, 'ok /alt-only');
  });

  it('generates the entry-point redirection (permanent, to the target entry point port)', async () => {
    const rec = tp.logs.find((r) => r.msg === 'entryPoint listening' && r.entryPoint === 'redirect');
    const port = rec?.port as number;
    const r = await get(port, '/a/b?c=1', { host: 'example.test' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, `https://example.test:${securePort}/a/b?c=1`);
    const post = await get(port, '/p', { host: 'example.test', method: 'POST', body: 'x' });
    assert.equal(post.status, 308);
    assert.equal(post.body, 'Permanent Redirect');
    const head = await get(port, '/h', { host: 'example.test', method: 'HEAD' });
    assert.equal(head.status, 308);
  });

  it('drains an in-flight request on SIGTERM and then exits 0', async () => {
    const inFlight = get(webPort, '/slow');
    await slowSeen;
    tp.child.kill('SIGTERM');
    await tp.waitForLog('shutdown started', (r) => r.msg === 'shutting down');
    releaseSlow?.();
    const r = await inFlight;
    assert.equal(r.body, 'slow done');
    assert.equal(await tp.exited(), 0);
  });
});
