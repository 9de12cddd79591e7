/** Wires the compiler to the real services and forwarder (kept apart so tests and `check` share it). */
import type { LoadBalancerConfig, ServersTransportConfig } from '../config/dynamic/types.js';
import { createTransportResolver, type ResolvedTransport } from '../proxy/transport.js';
import type { UpstreamPools } from '../proxy/upstream-pools.js';
import type { CompileDeps } from '../runtime/compile.js';
import { createLoadBalancer, type LoadBalancerDeps } from '../services/loadbalancer/load-balancer.js';

export function compileDeps(pools: UpstreamPools, lifecycle?: { terminating: boolean }): CompileDeps {
  const resolve = createTransportResolver();
  // One dependencies object per resolved transport, shared by its services (100,000 services on the
  // default transport make one, not an object and a closure each); only sticky sessions need the name.
  const shared = new WeakMap<ResolvedTransport, LoadBalancerDeps>();
  return {
    ...(lifecycle ? { lifecycle } : {}),
    // `name` is the qualified service name (svc@file): the default sticky cookie name derives from it.
    buildLoadBalancer(name: string, cfg: LoadBalancerConfig, transport: ServersTransportConfig) {
      const resolved = resolve(transport);
      let deps = shared.get(resolved);
      if (deps === undefined) shared.set(resolved, (deps = { pools, resolveTransport: () => resolved }));
      return createLoadBalancer(cfg, cfg.sticky === undefined ? deps : { ...deps, serviceName: name });
    },
  };
}
