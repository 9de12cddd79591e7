/**
 * The load balancer end to end: client -> HttpEntryPoint -> createLoadBalancer -> forwarder ->
 * real upstreams. Exact WRR sequence by weight, 503 without servers, and warm connections kept
 * across a rebuild (configuration reload) through the shared UpstreamPools store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LoadBalancerConfig } from '../../src/config/dynamic/types.js';
import { DEFAULT_TRANSPORT_DEFAULTS, createTransportResolver } from '../../src/proxy/transport.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { createLoadBalancer } from '../../src/services/loadbalancer/load-balancer.js';
import { countingUpstream, send, startProxy, type CountingUpstream, type Proxy } from './forward-helpers.js';

function lb(servers: { url: string; weight: number }[]): LoadBalancerConfig {
  return {
    servers: servers.map((s) => ({ ...s, preservePath: false })),
    passHostHeader: true,
    serversTransport: undefined,
    flushInterval: 100,
    sticky: undefined,
    healthCheck: undefined,
    passiveHealthCheck: undefined,
  };
}

void describe('load balancer through the proxy', () => {
  const ups: CountingUpstream[] = [];
  const pools = new UpstreamPools();
  const resolve = createTransportResolver();
  const deps = { pools, resolveTransport: () => resolve(DEFAULT_TRANSPORT_DEFAULTS), noShuffle: true };
  let proxy: Proxy;

  before(async () => {
    for (const name of ['a', 'b', 'c']) ups.push(await countingUpstream((_req, res) => res.end(name)));
    proxy = await startProxy(null);
  });

  after(async () => {
    await proxy.close();
    pools.close();
    for (const u of ups) await u.close();
  });

  async function sequence(n: number): Promise<string> {
    let out = '';
    for (let i = 0; i < n; i++) out += (await send(proxy.port, '/')).body.toString();
    return out;
  }

  void it('weights 3:1:0 give the exact interleaving a a b a, and c (weight 0) never', async () => {
    const [a, b, c] = ups as [CountingUpstream, CountingUpstream, CountingUpstream];
    proxy.ep.setHandler(createLoadBalancer(lb([{ url: a.url, weight: 3 }, { url: b.url, weight: 1 }, { url: c.url, weight: 0 }]), deps).handler);
    assert.equal(await sequence(12), 'aabaaabaaaba');
    assert.equal(c.connections, 0);
  });

  void it('a rebuilt load balancer (reload) reuses the warm upstream connections', async () => {
    const [a, b] = ups as [CountingUpstream, CountingUpstream];
    const before = a.connections + b.connections;
    proxy.ep.setHandler(createLoadBalancer(lb([{ url: a.url, weight: 1 }, { url: b.url, weight: 1 }]), deps).handler);
    assert.equal(await sequence(4), 'abab');
    assert.equal(a.connections + b.connections, before, 'no new connection after the rebuild');
  });

  void it('no available server: 503 "no available server"', async () => {
    proxy.ep.setHandler(createLoadBalancer(lb([]), deps).handler);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 503);
    assert.equal(r.body.toString(), 'no available server\n');
  });
});
