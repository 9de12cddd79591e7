/** Wires the compiler to the real services and forwarder (kept apart so tests and `check` share it). */
import type { LoadBalancerConfig, ServersTransportConfig } from '../config/dynamic/types.js';
import { createTransportResolver } from '../proxy/transport.js';
import type { UpstreamPools } from '../proxy/upstream-pools.js';
import type { CompileDeps } from '../runtime/compile.js';
import { createLoadBalancer } from '../services/loadbalancer/load-balancer.js';

export function compileDeps(pools: UpstreamPools, lifecycle?: { terminating: boolean }): CompileDeps {
  const resolve = createTransportResolver();
  return {
    ...(lifecycle ? { lifecycle } : {}),
    // `name` is the qualified service name (svc@file): the default sticky cookie name derives from it.
    buildLoadBalancer(name: string, cfg: LoadBalancerConfig, transport: ServersTransportConfig) {
      const resolved = resolve(transport);
      return createLoadBalancer(cfg, { pools, resolveTransport: () => resolved, serviceName: name });
    },
  };
}
