/**
 * 1 GiB up and 1 GiB down through the proxy with flat memory: data is generated on the fly
 * (never held), counted and hashed on both ends; the process RSS (client, proxy and upstream all
 * live here) is sampled during the transfer and must stay within a bound.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { countingUpstream, forwardTo, startProxy, type CountingUpstream, type Proxy } from './forward-helpers.js';

const TOTAL = 1024 * 1024 * 1024;
const CHUNK = 64 * 1024;
const RSS_BOUND = 100 * 1024 * 1024;

/** Deterministic data: a random-looking block with the chunk index stamped in. */
const BLOCK = createHash('sha512').update('seed').digest();
function chunkAt(i: number): Buffer {
  const b = Buffer.allocUnsafe(CHUNK);
  for (let off = 0; off < CHUNK; off += BLOCK.length) BLOCK.copy(b, off);
  b.writeUInt32BE(i, 0);
  return b;
}

function generator(): Readable {
  let i = 0;
  const n = TOTAL / CHUNK;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (i === n) this.push(null);
      else this.push(chunkAt(i++));
    },
  });
}

/** Samples RSS until stopped; returns the growth over the starting value. */
function rssWatch(): { stop(): number } {
  global.gc?.();
  const base = process.memoryUsage.rss();
  let max = base;
  const timer = setInterval(() => {
    max = Math.max(max, process.memoryUsage.rss());
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, process.memoryUsage.rss()) - base;
    },
  };
}

void describe('forwarder: 1 GiB bodies with flat memory', { timeout: 240_000 }, () => {
  let up: CountingUpstream;
  let proxy: Proxy;

  before(async () => {
    up = await countingUpstream((req, res) => {
      if (req.method === 'POST') {
        const hash = createHash('sha1');
        let bytes = 0;
        req.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        req.on('end', () => res.end(JSON.stringify({ bytes, sha1: hash.digest('hex') })));
        return;
      }
      // Download: chunked (no Content-Length), written with backpressure; trailer with our hash.
      const hash = createHash('sha1');
      res.writeHead(200, { 'content-type': 'application/octet-stream', trailer: 'x-sha1' });
      const src = generator();
      src.on('data', (c: Buffer) => {
        hash.update(c);
        if (!res.write(c)) {
          src.pause();
          res.once('drain', () => src.resume());
        }
      });
      src.on('end', () => {
        res.addTrailers({ 'x-sha1': hash.digest('hex') });
        res.end();
      });
    });
    proxy = await startProxy(forwardTo(up.url).handler);
  });

  after(async () => {
    await proxy.close();
    await up.close();
  });

  void it('uploads 1 GiB (Content-Length) with bounded RSS', async (t) => {
    const sent = createHash('sha1');
    const body = generator();
    body.on('data', (c: Buffer) => sent.update(c));
    const watch = rssWatch();
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/upload', headers: { 'content-length': String(TOTAL) }, agent: false },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      body.pipe(req);
    });
    const growth = watch.stop();
    const got = JSON.parse(answer) as { bytes: number; sha1: string };
    assert.equal(got.bytes, TOTAL);
    assert.equal(got.sha1, sent.digest('hex'));
    t.diagnostic(`RSS growth ${(growth / 1048576).toFixed(1)} MiB`);
    assert.ok(growth < RSS_BOUND, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB`);
  });

  void it('downloads 1 GiB (chunked) with bounded RSS', async (t) => {
    const watch = rssWatch();
    const { bytes, sha1 } = await new Promise<{ bytes: number; sha1: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxy.port, path: '/download', agent: false }, (res) => {
        const hash = createHash('sha1');
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          hash.update(c);
        });
        res.on('end', () => resolve({ bytes: n, sha1: hash.digest('hex') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    const growth = watch.stop();
    assert.equal(bytes, TOTAL);
    const expected = createHash('sha1');
    for (let i = 0; i < TOTAL / CHUNK; i++) expected.update(chunkAt(i));
    assert.equal(sha1, expected.digest('hex'));
    t.diagnostic(`RSS growth ${(growth / 1048576).toFixed(1)} MiB`);
    assert.ok(growth < RSS_BOUND, `RSS grew by ${(growth / 1048576).toFixed(1)} MiB`);
  });
});
