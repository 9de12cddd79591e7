/**
 * inFlightReq through the real binary and a real upstream that holds requests until the test
 * lets them go: 429 `max connections reached: <amount>` beyond the amount, per source (request
 * host by default, a header, an ipStrategy), the count released when the response finishes, when
 * the client goes away, and when a WebSocket closes; a bad amount disables only its router; the
 * counters of an unchanged middleware survive a reload (issue item 6), new options start afresh.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get, type SimpleResponse } from '../helpers/http-client.js';
import { waitFor, within } from '../helpers/wait.js';

const applied = (r: LogRecord): boolean => r.msg === 'configuration applied';

function dynamicYaml(upstream: Upstream, opts: { otherPriority: number; hostAmount: number }): string {
  const router = (name: string, host: string, mw: string): string => `    ${name}:
      rule: "Host(\`${host}\`)"
      service: svc
      middlewares: [${mw}]
`;
  return `http:
  routers:
${router('held', 'held.test', 'if-host')}${router('held2', 'held2.test', 'if-host')}${router('byheader', 'header.test', 'if-header')}${router('bydepth', 'depth.test', 'if-depth')}${router('ws', 'ws.test', 'if-ws')}${router('bad', 'bad.test', 'if-bad')}
    other:
      rule: "Host(\`other.test\`)"
      service: svc
      priority: ${opts.otherPriority}
  middlewares:
    if-host:
      inFlightReq: { amount: ${opts.hostAmount} }
    if-header:
      inFlightReq:
        amount: 1
        sourceCriterion: { requestHeaderName: X-User }
    if-depth:
      inFlightReq:
        amount: 1
        sourceCriterion: { ipStrategy: { depth: 1 } }
    if-ws:
      inFlightReq: { amount: 1 }
    if-bad:
      inFlightReq: { amount: 0 }
  services:
    svc:
      loadBalancer:
        servers:
          - url: "${upstream.url}"
`;
}

/** A request the upstream holds: its answer, and a way to drop the client connection. */
interface Held {
  readonly answer: Promise<SimpleResponse>;
  abort(): void;
}

describe('inFlightReq middleware', () => {
  let dir: string;
  let file: string;
  let upstream: Upstream;
  let wss: WebSocketServer;
  let tp: TurnpikeProcess;
  let port: number;
  /** Held upstream responses by id (`/hold?id=`). */
  const waiting = new Map<string, ServerResponse>();
  /** Ids whose upstream request was closed before it was answered. */
  const closedEarly = new Set<string>();

  function writeConfig(text: string): void {
    const tmp = join(dir, `.tmp-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }

  async function reload(text: string): Promise<LogRecord> {
    const before = tp.count(applied);
    writeConfig(text);
    await waitFor('reload applied', () => (tp.count(applied) > before ? true : undefined), 10_000);
    return tp.logs.filter(applied).at(-1) as LogRecord;
  }

  const fast = (host: string, headers: Record<string, string> = {}): Promise<SimpleResponse> => get(port, '/fast', { host, headers });

  /** Sends a request the upstream holds, and waits until the upstream has it. */
  async function hold(id: string, host: string, headers: Record<string, string> = {}): Promise<Held> {
    let abort!: () => void;
    const answer = new Promise<SimpleResponse>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: `/hold?id=${id}`, headers: { host, ...headers }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end();
      abort = () => r.destroy();
    });
    await waitFor(`upstream holds ${id}`, () => (waiting.has(id) ? true : undefined));
    return { answer, abort };
  }

  /** Lets a held request go and checks that it was answered. */
  async function release(id: string, held: Held): Promise<void> {
    waiting.get(id)?.end(`released ${id}`);
    waiting.delete(id);
    const r = await within(`answer of ${id}`, held.answer);
    assert.equal(r.status, 200);
    assert.equal(r.body, `released ${id}`);
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-inflight-'));
    file = join(dir, 'dynamic.yml');
    upstream = await startUpstream((r, res) => {
      const url = new URL(r.url ?? '/', 'http://upstream');
      if (url.pathname === '/hold') {
        const id = url.searchParams.get('id') ?? '';
        waiting.set(id, res);
        res.on('close', () => {
          if (!res.writableEnded) closedEarly.add(id);
        });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('fast');
    });
    wss = new WebSocketServer({ server: upstream.server });
    wss.on('connection', (socket) => socket.on('message', (m, binary) => socket.send(m, { binary })));
    writeConfig(dynamicYaml(upstream, { otherPriority: 1, hostAmount: 2 }));
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      '--entryPoints.web.forwardedHeaders.insecure=true',
      `--providers.file.filename=${file}`,
      '--providers.providersThrottleDuration=20ms',
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('entry point listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('first configuration', applied);
  });

  after(async () => {
    for (const res of waiting.values()) res.end();
    waiting.clear();
    await tp?.stop();
    for (const c of wss?.clients ?? []) c.terminate();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 beyond the amount, per request host by default, and admits again once a response finishes', async () => {
    const a1 = await hold('a1', 'held.test');
    const a2 = await hold('a2', 'held.test');
    const refused = await fast('held.test');
    assert.equal(refused.status, 429);
    assert.equal(refused.body, 'max connections reached: 2');
    assert.equal(refused.headers['content-type'], 'text/plain; charset=utf-8');
    // Another host is another source, even through the same middleware.
    assert.equal((await fast('held2.test')).status, 200);
    await release('a1', a1);
    assert.equal((await fast('held.test')).status, 200);
    assert.equal((await fast('held.test')).status, 200, 'a finished fast request gave its place back too');
    await release('a2', a2);
  });

  it('releases the place of a client that goes away', async () => {
    const b1 = await hold('b1', 'held.test');
    const b2 = await hold('b2', 'held.test');
    assert.equal((await fast('held.test')).status, 429);
    b1.abort();
    await assert.rejects(b1.answer);
    // The proxy sees the client leave and gives the place back (and drops the upstream request).
    await waitFor('a place freed by the client that left', async () => ((await fast('held.test')).status === 200 ? true : undefined));
    await waitFor('upstream request of b1 closed', () => (closedEarly.has('b1') ? true : undefined));
    waiting.delete('b1');
    await release('b2', b2);
  });

  it('groups by a request header (requestHeaderName)', async () => {
    const u1 = await hold('u1', 'header.test', { 'X-User': 'u1' });
    assert.equal((await fast('header.test', { 'X-User': 'u1' })).status, 429);
    assert.equal((await fast('header.test', { 'X-User': 'u2' })).status, 200);
    await release('u1', u1);
    assert.equal((await fast('header.test', { 'X-User': 'u1' })).status, 200);
  });

  it('groups by the X-Forwarded-For entry at ipStrategy.depth', async () => {
    const d1 = await hold('d1', 'depth.test', { 'X-Forwarded-For': '1.1.1.1' });
    assert.equal((await fast('depth.test', { 'X-Forwarded-For': '9.9.9.9, 1.1.1.1' })).status, 429);
    assert.equal((await fast('depth.test', { 'X-Forwarded-For': '2.2.2.2' })).status, 200);
    await release('d1', d1);
  });

  it('counts a WebSocket connection until it closes', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`, { headers: { host: 'ws.test' } });
    await within('websocket open', new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }));
    const echoed = new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString())));
    ws.send('hello');
    assert.equal(await within('echo', echoed), 'hello');
    assert.equal((await fast('ws.test')).status, 429, 'the open WebSocket holds the only place');
    ws.close();
    await waitFor('the place of the closed WebSocket', async () => ((await fast('ws.test')).status === 200 ? true : undefined));
  });

  it('disables only the router of a middleware with a bad amount, with the reason', async () => {
    const mw = await tp.waitForLog('bad middleware reported', (r) => r.msg === 'configuration error' && String(r.error).includes('if-bad') && String(r.error).includes('amount'));
    assert.match(String(mw.error), /integer >= 1/);
    await tp.waitForLog('bad router reported', (r) => r.msg === 'configuration error' && String(r.error).includes('bad@file') && String(r.error).includes('if-bad@file'));
    assert.equal((await fast('bad.test')).status, 404);
    assert.equal((await fast('other.test')).status, 200);
  });

  it('keeps the counters of an unchanged middleware across a reload; new options start afresh', async () => {
    const c1 = await hold('c1', 'held.test');
    const c2 = await hold('c2', 'held.test');
    assert.equal((await fast('held.test')).status, 429);

    const line = await reload(dynamicYaml(upstream, { otherPriority: 2, hostAmount: 2 }));
    assert.deepEqual(line.changed, ['other@file']);
    assert.equal((await fast('held.test')).status, 429, 'the two held requests still count after the reload');

    // Its own options change: a new middleware whose counters start at zero (the held requests
    // finish on the old one).
    await reload(dynamicYaml(upstream, { otherPriority: 2, hostAmount: 3 }));
    assert.equal((await fast('held.test')).status, 200);
    const c3 = await hold('c3', 'held.test');
    const c4 = await hold('c4', 'held.test');
    const c5 = await hold('c5', 'held.test');
    const refused = await fast('held.test');
    assert.equal(refused.status, 429);
    assert.equal(refused.body, 'max connections reached: 3');
    for (const [id, h] of [['c1', c1], ['c2', c2], ['c3', c3], ['c4', c4], ['c5', c5]] as const) await release(id, h);
    assert.equal((await fast('held.test')).status, 200);
  });
});
