/**
 * buffering through the real binary with real upstreams: request bodies over maxRequestBodyBytes
 * refused with 413 (declared or chunked), kept bodies forwarded with a Content-Length, responses
 * over maxResponseBodyBytes answered 500, bodies over the memory thresholds spilled to temporary
 * files (delivered intact, files removed afterwards), and retryExpression replaying the request.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor, within } from '../helpers/wait.js';

function sha(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic content of `n` bytes. */
function content(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** POST `body`, with a Content-Length or chunked (written in 64 KiB pieces). */
function post(port: number, host: string, path: string, body: Buffer, chunked: boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host };
    if (!chunked) headers['content-length'] = String(body.length);
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The proxy may answer (413) and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (let i = 0; i < body.length; i += 65_536) req.write(body.subarray(i, i + 65_536));
    req.end();
  });
}

function fetch(port: number, host: string, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Seen {
  readonly length: number;
  readonly sha: string;
  readonly contentLength: string | null;
  readonly transferEncoding: string | null;
}

describe('buffering middleware', () => {
  let dir: string;
  let spoolDir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let echo: Upstream;
  let big: Upstream;
  let flaky: Upstream;
  let echoHits = 0;
  let flakyHits = 0;
  let flakyFailures = 0;
  let flakyBodies: string[] = [];
  let release: (() => void) | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-buffering-'));
    spoolDir = join(dir, 'tmp');
    mkdirSync(spoolDir);
    echo = await startUpstream((req, res) => {
      echoHits++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const seen: Seen = {
          length: body.length,
          sha: sha(body),
          contentLength: req.headers['content-length'] ?? null,
          transferEncoding: req.headers['transfer-encoding'] ?? null,
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(seen));
      });
    });
    // Answers ?n=<bytes> of content, chunked (no Content-Length), in 16 KiB writes; with
    // &hold=1 it stops half-way until the test calls `release`.
    big = await startUpstream((req, res) => {
      const params = new URL(req.url ?? '/', 'http://x').searchParams;
      const n = Number(params.get('n') ?? '0');
      const body = content(n);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-upstream': 'big' });
      const half = params.get('hold') === '1' ? Math.floor(n / 2) : n;
      for (let i = 0; i < half; i += 16_384) res.write(body.subarray(i, Math.min(i + 16_384, half)));
      const rest = (): void => {
        for (let i = half; i < n; i += 16_384) res.write(body.subarray(i, i + 16_384));
        res.end();
      };
      if (half === n) rest();
      else release = rest;
    });
    flaky = await startUpstream((req, res) => {
      flakyHits++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        flakyBodies.push(Buffer.concat(chunks).toString());
        const fail = flakyFailures > 0;
        if (fail) flakyFailures--;
        res.writeHead(fail ? 503 : 200);
        res.end(fail ? 'busy' : 'done');
      });
    });
    const probe: Server = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    limit:
      rule: "Host(\`limit.test\`)"
      service: echo
      middlewares: [limit]
    spill:
      rule: "Host(\`spill.test\`) && PathPrefix(\`/echo\`)"
      service: echo
      middlewares: [spill]
    spillbig:
      rule: "Host(\`spill.test\`) && PathPrefix(\`/big\`)"
      service: big
      middlewares: [spill]
    resplimit:
      rule: "Host(\`resplimit.test\`)"
      service: big
      middlewares: [resplimit]
    netretry:
      rule: "Host(\`netretry.test\`)"
      service: halfdown
      middlewares: [netretry]
    coderetry:
      rule: "Host(\`coderetry.test\`)"
      service: flaky
      middlewares: [coderetry]
    badexpr:
      rule: "Host(\`badexpr.test\`)"
      service: echo
      middlewares: [badexpr]
  middlewares:
    limit:
      buffering:
        maxRequestBodyBytes: 1000
    spill:
      buffering:
        memRequestBodyBytes: 1024
        memResponseBodyBytes: 1024
    resplimit:
      buffering:
        maxResponseBodyBytes: 1000
    netretry:
      buffering:
        retryExpression: "IsNetworkError() && Attempts() < 2"
    coderetry:
      buffering:
        retryExpression: "ResponseCode() == 503 && Attempts() < 3"
    badexpr:
      buffering:
        retryExpression: "IsNetworkError() && Attempts() < 2.0"
  services:
    echo:
      loadBalancer:
        servers:
          - url: "${echo.url}"
    big:
      loadBalancer:
        servers:
          - url: "${big.url}"
    flaky:
      loadBalancer:
        servers:
          - url: "${flaky.url}"
    halfdown:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${closedPort}"
          - url: "${echo.url}"
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO'], {
      env: { TMPDIR: spoolDir },
    });
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await echo?.close();
    await big?.close();
    await flaky?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forwards a body under the limit with a Content-Length, chunked or not', async () => {
    for (const chunked of [false, true]) {
      const body = content(800);
      const r = await post(port, 'limit.test', '/', body, chunked);
      assert.equal(r.status, 200, r.body.toString());
      const seen = JSON.parse(r.body.toString()) as Seen;
      assert.deepEqual(seen, { length: 800, sha: sha(body), contentLength: '800', transferEncoding: null }, `chunked: ${chunked}`);
    }
  });

  it('refuses a body over maxRequestBodyBytes with 413, declared or discovered while reading', async () => {
    const before = echoHits;
    for (const chunked of [false, true]) {
      const r = await within('413', post(port, 'limit.test', '/', content(5_000), chunked));
      assert.equal(r.status, 413, `chunked: ${chunked}`);
      assert.equal(r.body.toString(), 'Request Entity Too Large');
    }
    assert.equal(echoHits, before, 'nothing reached the upstream');
    assert.equal((await post(port, 'limit.test', '/', content(1_000), true)).status, 200, 'exactly the limit is accepted');
  });

  it('spills bodies over the memory thresholds to temporary files, delivers them intact and removes the files', async () => {
    const body = content(3 * 1024 * 1024 + 5);
    const r = await post(port, 'spill.test', '/echo', body, true);
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body.toString()) as Seen;
    assert.deepEqual(seen, { length: body.length, sha: sha(body), contentLength: String(body.length), transferEncoding: null });

    const n = 2 * 1024 * 1024 + 3;
    release = undefined;
    const pending = fetch(port, 'spill.test', `/big?n=${n}&hold=1`);
    // Half the response is in: it is kept in a temporary file, not in memory, nor sent yet.
    await waitFor('a spooled response file', () => (release !== undefined && readdirSync(spoolDir).some((f) => f.startsWith('turnpike-body-')) ? true : undefined), 5_000);
    (release as unknown as () => void)();
    const down = await pending;
    assert.equal(down.status, 200);
    assert.equal(down.headers['content-length'], String(n), 'the kept response goes out with its length');
    assert.equal(down.headers['transfer-encoding'], undefined);
    assert.equal(down.headers['x-upstream'], 'big');
    assert.equal(sha(down.body), sha(content(n)));

    await waitFor('temporary files removed', () => (readdirSync(spoolDir).some((f) => f.startsWith('turnpike-body-')) ? undefined : true), 5_000);
  });

  it('answers 500 when the response is over maxResponseBodyBytes, and passes one under it', async () => {
    const ok = await fetch(port, 'resplimit.test', '/?n=1000');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-length'], '1000');
    assert.equal(ok.body.length, 1000);
    const over = await fetch(port, 'resplimit.test', '/?n=200000');
    assert.equal(over.status, 500);
    assert.equal(over.body.toString(), 'Internal Server Error');
  });

  it('keeps a HEAD response head as it is', async () => {
    const r = await fetch(port, 'resplimit.test', '/?n=10', 'HEAD');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
  });

  it('retryExpression: a network error is replayed on the next server', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await post(port, 'netretry.test', '/', content(100 + i), i % 2 === 0);
      assert.equal(r.status, 200, r.body.toString());
      assert.equal((JSON.parse(r.body.toString()) as Seen).sha, sha(content(100 + i)));
    }
  });

  it('retryExpression: a response code is replayed with the kept body until the expression says no', async () => {
    flakyFailures = 1;
    flakyBodies = [];
    let r = await post(port, 'coderetry.test', '/', Buffer.from('again'), true);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'done');
    assert.deepEqual(flakyBodies, ['again', 'again']);

    flakyFailures = 10;
    const before = flakyHits;
    r = await post(port, 'coderetry.test', '/', Buffer.from('x'), false);
    assert.equal(r.status, 503, 'Attempts() < 3: the third answer is the response');
    assert.equal(r.body.toString(), 'busy');
    assert.equal(flakyHits - before, 3);
    flakyFailures = 0;
  });

  it('a bad retryExpression disables only its routers', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(
      errors.some((e) => e.includes('badexpr') && e.includes('buffering.retryExpression') && /integer literal/.test(e)),
      JSON.stringify(errors),
    );
    assert.equal((await get(port, '/', { host: 'badexpr.test' })).status, 404);
    assert.equal((await get(port, '/', { host: 'limit.test' })).status, 200);
  });
});
