/**
 * The `loadBalancer` service: picks one server per request by smooth weighted round robin and
 * hands the exchange to the forwarder. Built once per configuration; the connection pools it uses
 * live in the `UpstreamPools` store the runtime passes in, so they survive reloads.
 *
 * A service with `sticky`, `healthCheck` or `passiveHealthCheck` is built by tracked-balancer.ts;
 * one without them keeps the lean handlers below (no health state, nothing to stop).
 *
 * As Traefik does, the server list is shuffled at build time (so that several Turnpike instances
 * do not all start on the same server); pass `random` to make it deterministic in tests.
 */
import type { LoadBalancerConfig } from '../../config/dynamic/types.js';
import type { Exchange, Handler } from '../../exchange/exchange.js';
import type { ForwardErrorHandler } from '../../proxy/errors.js';
import type { Forwarder, ForwarderOptions } from '../../proxy/forwarder.js';
import type { ServerTarget } from '../../proxy/server-target.js';
import type { ResolvedTransport } from '../../proxy/transport.js';
import { attemptWatcher } from '../../proxy/upstream-attempts.js';
import type { UpstreamPools } from '../../proxy/upstream-pools.js';
import { forwarderFor, noAvailableServer, sharedTarget } from './shared.js';
import { createTrackedBalancer, type LoadBalancerService } from './tracked-balancer.js';
import { SmoothWeightedRoundRobin } from './wrr.js';
import { noDispose } from '../service.js';

export interface LoadBalancerDeps {
  /** The long-lived pool store (shared by every service, kept across reloads). */
  readonly pools: UpstreamPools;
  /**
   * The transport for `cfg.serversTransport` (undefined = the static default). Throws an Error
   * with a user-facing message for an unknown name; the service is then not built.
   */
  resolveTransport(name: string | undefined): ResolvedTransport;
  /** Forwarder factory; default `createForwarder`. */
  readonly createForwarder?: (opts: ForwarderOptions) => Forwarder;
  /** Where forwarding failures go (default: answered as Traefik does). */
  readonly onError?: ForwardErrorHandler;
  /** Random source in [0, 1) for the build-time shuffle; default Math.random. */
  readonly random?: () => number;
  /** Keep the configured order (tests, and deterministic sequences). */
  readonly noShuffle?: boolean;
  /**
   * The qualified service name (e.g. `svc@file`): Traefik derives the default sticky cookie name
   * from it. Default ''.
   */
  readonly serviceName?: string;
}

export { noAvailableServer } from './shared.js';
export type { LoadBalancerService } from './tracked-balancer.js';
export type { LoadBalancerHealth } from './server-health.js';

/**
 * Build a load balancer. Throws an Error with a user-facing message for an invalid server URL or
 * an unknown serversTransport (build-time only; the request path never throws but NO_SERVER).
 */
export function createLoadBalancer(cfg: LoadBalancerConfig, deps: LoadBalancerDeps): LoadBalancerService {
  const transport = deps.resolveTransport(cfg.serversTransport);
  const tracked = cfg.sticky !== undefined || cfg.healthCheck !== undefined || cfg.passiveHealthCheck !== undefined;
  const only = cfg.servers.length === 1 ? cfg.servers[0] : undefined;
  if (only !== undefined && !tracked) {
    // One server (the common case, and the whole of a 100,000-router table): no server list,
    // shuffle or round robin to make and throw away.
    const target = serverTarget(deps.pools, only.url, only.preservePath);
    const handler = only.weight > 0 ? singleServer(forwarderFor(deps, transport, cfg.passHostHeader, cfg.flushInterval), target) : noServer;
    return { handler, health: undefined, dispose: noDispose };
  }
  const servers = cfg.servers.map((s) => ({ target: serverTarget(deps.pools, s.url, s.preservePath), weight: s.weight }));
  if (deps.noShuffle !== true) shuffle(servers, deps.random ?? Math.random);
  if (tracked) {
    return createTrackedBalancer(cfg, { ...deps, serviceName: deps.serviceName ?? '' }, transport, servers);
  }
  // Nothing runs in the background: nothing to stop, no health to track.
  return { handler: plainHandler(cfg, deps, transport, servers), health: undefined, dispose: noDispose };
}

/** The handler of a service without sticky sessions or health checks. */
function plainHandler(
  cfg: LoadBalancerConfig,
  deps: LoadBalancerDeps,
  transport: ResolvedTransport,
  servers: readonly { readonly target: ServerTarget; readonly weight: number }[],
): Handler {
  // Pickable servers are those of weight > 0 (as the round robin counts them).
  let pickable = 0;
  let first: ServerTarget | undefined;
  for (const s of servers) {
    if (!(s.weight > 0)) continue;
    pickable++;
    first ??= s.target;
  }
  if (pickable === 0 || first === undefined) return noServer;
  const forward = forwarderFor(deps, transport, cfg.passHostHeader, cfg.flushInterval);
  // One pickable server (the common case): no round robin to build, step or keep (100,000
  // single-server services made 21 MB of round robins only to drop them).
  if (pickable === 1) return singleServer(forward, first);
  return roundRobin(forward, new SmoothWeightedRoundRobin(servers.map((s) => ({ value: s.target, weight: s.weight }))));
}

// The handlers are made in their own functions so that each closure keeps only what it uses.
// Arrow functions: a `function` keeps a slot for its prototype (8 more bytes per service).
function singleServer(forward: Forwarder, only: ServerTarget): Handler {
  const loadBalancer = (ex: Exchange): void => {
    forward(ex, only);
  };
  return loadBalancer;
}

function roundRobin(forward: Forwarder, wrr: SmoothWeightedRoundRobin<ServerTarget>): Handler {
  return function loadBalancer(ex: Exchange): void {
    const server = wrr.next() as ServerTarget;
    const attempts = attemptWatcher(ex);
    forward(ex, attempts === undefined ? server : untried(wrr, server, attempts.picked));
  };
}

/**
 * For an exchange being retried (upstream-attempts.ts): the next server in rotation that this
 * exchange was not sent to yet, when one comes up within a few turns; noted as picked.
 */
function untried(wrr: SmoothWeightedRoundRobin<ServerTarget>, first: ServerTarget, picked: unknown[]): ServerTarget {
  let server = first;
  for (let turns = wrr.size * 4; turns > 0 && picked.includes(server); turns--) server = wrr.next() as ServerTarget;
  picked.push(server);
  return server;
}

/** Fisher-Yates with an injectable random source. */
export function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
}


/** The handler of a service with no server of weight > 0. */
function noServer(): void {
  throw noAvailableServer();
}

/** The shared parsed target of a server URL; an invalid URL throws a plain Error with the message. */
function serverTarget(pools: UpstreamPools, url: string, preservePath: boolean): ServerTarget {
  try {
    return sharedTarget(pools, url, preservePath);
  } catch (err) {
    throw new Error(err instanceof Error ? err.message : String(err), { cause: err });
  }
}
