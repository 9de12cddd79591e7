/**
 * The compress middleware through the real binary, with a real upstream and real clients that
 * decode with node:zlib (and curl --compressed): negotiation with q-values and the configured
 * order, the minimum size (known length and streamed), HEAD, already-encoded, gRPC, 204/304,
 * content type lists, default encoding, a slow stream not held back, backpressure with a large
 * streamed body (bounded memory), and a bad option disabling only its router.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor, within } from '../helpers/wait.js';

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
}

/** A request whose body is kept as raw bytes (node:http never decodes). */
function fetchRaw(port: number, path: string, host: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(r: RawResponse): Buffer {
  const ce = r.headers['content-encoding'];
  if (ce === 'gzip') return gunzipSync(r.raw);
  if (ce === 'br') return brotliDecompressSync(r.raw);
  assert.equal(ce, undefined, `unexpected content-encoding ${String(ce)}`);
  return r.raw;
}

/** Compressible text of exactly `n` bytes. */
function text(n: number): Buffer {
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789\n';
  return Buffer.from(line.repeat(Math.ceil(n / line.length) + 1).slice(0, n));
}

function param(req: IncomingMessage, name: string, fallback: number): number {
  const v = new URL(req.url ?? '/', 'http://x').searchParams.get(name);
  return v === null ? fallback : Number(v);
}

/** VmHWM (peak resident set) of a process, in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

describe('compress middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let up: Upstream;
  /** Continuations of streamed responses the tests drive. */
  const sse: { res: ServerResponse | null } = { res: null };
  const big = { written: 0, blocked: 0, hash: createHash('sha256'), done: false };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-compress-'));
    up = await startUpstream((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const size = param(req, 'size', 4000);
      switch (path) {
        case '/text': {
          const body = text(size);
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length), 'accept-ranges': 'bytes' });
          res.end(req.method === 'HEAD' ? undefined : body);
          return;
        }
        case '/chunked': {
          // No Content-Length: two writes, then the end (node sends it chunked).
          const body = text(size);
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write(body.subarray(0, size >> 1));
          res.end(body.subarray(size >> 1));
          return;
        }
        case '/typed': {
          const body = text(size);
          res.writeHead(200, { 'content-type': new URL(req.url ?? '/', 'http://x').searchParams.get('type') ?? 'text/plain', 'content-length': String(body.length) });
          res.end(body);
          return;
        }
        case '/encoded': {
          const body = gzipSync(text(size));
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': String(body.length) });
          res.end(body);
          return;
        }
        case '/status': {
          res.writeHead(param(req, 'code', 204), { 'content-type': 'text/plain' });
          res.end();
          return;
        }
        case '/sse': {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.write('data: first\n\n');
          sse.res = res;
          return;
        }
        case '/big': {
          // A large body of barely compressible text, streamed with backpressure.
          res.writeHead(200, { 'content-type': 'text/plain' });
          const total = size;
          const pump = (): void => {
            while (big.written < total) {
              const chunk = Buffer.from(randomBytes(48 * 1024).toString('base64'));
              big.written += chunk.length;
              big.hash.update(chunk);
              if (!res.write(chunk)) {
                big.blocked++;
                res.once('drain', pump);
                return;
              }
            }
            big.done = true;
            res.end();
          };
          pump();
          return;
        }
        default:
          res.writeHead(404);
          res.end();
      }
    });

    const dyn = join(dir, 'dyn.yml');
    const router = (name: string, mw: string): string => `    ${name}:\n      rule: "Host(\`${name}.test\`)"\n      service: up\n      middlewares: [${mw}]\n`;
    writeFileSync(
      dyn,
      `http:
  routers:
${router('c', 'c')}${router('cbr', 'cbr')}${router('cmin', 'cmin')}${router('cinc', 'cinc')}${router('cdef', 'cdef')}${router('cbad', 'cbad')}
  middlewares:
    c:
      compress: {}
    cbr:
      compress:
        encodings: [br, gzip]
    cmin:
      compress:
        minResponseBodyBytes: 10
        excludedContentTypes: ["image/png"]
    cinc:
      compress:
        includedContentTypes: ["text/html"]
    cdef:
      compress:
        defaultEncoding: br
    cbad:
      compress:
        encodings: [gzip, deflate]
  services:
    up:
      loadBalancer:
        servers:
          - url: "${up.url}"
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    sse.res?.end();
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gzip: decoded by zlib, Content-Length removed, Vary added, Accept-Ranges dropped', async () => {
    const r = await fetchRaw(port, '/text?size=5000', 'c.test', { 'accept-encoding': 'gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(r.headers['accept-ranges'], undefined);
    assert.equal(r.headers['vary'], 'Accept-Encoding');
    assert.ok(r.raw.length < 1000, `compressed to ${r.raw.length} bytes`);
    assert.deepEqual(decode(r), text(5000));
  });

  it('brotli: decoded by zlib', async () => {
    const r = await fetchRaw(port, '/text?size=5000', 'c.test', { 'accept-encoding': 'br' });
    assert.equal(r.headers['content-encoding'], 'br');
    assert.deepEqual(decode(r), text(5000));
  });

  const negotiation: { desc: string; host: string; accept: string; want: string | undefined }[] = [
    { desc: 'equal weights: Traefik default order puts gzip first', host: 'c', accept: 'br, gzip', want: 'gzip' },
    { desc: 'equal weights: encodings [br, gzip] puts br first', host: 'cbr', accept: 'gzip, br', want: 'br' },
    { desc: 'the highest q-value wins', host: 'c', accept: 'gzip;q=0.5, br;q=0.8', want: 'br' },
    { desc: 'q=0 refuses a coding', host: 'cbr', accept: 'br;q=0, gzip', want: 'gzip' },
    { desc: 'identity preferred: not compressed', host: 'c', accept: 'identity, gzip;q=0.1', want: undefined },
    { desc: 'only unknown codings: not compressed', host: 'c', accept: 'deflate, compress', want: undefined },
    { desc: 'zstd is not producible on Node 20: the next one', host: 'c', accept: 'zstd, br;q=0.9', want: 'br' },
    { desc: '* means the first configured encoding', host: 'cbr', accept: '*', want: 'br' },
    { desc: 'an empty header means identity', host: 'cdef', accept: '', want: undefined },
  ];
  for (const c of negotiation) {
    it(`negotiation: ${c.desc}`, async () => {
      const r = await fetchRaw(port, '/text?size=3000', `${c.host}.test`, { 'accept-encoding': c.accept });
      assert.equal(r.headers['content-encoding'], c.want);
      assert.deepEqual(decode(r), text(3000));
    });
  }

  it('no Accept-Encoding: not compressed and no Vary; with defaultEncoding: that encoding', async () => {
    const plain = await fetchRaw(port, '/text?size=3000', 'c.test');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['vary'], undefined);
    assert.equal(plain.headers['content-length'], '3000');
    const def = await fetchRaw(port, '/text?size=3000', 'cdef.test');
    assert.equal(def.headers['content-encoding'], 'br');
    assert.deepEqual(decode(def), text(3000));
  });

  const sizes: { desc: string; path: string; host: string; compressed: boolean; length?: string }[] = [
    { desc: 'Content-Length 1023 (< 1024): sent as is', path: '/text?size=1023', host: 'c', compressed: false, length: '1023' },
    { desc: 'Content-Length 1024: compressed', path: '/text?size=1024', host: 'c', compressed: true },
    { desc: 'streamed body ending at 600 bytes: sent as is, with its length', path: '/chunked?size=600', host: 'c', compressed: false, length: '600' },
    { desc: 'streamed body of 5000 bytes: compressed', path: '/chunked?size=5000', host: 'c', compressed: true },
    { desc: 'minResponseBodyBytes 10: 10 bytes compressed', path: '/text?size=10', host: 'cmin', compressed: true },
    { desc: 'minResponseBodyBytes 10: 9 bytes sent as is', path: '/text?size=9', host: 'cmin', compressed: false, length: '9' },
  ];
  for (const c of sizes) {
    it(`minimum size: ${c.desc}`, async () => {
      const n = Number(/size=(\d+)/.exec(c.path)?.[1]);
      const r = await fetchRaw(port, c.path, `${c.host}.test`, { 'accept-encoding': 'gzip' });
      assert.equal(r.headers['content-encoding'], c.compressed ? 'gzip' : undefined);
      assert.equal(r.headers['vary'], 'Accept-Encoding');
      if (c.length !== undefined) assert.equal(r.headers['content-length'], c.length);
      assert.deepEqual(decode(r), text(n));
    });
  }

  it('HEAD is never compressed: the upstream Content-Length is kept', async () => {
    const r = await fetchRaw(port, '/text?size=5000', 'c.test', { 'accept-encoding': 'gzip' }, 'HEAD');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal(r.headers['content-length'], '5000');
    assert.equal(r.raw.length, 0);
  });

  it('an already encoded response passes untouched (one encoding, same bytes)', async () => {
    const r = await fetchRaw(port, '/encoded?size=5000', 'c.test', { 'accept-encoding': 'br, gzip' });
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(r.raw), text(5000));
  });

  const types: { desc: string; host: string; type: string; compressed: boolean }[] = [
    { desc: 'application/grpc responses are never compressed', host: 'c', type: 'application/grpc', compressed: false },
    { desc: 'an excluded type (image/png) is not compressed', host: 'cmin', type: 'image/png', compressed: false },
    { desc: 'exclusions ignore parameters and case', host: 'cmin', type: 'Image/PNG; x=1', compressed: false },
    { desc: 'other types are compressed', host: 'cmin', type: 'application/json', compressed: true },
    { desc: 'includedContentTypes: text/html compressed', host: 'cinc', type: 'text/html; charset=utf-8', compressed: true },
    { desc: 'includedContentTypes: text/plain not compressed', host: 'cinc', type: 'text/plain', compressed: false },
  ];
  for (const c of types) {
    it(`content types: ${c.desc}`, async () => {
      const r = await fetchRaw(port, `/typed?size=3000&type=${encodeURIComponent(c.type)}`, `${c.host}.test`, { 'accept-encoding': 'gzip' });
      assert.equal(r.headers['content-encoding'], c.compressed ? 'gzip' : undefined);
      assert.deepEqual(decode(r), text(3000));
    });
  }

  it('a gRPC request (Content-Type application/grpc) is passed through without Vary', async () => {
    const r = await fetchRaw(port, '/text?size=3000', 'c.test', { 'accept-encoding': 'gzip', 'content-type': 'application/grpc' });
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal(r.headers['vary'], undefined);
  });

  for (const code of [204, 304]) {
    it(`${code} is not compressed`, async () => {
      const r = await fetchRaw(port, `/status?code=${code}`, 'c.test', { 'accept-encoding': 'gzip' });
      assert.equal(r.status, code);
      assert.equal(r.headers['content-encoding'], undefined);
      assert.equal(r.raw.length, 0);
    });
  }

  it('keep-alive: compressed, small and compressed responses on one connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sizes = [5000, 100, 20_000, 1023, 3000];
      const ports = new Set<number>();
      for (const n of sizes) {
        const r = await new Promise<RawResponse & { localPort: number }>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: `/chunked?size=${n}`, headers: { host: 'c.test', 'accept-encoding': 'gzip' }, agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks), localPort: req.socket?.localPort ?? 0 }));
          });
          req.on('error', reject);
          req.end();
        });
        ports.add(r.localPort);
        assert.equal(r.headers['content-encoding'], n >= 1024 ? 'gzip' : undefined);
        assert.deepEqual(decode(r), text(n));
      }
      assert.equal(ports.size, 1, 'one connection');
    } finally {
      agent.destroy();
    }
  });

  it('curl --compressed decodes the response', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('curl', ['-s', '--compressed', '-H', 'Host: cbr.test', `http://127.0.0.1:${port}/text?size=4000`], { encoding: 'utf8' }, (err, stdout) => {
        if (err === null) resolve(stdout);
        else reject(new Error(`curl failed: ${err.message}`));
      });
    });
    assert.equal(out, text(4000).toString());
  });

  it('a slow stream below the minimum (SSE) is compressed and flushed, not held back', async () => {
    sse.res = null;
    const got = await within(
      'first SSE event',
      new Promise<{ encoding: string | undefined; first: string; rest: Promise<string> }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/sse', headers: { host: 'c.test', 'accept-encoding': 'gzip' }, agent: false }, (res) => {
          const gunzip = createGunzip();
          res.pipe(gunzip);
          let decoded = '';
          let resolved = false;
          const rest = new Promise<string>((done) => gunzip.on('end', () => done(decoded)));
          gunzip.on('data', (c: Buffer) => {
            decoded += c.toString();
            if (!resolved && decoded.includes('\n\n')) {
              resolved = true;
              resolve({ encoding: res.headers['content-encoding'], first: decoded, rest });
            }
          });
          gunzip.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      }),
      5000,
    );
    assert.equal(got.encoding, 'gzip');
    assert.equal(got.first, 'data: first\n\n');
    // The upstream is still open: the event came through while the stream goes on.
    const res = await waitFor('upstream SSE response', () => sse.res ?? undefined, 2000);
    res.end('data: second\n\n');
    sse.res = null;
    assert.equal(await within('end of SSE stream', got.rest, 5000), 'data: first\n\ndata: second\n\n');
  });

  it('a large streamed body is compressed with backpressure and bounded memory', async (t) => {
    const total = 96 * 1024 * 1024;
    const pid = tp.child.pid as number;
    const rssBefore = peakRss(pid);
    const result = await within(
      'large body',
      new Promise<{ bytes: number; digest: string; writtenWhilePaused: number }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: `/big?size=${total}`, headers: { host: 'c.test', 'accept-encoding': 'gzip' }, agent: false }, (res) => {
          assert.equal(res.headers['content-encoding'], 'gzip');
          // Do not read for a while: the upstream must be held back by backpressure.
          res.pause();
          void (async () => {
            let last = -1;
            let stable = 0;
            // Wait until the upstream stops making progress (blocked on a full pipe) — bounded.
            await waitFor(
              'upstream blocked by backpressure',
              () => {
                if (big.written === last && big.blocked > 0) stable++;
                else stable = 0;
                last = big.written;
                return stable >= 5 ? true : undefined;
              },
              20_000,
            );
            const writtenWhilePaused = big.written;
            const gunzip = createGunzip();
            const hash = createHash('sha256');
            let bytes = 0;
            gunzip.on('data', (c: Buffer) => {
              bytes += c.length;
              hash.update(c);
            });
            gunzip.on('end', () => resolve({ bytes, digest: hash.digest('hex'), writtenWhilePaused }));
            gunzip.on('error', reject);
            res.pipe(gunzip);
          })().catch(reject);
        });
        req.on('error', reject);
        req.end();
      }),
      120_000,
    );
    assert.ok(big.done, 'upstream finished');
    assert.equal(result.bytes, big.written);
    assert.equal(result.digest, big.hash.digest('hex'));
    assert.ok(result.writtenWhilePaused < 48 * 1024 * 1024, `upstream wrote ${result.writtenWhilePaused} bytes while the client read nothing`);
    const growth = peakRss(pid) - rssBefore;
    t.diagnostic(`upstream wrote ${result.writtenWhilePaused} bytes while the client was paused; proxy peak RSS grew by ${growth} bytes`);
    assert.ok(growth < 48 * 1024 * 1024, `proxy peak RSS grew by ${growth} bytes for a ${total}-byte body`);
  });

  it('a bad option disables only the routers using it, with a message naming the middleware', async () => {
    const rec = await tp.waitForLog('cbad error', (r) => typeof r.error === 'string' && r.error.includes('cbad') && r.error.includes('unsupported encoding "deflate"'));
    assert.equal(rec.code, 'TPK_CFG_INVALID_VALUE');
    await tp.waitForLog('router error', (r) => typeof r.error === 'string' && r.error.includes('routers.cbad') && r.error.includes('cbad@file'));
    const r = await fetchRaw(port, '/text?size=10', 'cbad.test');
    assert.equal(r.status, 404);
    const ok = await fetchRaw(port, '/text?size=10', 'c.test');
    assert.equal(ok.status, 200);
  });
});
