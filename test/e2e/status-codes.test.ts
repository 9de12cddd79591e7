/**
 * Traefik's status codes through the real binary: no router 404, unreachable upstream 502,
 * slow upstream 504 (responseHeaderTimeout), no server 503, and forwarding basics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';

describe('status codes and forwarding', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let echo: Upstream;
  let slow: Upstream;
  let closedPort: number;
  const pending: (() => void)[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-status-'));
    echo = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, headers: req.headers }));
    });
    slow = await startUpstream((_req, res) => {
      pending.push(() => res.end('late'));
    });
    // A port nothing listens on: bind, read the port, close.
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    echo:
      rule: "Host(\`echo.test\`)"
      service: echo
      middlewares: [strip, hdr]
    down:
      rule: "Host(\`down.test\`)"
      service: down
    slow:
      rule: "Host(\`slow.test\`)"
      service: slow
    empty:
      rule: "Host(\`empty.test\`)"
      service: empty
    nohost:
      rule: "Host(\`nohost.test\`)"
      service: nohost
  middlewares:
    strip:
      stripPrefix:
        prefixes: ["/api"]
    hdr:
      headers:
        customRequestHeaders:
          X-Added: "yes"
          User-Agent: ""
        customResponseHeaders:
          X-Resp: "r"
  services:
    echo:
      loadBalancer:
        servers:
          - url: "${echo.url}/ignored/path"
    down:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closedPort}"
    slow:
      loadBalancer:
        serversTransport: quick
        servers:
          - url: "${slow.url}"
    empty:
      loadBalancer:
        servers: []
    nohost:
      loadBalancer:
        passHostHeader: false
        servers:
          - url: "${echo.url}"
  serversTransports:
    quick:
      forwardingTimeouts:
        responseHeaderTimeout: 300ms
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    for (const p of pending) p();
    await tp?.stop();
    await echo?.close();
    await slow?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 404 "404 page not found" when no router matches', async () => {
    const r = await get(port, '/', { host: 'nothing.test' });
    assert.equal(r.status, 404);
    assert.equal(r.body, '404 page not found\n');
  });

  it('forwards with middlewares applied, the server path ignored, and X-Forwarded-* set', async () => {
    const r = await get(port, '/api/users?x=1', { host: 'echo.test', headers: { 'user-agent': 'test', 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-resp'], 'r');
    const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    assert.equal(seen.url, '/users?x=1');
    assert.equal(seen.headers['x-added'], 'yes');
    assert.equal(seen.headers['user-agent'], undefined);
    assert.equal(seen.headers['x-forwarded-prefix'], '/api');
    assert.equal(seen.headers.host, 'echo.test');
    assert.equal(seen.headers['x-forwarded-host'], 'echo.test');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-real-ip'], '127.0.0.1');
    // The client is not trusted: its X-Forwarded-For is dropped and replaced by the peer.
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  });

  it('sends the server host when passHostHeader is false', async () => {
    const r = await get(port, '/', { host: 'nohost.test' });
    const seen = JSON.parse(r.body) as { headers: Record<string, string> };
    assert.equal(seen.headers.host, `127.0.0.1:${echo.port}`);
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const r = await get(port, '/', { host: 'down.test' });
    assert.equal(r.status, 502);
  });

  it('answers 504 when the upstream is slower than responseHeaderTimeout', async () => {
    const r = await get(port, '/', { host: 'slow.test' });
    assert.equal(r.status, 504);
  });

  it('answers 503 "no available server" when the service has no server', async () => {
    const r = await get(port, '/', { host: 'empty.test' });
    assert.equal(r.status, 503);
    assert.equal(r.body, 'no available server\n');
  });
});
