/**
 * retry through the real binary with real peers: a closed port beside a good server (every request
 * ends on the good one, bodies intact, each try starting from the original request), the load
 * balancer trying another server under concurrency, exponential backoff when every server is down,
 * no retry once the request reached a server or a response head went out, and Traefik 3.7's
 * `status` retries (idempotent methods only unless retryNonIdempotentMethod, body resent).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { within } from '../helpers/wait.js';

async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const p = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return p;
}

function sha(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A response read to its end, or cut short (`aborted`). */
function fetchRaw(port: number, host: string, path = '/'): Promise<{ status: number; bytes: number; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, aborted: false }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, aborted: true }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, aborted: true }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('retry middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let good: Upstream;
  let headDie: Upstream;
  let flaky: Upstream;
  let resetter: Server;
  const sockets = new Set<Socket>();
  let goodHits = 0;
  let resetterRequests = 0;
  let headDieHits = 0;
  let flakyHits = 0;
  let flakyFailures = 0;
  let lastFlakyBody = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-retry-'));
    good = await startUpstream((req, res) => {
      goodHits++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url, method: req.method, length: body.length, sha: sha(body), added: req.headers['x-added'] ?? null }));
      });
    });
    headDie = await startUpstream((_req, res) => {
      headDieHits++;
      res.writeHead(200, { 'content-length': '100' });
      res.write('0123456789', () => res.socket?.destroy());
    });
    flaky = await startUpstream((req, res) => {
      flakyHits++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        lastFlakyBody = Buffer.concat(chunks).toString();
        if (flakyFailures > 0) {
          flakyFailures--;
          res.writeHead(503, { 'x-try': String(flakyHits) });
          res.end('busy');
          return;
        }
        res.writeHead(200, { 'x-try': String(flakyHits) });
        res.end('done');
      });
    });
    // Reads a whole request head, then drops the connection: the request reached the server.
    resetter = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      let head = '';
      s.on('data', (c: Buffer) => {
        head += c.toString('latin1');
        if (head.includes('\r\n\r\n')) {
          resetterRequests++;
          s.destroy();
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
    const resetterPort = (resetter.address() as AddressInfo).port;
    const closed1 = await freePort();
    const closed2 = await freePort();

    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    two:
      rule: "Host(\`two.test\`)"
      service: two
      middlewares: [retry3]
    three:
      rule: "Host(\`three.test\`)"
      service: three
      middlewares: [retry3]
    prefixed:
      rule: "Host(\`prefixed.test\`)"
      service: two
      middlewares: [retry3, addp, hdr]
    down:
      rule: "Host(\`down.test\`)"
      service: down
      middlewares: [backoff]
    downnow:
      rule: "Host(\`downnow.test\`)"
      service: down
      middlewares: [retry3]
    sent:
      rule: "Host(\`sent.test\`)"
      service: sent
      middlewares: [retry3]
    head:
      rule: "Host(\`head.test\`)"
      service: head
      middlewares: [retry3]
    status:
      rule: "Host(\`status.test\`)"
      service: flaky
      middlewares: [onstatus]
    statusany:
      rule: "Host(\`statusany.test\`)"
      service: flaky
      middlewares: [onstatusany]
    watched:
      rule: "Host(\`watched.test\`)"
      service: two
      middlewares: [retry3, cbnet]
  middlewares:
    retry3:
      retry:
        attempts: 3
    backoff:
      retry:
        attempts: 3
        initialInterval: 100ms
    onstatus:
      retry:
        attempts: 3
        status: ["503"]
    onstatusany:
      retry:
        attempts: 3
        status: "500-599"
        retryNonIdempotentMethod: true
    cbnet:
      circuitBreaker:
        expression: "NetworkErrorRatio() > 0.1"
        checkPeriod: 1ms
        fallbackDuration: 60s
    addp:
      addPrefix:
        prefix: /p
    hdr:
      headers:
        customRequestHeaders:
          X-Added: "once"
  services:
    two:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closed1}"
          - url: "${good.url}"
    three:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closed1}"
          - url: "http://127.0.0.1:${closed2}"
          - url: "${good.url}"
    down:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closed1}"
          - url: "http://127.0.0.1:${closed2}"
    sent:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${resetterPort}"
    head:
      loadBalancer:
        servers:
          - url: "${headDie.url}"
    flaky:
      loadBalancer:
        servers:
          - url: "${flaky.url}"
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await good?.close();
    await headDie?.close();
    await flaky?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => resetter.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries a closed port on the good server: every request succeeds', async () => {
    const before = goodHits;
    for (let i = 0; i < 10; i++) {
      const r = await get(port, `/x${i}`, { host: 'two.test' });
      assert.equal(r.status, 200, r.body);
      assert.equal((JSON.parse(r.body) as { path: string }).path, `/x${i}`);
    }
    assert.equal(goodHits - before, 10, 'each request reached the good server once');
  });

  it('sends the request body intact on the retry (it was never read from the client)', async () => {
    const body = Buffer.alloc(300_000, 'abcdefghij');
    for (let i = 0; i < 4; i++) {
      const r = await get(port, '/upload', { host: 'two.test', method: 'POST', body: body.toString(), headers: { 'content-type': 'text/plain' } });
      assert.equal(r.status, 200, r.body);
      const got = JSON.parse(r.body) as { method: string; length: number; sha: string };
      assert.deepEqual(got, { ...got, method: 'POST', length: body.length, sha: sha(body) });
    }
  });

  it('starts every try from the request as received (middlewares after retry apply once)', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await get(port, '/x', { host: 'prefixed.test' });
      assert.equal(r.status, 200, r.body);
      assert.deepEqual(JSON.parse(r.body), { ...(JSON.parse(r.body) as object), path: '/p/x', added: 'once' });
    }
  });

  it('tries another server each time: with two closed ports out of three, 3 attempts always succeed, even concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => get(port, `/c${i}`, { host: 'three.test' })));
    assert.deepEqual(
      results.map((r) => r.status),
      results.map(() => 200),
    );
  });

  it('answers 502 once the attempts are used up, after an exponential backoff', async () => {
    const t0 = performance.now();
    const r = await get(port, '/', { host: 'down.test' });
    const elapsed = performance.now() - t0;
    assert.equal(r.status, 502);
    assert.equal(r.body, 'Bad Gateway');
    // Two waits: [50, 150] ms then [71, 212] ms (100 ms +/- 50%, growing by 2^(1/2)).
    assert.ok(elapsed >= 115 && elapsed < 2_000, `took ${elapsed} ms`);
    const t1 = performance.now();
    assert.equal((await get(port, '/', { host: 'downnow.test' })).status, 502);
    assert.ok(performance.now() - t1 < elapsed, 'without initialInterval the tries follow at once');
  });

  it('does not retry once the request reached the server', async () => {
    const before = resetterRequests;
    const r = await get(port, '/', { host: 'sent.test' });
    assert.equal(r.status, 502);
    assert.equal(resetterRequests - before, 1);
  });

  it('does not retry once the response head went to the client', async () => {
    const before = headDieHits;
    const r = await within('a cut response', fetchRaw(port, 'head.test'));
    assert.equal(r.status, 200);
    assert.ok(r.aborted || r.bytes < 100, JSON.stringify(r));
    assert.equal(headDieHits - before, 1);
  });

  it('middlewares after retry see the failed tries: a circuit breaker there counts the network errors', async () => {
    // The first request or the second starts on the closed port; the breaker after retry sees
    // that 502 (the client does not), opens, and answers the retry itself.
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await get(port, '/', { host: 'watched.test' });
      statuses.push(r.status);
      if (r.status === 503) assert.equal(r.body, 'Service Unavailable');
    }
    assert.ok(statuses.includes(503), statuses.join(','));
    assert.ok(!statuses.includes(502), 'the 502 never reached the client');
  });

  it('with status, retries a listed status for GET and answers what the last try got', async () => {
    flakyFailures = 2;
    const before = flakyHits;
    const r = await get(port, '/', { host: 'status.test' });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'done');
    assert.equal(flakyHits - before, 3);

    flakyFailures = 5;
    const b2 = flakyHits;
    const r2 = await get(port, '/', { host: 'status.test' });
    assert.equal(r2.status, 503, 'the last try answers, whatever its status');
    assert.equal(r2.body, 'busy');
    assert.equal(flakyHits - b2, 3);
    flakyFailures = 0;
  });

  it('with status, does not retry POST unless retryNonIdempotentMethod, which resends the body', async () => {
    flakyFailures = 1;
    const before = flakyHits;
    const r = await get(port, '/', { host: 'status.test', method: 'POST', body: 'payload-1' });
    assert.equal(r.status, 503);
    assert.equal(flakyHits - before, 1);

    flakyFailures = 2;
    const b2 = flakyHits;
    const r2 = await get(port, '/', { host: 'statusany.test', method: 'POST', body: 'payload-2' });
    assert.equal(r2.status, 200);
    assert.equal(flakyHits - b2, 3);
    assert.equal(lastFlakyBody, 'payload-2', 'the body was sent again');
    flakyFailures = 0;
  });
});
