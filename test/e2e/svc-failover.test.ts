/**
 * Parent services with real health checks against real upstreams: failover moves to the fallback
 * within a health-check interval of the main service going down and back when it recovers;
 * weighted with `healthCheck: {}` skips a child that is down, answers 503 `no available server`
 * when none is up, and reports its health to its own parent; sticky weighted keeps a client on
 * one child.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import type { ServiceConfig } from '../../src/config/dynamic/types.js';
import { get } from '../helpers/http-client.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { healthTurns, lbService, serve } from './svc-helpers.js';

/** An upstream answering its name, whose /health answers 200 or 503 as `healthy` says. */
async function switchable(name: string): Promise<{ upstream: Upstream; healthy: { value: boolean } }> {
  const healthy = { value: true };
  const upstream = await startUpstream((req, res) => {
    if (req.url === '/health') {
      res.writeHead(healthy.value ? 200 : 503);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(name);
  });
  return { upstream, healthy };
}

const HC = { path: '/health', interval: 100, unhealthyInterval: 100, timeout: 500 };

describe('parent services with health checks', () => {
  const closing: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closing.reverse()) await c();
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  closing.push(async () => agent.destroy());

  async function bodies(port: number, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((await get(port, '/', { agent })).body);
    return out;
  }

  it('failover: the fallback takes over while the main service is down, and hands back on recovery', async () => {
    const main = await switchable('main');
    const fb = await switchable('fallback');
    closing.push(() => main.upstream.close(), () => fb.upstream.close());
    const failover: ServiceConfig = { kind: 'failover', failover: { service: 'main@file', fallback: 'fb@file', healthCheck: true } };
    const served = await serve({ 'top@file': failover, 'main@file': lbService([main.upstream.url], HC), 'fb@file': lbService([fb.upstream.url], HC) });
    closing.push(() => served.close());

    assert.deepEqual(await bodies(served.port, 3), ['main', 'main', 'main']);
    main.healthy.value = false;
    await healthTurns(served.health('main@file'), false);
    assert.deepEqual(await bodies(served.port, 3), ['fallback', 'fallback', 'fallback']);
    assert.equal(served.health('top@file')?.up, true, 'up while the fallback is');

    fb.healthy.value = false;
    await healthTurns(served.health('top@file'), false);
    const down = await get(served.port, '/', { agent });
    assert.deepEqual([down.status, down.body], [503, 'Service Unavailable\n']);

    main.healthy.value = true;
    await healthTurns(served.health('top@file'), true);
    assert.deepEqual(await bodies(served.port, 3), ['main', 'main', 'main']);
  });

  it('weighted with healthCheck: {}: skips a child that is down, 503 when none is up, health reported to a parent', async () => {
    const a = await switchable('a');
    const b = await switchable('b');
    const spare = await switchable('spare');
    closing.push(() => a.upstream.close(), () => b.upstream.close(), () => spare.upstream.close());
    const weighted: ServiceConfig = { kind: 'weighted', weighted: { services: [{ name: 'a@file', weight: 1 }, { name: 'b@file', weight: 1 }], sticky: undefined, healthCheck: true } };
    const failover: ServiceConfig = { kind: 'failover', failover: { service: 'w@file', fallback: 'spare@file', healthCheck: false } };
    const served = await serve(
      {
        'top@file': failover,
        'w@file': weighted,
        'a@file': lbService([a.upstream.url], HC),
        'b@file': lbService([b.upstream.url], HC),
        'spare@file': lbService([spare.upstream.url]),
      },
      'w@file',
    );
    closing.push(() => served.close());

    assert.deepEqual((await bodies(served.port, 4)).sort(), ['a', 'a', 'b', 'b']);
    a.healthy.value = false;
    await healthTurns(served.health('a@file'), false);
    assert.deepEqual(await bodies(served.port, 4), ['b', 'b', 'b', 'b']);

    b.healthy.value = false;
    await healthTurns(served.health('w@file'), false);
    const none = await get(served.port, '/', { agent });
    assert.deepEqual([none.status, none.body], [503, 'no available server\n']);

    a.healthy.value = true;
    await healthTurns(served.health('w@file'), true);
    assert.deepEqual(await bodies(served.port, 2), ['a', 'a']);
  });

  it('sticky weighted: a client keeps its child, others spread', async () => {
    const a = await switchable('a');
    const b = await switchable('b');
    closing.push(() => a.upstream.close(), () => b.upstream.close());
    const weighted: ServiceConfig = {
      kind: 'weighted',
      weighted: {
        services: [{ name: 'a@file', weight: 1 }, { name: 'b@file', weight: 1 }],
        sticky: { cookie: { name: 'canary', secure: false, httpOnly: true, sameSite: 'lax', maxAge: 60, path: '/', domain: '' } },
        healthCheck: false,
      },
    };
    const served = await serve({ 'top@file': weighted, 'a@file': lbService([a.upstream.url]), 'b@file': lbService([b.upstream.url]) });
    closing.push(() => served.close());

    const first = await get(served.port, '/');
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    assert.match(setCookie, /^canary=[0-9a-f]{16}; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0] ?? '';
    for (let i = 0; i < 6; i++) {
      const r = await get(served.port, '/', { headers: { cookie } });
      assert.equal(r.body, first.body);
      assert.equal(r.headers['set-cookie'], undefined);
    }
    // Without the cookie, requests spread over both children.
    assert.deepEqual([...new Set(await bodies(served.port, 4))].sort(), ['a', 'b']);
  });
});
