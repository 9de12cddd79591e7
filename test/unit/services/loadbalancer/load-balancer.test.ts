import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancerConfig } from '../../../../src/config/dynamic/types.js';
import type { Exchange } from '../../../../src/exchange/exchange.js';
import { ProxyError } from '../../../../src/errors/codes.js';
import type { Forwarder, ForwarderOptions } from '../../../../src/proxy/forwarder.js';
import type { ServerTarget } from '../../../../src/proxy/server-target.js';
import { DEFAULT_TRANSPORT_DEFAULTS, resolveTransport } from '../../../../src/proxy/transport.js';
import { UpstreamPools } from '../../../../src/proxy/upstream-pools.js';
import { createLoadBalancer, shuffle } from '../../../../src/services/loadbalancer/load-balancer.js';

function lbConfig(servers: { url: string; weight?: number }[], passHostHeader = true): LoadBalancerConfig {
  return {
    servers: servers.map((s) => ({ url: s.url, weight: s.weight ?? 1, preservePath: false })),
    passHostHeader,
    serversTransport: undefined,
    flushInterval: 100,
    sticky: undefined,
    healthCheck: undefined,
    passiveHealthCheck: undefined,
  };
}

/** Builds the load balancer with a recording forwarder (the forwarder itself is tested end to end). */
function build(cfg: LoadBalancerConfig, extra: { random?: () => number; noShuffle?: boolean } = {}) {
  const picked: string[] = [];
  const options: ForwarderOptions[] = [];
  const transportNames: (string | undefined)[] = [];
  const pools = new UpstreamPools();
  const { handler } = createLoadBalancer(cfg, {
    pools,
    resolveTransport: (name) => {
      transportNames.push(name);
      return resolveTransport(DEFAULT_TRANSPORT_DEFAULTS);
    },
    createForwarder: (opts): Forwarder => {
      options.push(opts);
      return (_ex: Exchange, server: ServerTarget) => {
        picked.push(server.url);
      };
    },
    ...extra,
  });
  return { handler, picked, options, transportNames, pools };
}

const EX = {} as Exchange;

void describe('createLoadBalancer', () => {
  void it('picks servers by weight in a deterministic interleaving (no shuffle)', () => {
    const lb = build(lbConfig([{ url: 'http://a:1', weight: 3 }, { url: 'http://b:1', weight: 1 }]), { noShuffle: true });
    for (let i = 0; i < 8; i++) void lb.handler(EX);
    assert.deepEqual(lb.picked.map((u) => u.slice(7, 8)).join(''), 'aabaaaba');
  });

  void it('passes passHostHeader, flushInterval, the pool store and the resolved transport to the forwarder', () => {
    const lb = build(lbConfig([{ url: 'http://a:1' }], false));
    assert.equal(lb.options.length, 1);
    const o = lb.options[0] as ForwarderOptions;
    assert.equal(o.passHostHeader, false);
    assert.equal(o.flushInterval, 100);
    assert.equal(o.pools, lb.pools);
    assert.equal(o.transport.maxIdleConnsPerHost, 200);
    assert.deepEqual(lb.transportNames, [undefined]);
  });

  const empty = [
    { desc: 'no servers', servers: [] },
    { desc: 'every server has weight 0', servers: [{ url: 'http://a:1', weight: 0 }, { url: 'http://b:1', weight: 0 }] },
  ];
  for (const c of empty) {
    void it(`${c.desc}: throws TPK_ERR_NO_SERVER (503 "no available server")`, () => {
      const lb = build(lbConfig(c.servers));
      assert.throws(
        () => lb.handler(EX),
        (err: unknown) => err instanceof ProxyError && err.code === 'TPK_ERR_NO_SERVER' && err.status === 503 && err.body === 'no available server\n',
      );
    });
  }

  void it('weight 0 servers are never picked', () => {
    const lb = build(lbConfig([{ url: 'http://a:1', weight: 0 }, { url: 'http://b:1', weight: 2 }]));
    for (let i = 0; i < 5; i++) void lb.handler(EX);
    assert.ok(lb.picked.every((u) => u === 'http://b:1'));
  });

  const bad = [
    { desc: 'not a URL', url: 'nope', want: /invalid server URL/ },
    { desc: 'unsupported scheme', url: 'ftp://a', want: /unsupported scheme "ftp"/ },
  ];
  for (const c of bad) {
    void it(`build fails with a clear message: ${c.desc}`, () => {
      assert.throws(() => build(lbConfig([{ url: c.url }])), c.want);
    });
  }

  void it('shuffles the servers at build time with the injected random source', () => {
    const servers = ['a', 'b', 'c', 'd'].map((n) => ({ url: `http://${n}:1` }));
    // random() = 0 always swaps with index 0: [a b c d] -> [b c d a]
    const lb = build(lbConfig(servers), { random: () => 0 });
    for (let i = 0; i < 4; i++) void lb.handler(EX);
    assert.deepEqual(lb.picked.map((u) => u.slice(7, 8)).join(''), 'bcda');
  });
});

void describe('shuffle', () => {
  void it('is a permutation, deterministic for a given random source', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const a = Array.from({ length: 20 }, (_, i) => i);
    shuffle(a, rnd);
    assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
    seed = 42;
    const b = Array.from({ length: 20 }, (_, i) => i);
    shuffle(b, rnd);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, Array.from({ length: 20 }, (_, i) => i));
  });
});
