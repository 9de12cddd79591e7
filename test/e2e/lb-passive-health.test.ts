/**
 * Passive health checks end to end: a server whose forwards fail (connection refused -> 502,
 * response-header timeout -> 504) maxFailedAttempts times within failureWindow leaves rotation for
 * failureWindow, then is tried again. Server answers (even 500) do not count.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Exchange } from '../../src/exchange/exchange.js';
import type { ProxyError } from '../../src/errors/codes.js';
import { writeProxyError } from '../../src/proxy/errors.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { createLoadBalancer, type LoadBalancerService } from '../../src/services/loadbalancer/load-balancer.js';
import { countingUpstream, send, startProxy, transportWith, type CountingUpstream, type Proxy } from './forward-helpers.js';
import { healthCheck, lbConfig, serverTurns } from './lb-helpers.js';

void describe('load balancer passive health checks', () => {
  const ups: CountingUpstream[] = [];
  const pools = new UpstreamPools();
  const errors: string[] = [];
  let proxy: Proxy;
  let lb: LoadBalancerService | undefined;
  let good = '';
  let failing = '';
  let slow = '';
  /** Answers 500 on /500 and 200 on /health: the active check finds it healthy. */
  let failingOnce = '';

  before(async () => {
    const a = await countingUpstream((req, res) => {
      if (req.url === '/500') res.writeHead(500).end('oops');
      else res.end('a');
    });
    // Accepts requests and never answers: a response-header timeout (504).
    const s = await countingUpstream(() => undefined);
    const gone = await countingUpstream((_q, r) => r.end());
    failing = gone.url;
    await gone.close();
    const f = await countingUpstream((req, res) => res.writeHead(req.url === '/500' ? 500 : 200).end());
    failingOnce = f.url;
    ups.push(a, s, f);
    good = a.url;
    slow = s.url;
    proxy = await startProxy(null);
  });

  afterEach(() => {
    lb?.dispose();
    lb = undefined;
    errors.length = 0;
  });

  after(async () => {
    await proxy.close();
    pools.close();
    for (const u of ups) await u.close();
  });

  function use(servers: string[], failureWindow: number, maxFailedAttempts: number, responseHeaderTimeout = 0): LoadBalancerService {
    const transport = transportWith({ responseHeaderTimeout });
    const built = createLoadBalancer(lbConfig(servers, { passiveHealthCheck: { failureWindow, maxFailedAttempts } }), {
      pools,
      resolveTransport: () => transport,
      noShuffle: true,
      onError: (ex: Exchange, err: ProxyError) => {
        errors.push(err.code);
        writeProxyError(ex, err);
      },
    });
    lb = built;
    proxy.ep.setHandler(built.handler);
    return built;
  }

  async function statuses(n: number, path = '/'): Promise<string> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(proxy.port, path)).status);
    return out.join(',');
  }

  void it('maxFailedAttempts failures within the window take the server out; it is tried again after the window', async () => {
    const built = use([good, failing], 800, 2);
    assert.ok(built.health);
    // Round robin a, failing, a, failing: the second failure takes it out.
    assert.equal(await statuses(4), '200,502,200,502');
    assert.equal(built.health.serverStatus?.get(failing), 'DOWN');
    assert.equal(await statuses(4), '200,200,200,200');
    await serverTurns(built.health, failing, 'UP', 2000);
    // Tried again (the rotation restarts in configured order): one failure alone does not take
    // it out (2 needed), the second does.
    assert.equal(await statuses(4), '200,502,200,502');
    assert.equal(built.health.serverStatus?.get(failing), 'DOWN');
    assert.deepEqual(new Set(errors), new Set(['TPK_ERR_UPSTREAM_UNREACHABLE']));
  });

  void it('maxFailedAttempts 1 (default): one failure is enough; only this service saw it', async () => {
    const built = use([failing, good], 10_000, 1);
    assert.equal(await statuses(3), '502,200,200');
    assert.equal(built.health?.up, true);
    assert.equal(built.health?.serverStatus?.get(failing), 'DOWN');
  });

  void it('all servers failing: 503 no available server until the window ends', async () => {
    const built = use([failing], 300, 1);
    assert.equal(await statuses(1), '502');
    assert.equal(built.health?.up, false);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 503);
    assert.equal(r.body.toString(), 'no available server\n');
    await serverTurns(built.health, failing, 'UP', 2000);
    assert.equal(built.health?.up, true);
  });

  void it('a response-header timeout (504) counts as a failure', async () => {
    const built = use([slow, good], 10_000, 1, 100);
    assert.equal(await statuses(2), '504,200');
    assert.equal(built.health?.serverStatus?.get(slow), 'DOWN');
  });

  void it('answers with a status >= 500 count too (Traefik); a success in between clears the history', async () => {
    const built = use([good], 10_000, 2);
    assert.equal(await statuses(3, '/500'), '500,500,503');
    assert.equal(built.health?.serverStatus?.get(good), 'DOWN');
    lb?.dispose();
    const again = use([good], 10_000, 2);
    const seq = [await statuses(1, '/500'), await statuses(1, '/'), await statuses(1, '/500'), await statuses(1, '/')];
    assert.deepEqual(seq, ['500', '200', '500', '200']);
    assert.equal(again.health?.serverStatus?.get(good), 'UP');
  });

  void it('with an active health check too, the next good probe puts the server back (before the window ends)', async () => {
    const built = createLoadBalancer(
      lbConfig([failingOnce], { passiveHealthCheck: { failureWindow: 60_000, maxFailedAttempts: 1 }, healthCheck: healthCheck({ interval: 80 }) }),
      { pools, resolveTransport: () => transportWith({}), noShuffle: true },
    );
    lb = built;
    proxy.ep.setHandler(built.handler);
    assert.equal(await statuses(1, '/500'), '500');
    assert.equal(built.health?.serverStatus?.get(failingOnce), 'DOWN');
    await serverTurns(built.health, failingOnce, 'UP', 2000);
  });
});
