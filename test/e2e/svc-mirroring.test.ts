/**
 * The mirroring service against real upstreams: mirrors get their share of requests with the
 * body, the main answer is the main service's, a mirror that never answers does not delay it, a
 * failing mirror changes nothing, and a body over maxBodySize is not mirrored while it still
 * streams whole to the main service.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { ServiceConfig } from '../../src/config/dynamic/types.js';
import { get } from '../helpers/http-client.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor } from '../helpers/wait.js';
import { closedPort } from './forward-helpers.js';
import { bodyOf, lbService, serve, type Served } from './svc-helpers.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** An upstream that records what it received and answers `name` (or never answers, when `hang`). */
async function recorder(name: string, opts: { hang?: boolean } = {}): Promise<{ upstream: Upstream; seen: Received[] }> {
  const seen: Received[] = [];
  const upstream = await startUpstream((req, res) => {
    void bodyOf(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      if (opts.hang === true) return;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(name);
    });
  });
  return { upstream, seen };
}

function mirroring(mirrors: [string, number][], extra: { mirrorBody?: boolean; maxBodySize?: number } = {}): ServiceConfig {
  return {
    kind: 'mirroring',
    mirroring: { service: 'main@file', mirrors: mirrors.map(([name, percent]) => ({ name, percent })), mirrorBody: extra.mirrorBody ?? true, maxBodySize: extra.maxBodySize ?? -1, healthCheck: false },
  };
}

/** POSTs `body` (Content-Length, or chunked when `chunked`). */
function post(port: number, path: string, body: Buffer, agent: Agent | false = false, chunked = false): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (chunked) {
      // Several writes, so the body really streams in pieces.
      for (let i = 0; i < body.length; i += 65_536) req.write(body.subarray(i, i + 65_536));
      req.end();
    } else req.end(body);
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('mirroring service', () => {
  const closing: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closing.reverse()) await c();
  });
  async function setup(mirrors: [string, 'ok' | 'hang' | 'down', number][], extra: { mirrorBody?: boolean; maxBodySize?: number } = {}) {
    const main = await recorder('main');
    closing.push(() => main.upstream.close());
    const services: Record<string, ServiceConfig> = { 'main@file': lbService([main.upstream.url]) };
    const seen: Received[][] = [];
    for (const [name, kind] of mirrors) {
      if (kind === 'down') {
        services[name] = lbService([`http://127.0.0.1:${await closedPort()}`]);
        seen.push([]);
        continue;
      }
      const r = await recorder(name, { hang: kind === 'hang' });
      closing.push(() => r.upstream.close());
      services[name] = lbService([r.upstream.url]);
      seen.push(r.seen);
    }
    services['top@file'] = mirroring(mirrors.map(([name, , percent]) => [name, percent]), extra);
    const served: Served = await serve(services);
    closing.push(() => served.close());
    return { served, main, seen };
  }

  it('sends mirrors their share of requests with method, path, headers and body; answers with the main service', async () => {
    const { served, main, seen } = await setup([['all@file', 'ok', 100], ['tenth@file', 'ok', 10]]);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      for (let i = 0; i < 20; i++) {
        const r = await post(served.port, `/upload/${i}?q=${i}`, Buffer.from(`body number ${i}`), agent);
        assert.deepEqual([r.status, r.body], [200, 'main']);
      }
    } finally {
      agent.destroy();
    }
    await waitFor('all mirrored', () => (seen[0]?.length === 20 && seen[1]?.length === 2 ? true : undefined), 5000);
    assert.equal(main.seen.length, 20);
    const byUrl = new Map(seen[0]?.map((r) => [r.url, r]));
    for (let i = 0; i < 20; i++) {
      const m = byUrl.get(`/upload/${i}?q=${i}`);
      assert.ok(m, `mirror got request ${i}`);
      assert.equal(m.method, 'POST');
      assert.equal(m.body.toString(), `body number ${i}`);
    }
    assert.deepEqual(seen[1]?.map((r) => r.url).sort(), ['/upload/0?q=0', '/upload/10?q=10']);
  });

  it('copies a large streamed (chunked) body whole to the main service and the mirror', async () => {
    const { served, main, seen } = await setup([['m@file', 'ok', 100]]);
    const body = randomBytes(3 * 1024 * 1024);
    const r = await post(served.port, '/big', body, false, true);
    assert.equal(r.status, 200);
    assert.equal(sha(main.seen[0]?.body ?? Buffer.alloc(0)), sha(body));
    await waitFor('mirrored', () => (seen[0]?.length === 1 ? true : undefined), 5000);
    assert.equal(sha(seen[0]?.[0]?.body ?? Buffer.alloc(0)), sha(body));
  });

  it('streams the body to the main service as it comes (nothing waits for its end)', async () => {
    let firstBytes: () => void = () => {};
    const firstSeen = new Promise<void>((resolve) => (firstBytes = resolve));
    const main = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        firstBytes();
      });
      req.on('end', () => res.end(Buffer.concat(chunks).toString()));
    });
    closing.push(() => main.close());
    const m = await recorder('m');
    closing.push(() => m.upstream.close());
    const served = await serve({ 'main@file': lbService([main.url]), 'm@file': lbService([m.upstream.url]), 'top@file': mirroring([['m@file', 100]]) });
    closing.push(() => served.close());
    const answer = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: served.port, path: '/', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      });
      req.on('error', reject);
      req.write('first part;');
      // The rest is sent only once the main upstream got the first part.
      void firstSeen.then(() => req.end('second part'));
    });
    assert.equal(await answer, 'first part;second part');
    await waitFor('mirrored', () => (m.seen.length === 1 ? true : undefined), 5000);
    assert.equal(m.seen[0]?.body.toString(), 'first part;second part');
  });

  it('does not delay the main answer with a mirror that never answers', async () => {
    const { served, seen } = await setup([['slow@file', 'hang', 100]]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await post(served.port, '/', Buffer.from('x'.repeat(1000)), agent);
        assert.deepEqual([r.status, r.body], [200, 'main']);
        times.push(r.ms);
      }
      await waitFor('the mirror holds every request', () => (seen[0]?.length === 20 ? true : undefined), 5000);
      times.sort((a, b) => a - b);
      assert.ok((times[18] ?? 0) < 500, `main answers stay fast while 20 mirror requests hang: ${times.map((t) => t.toFixed(1)).join(', ')}`);
    } finally {
      agent.destroy();
    }
  });

  it('changes nothing when the mirror fails (connection refused)', async () => {
    const { served } = await setup([['down@file', 'down', 100]]);
    for (let i = 0; i < 5; i++) {
      const r = await get(served.port, '/');
      assert.deepEqual([r.status, r.body], [200, 'main']);
    }
  });

  it('does not mirror a body over maxBodySize, which still reaches the main service whole', async () => {
    const { served, main, seen } = await setup([['m@file', 'ok', 100]], { maxBodySize: 1000 });
    const big = randomBytes(200_000);
    for (const chunked of [false, true]) {
      const r = await post(served.port, '/big', big, false, chunked);
      assert.equal(r.status, 200);
    }
    const small = await post(served.port, '/small', Buffer.from('tiny'));
    assert.equal(small.status, 200);
    assert.deepEqual(main.seen.map((s) => sha(s.body)), [sha(big), sha(big), sha(Buffer.from('tiny'))]);
    await waitFor('small one mirrored', () => (seen[0]?.length === 1 ? true : undefined), 5000);
    assert.deepEqual(seen[0]?.map((s) => s.url), ['/small']);
  });

  it('sends mirrors the request without its body when mirrorBody is false', async () => {
    const { served, main, seen } = await setup([['m@file', 'ok', 100]], { mirrorBody: false });
    const r = await post(served.port, '/nobody', Buffer.from('secret'));
    assert.equal(r.status, 200);
    assert.equal(main.seen[0]?.body.toString(), 'secret');
    await waitFor('mirrored', () => (seen[0]?.length === 1 ? true : undefined), 5000);
    assert.equal(seen[0]?.[0]?.body.length, 0);
    assert.equal(seen[0]?.[0]?.method, 'POST');
  });
});
