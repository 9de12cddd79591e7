/**
 * The `loadBalancer` service: picks one server per request by smooth weighted round robin and
 * hands the exchange to the forwarder. Built once per configuration; the connection pools it uses
 * live in the `UpstreamPools` store the runtime passes in, so they survive reloads.
 *
 * As Traefik does, the server list is shuffled at build time (so that several Turnpike instances
 * do not all start on the same server); pass `random` to make it deterministic in tests.
 */
import type { LoadBalancerConfig } from '../../config/dynamic/types.js';
import type { Exchange, Handler } from '../../exchange/exchange.js';
import { ProxyError } from '../../errors/codes.js';
import type { ForwardErrorHandler } from '../../proxy/errors.js';
import { createForwarder, type Forwarder, type ForwarderOptions } from '../../proxy/forwarder.js';
import { parseServerUrl, type ServerTarget } from '../../proxy/server-target.js';
import type { ResolvedTransport } from '../../proxy/transport.js';
import { attemptWatcher } from '../../proxy/upstream-attempts.js';
import type { UpstreamPools } from '../../proxy/upstream-pools.js';
import { SmoothWeightedRoundRobin } from './wrr.js';

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
}

/** Traefik's answer when no server can take the request. */
export function noAvailableServer(): ProxyError {
  return new ProxyError('TPK_ERR_NO_SERVER', 'no available server', { body: 'no available server\n' });
}

/**
 * Build a load balancer. Throws an Error with a user-facing message for an invalid server URL or
 * an unknown serversTransport (build-time only; the request path never throws but NO_SERVER).
 */
export function createLoadBalancer(cfg: LoadBalancerConfig, deps: LoadBalancerDeps): Handler {
  const transport = deps.resolveTransport(cfg.serversTransport);
  const servers = cfg.servers.map((s) => {
    try {
      return { target: sharedTarget(deps.pools, s.url, s.preservePath), weight: s.weight };
    } catch (err) {
      throw new Error(err instanceof Error ? err.message : String(err), { cause: err });
    }
  });
  if (deps.noShuffle !== true) shuffle(servers, deps.random ?? Math.random);
  const forward = forwarderFor(deps, transport, cfg.passHostHeader, cfg.flushInterval);
  const wrr = new SmoothWeightedRoundRobin(servers.map((s) => ({ value: s.target, weight: s.weight })));

  if (wrr.size === 0) {
    return function noServer(): void {
      throw noAvailableServer();
    };
  }
  // One pickable server (the common case): no round robin state to step or keep.
  return wrr.size === 1 ? singleServer(forward, wrr.next() as ServerTarget) : roundRobin(forward, wrr);
}

// The handlers are made in their own functions so that each closure keeps only what it uses.
function singleServer(forward: Forwarder, only: ServerTarget): Handler {
  return function loadBalancer(ex: Exchange): void {
    forward(ex, only);
  };
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

/**
 * Parsed server URLs, shared by every service naming the same URL (immutable values; sharing them
 * also lets a forwarder's per-target pool cache hold one entry per URL). Per pool store, and
 * emptied when it outgrows any sane configuration, so URLs dropped by reloads do not pile up.
 */
const sharedTargets = new WeakMap<UpstreamPools, Map<string, ServerTarget>>();
const MAX_SHARED_TARGETS = 500_000;

function sharedTarget(pools: UpstreamPools, url: string, preservePath: boolean): ServerTarget {
  let byUrl = sharedTargets.get(pools);
  if (byUrl === undefined) sharedTargets.set(pools, (byUrl = new Map<string, ServerTarget>()));
  const key = preservePath ? `1${url}` : `0${url}`;
  let target = byUrl.get(key);
  if (target === undefined) {
    target = parseServerUrl(url, preservePath);
    if (byUrl.size >= MAX_SHARED_TARGETS) byUrl.clear();
    byUrl.set(key, target);
  }
  return target;
}

/**
 * Forwarders hold no per-service state, so services with the same transport, pool store, error
 * handler and options share one (10,000 services through one transport build one forwarder, not
 * 10,000). Keyed weakly by those objects: a forwarder goes when its transport or store goes.
 */
const sharedForwarders = new WeakMap<UpstreamPools, WeakMap<ResolvedTransport, WeakMap<object, Map<string, Forwarder>>>>();
const DEFAULT_ON_ERROR = {};

function forwarderFor(deps: LoadBalancerDeps, transport: ResolvedTransport, passHostHeader: boolean, flushInterval: number): Forwarder {
  const options = {
    transport,
    passHostHeader,
    flushInterval,
    pools: deps.pools,
    ...(deps.onError === undefined ? {} : { onError: deps.onError }),
  };
  if (deps.createForwarder !== undefined) return deps.createForwarder(options);
  let byTransport = sharedForwarders.get(deps.pools);
  if (byTransport === undefined) sharedForwarders.set(deps.pools, (byTransport = new WeakMap()));
  let byOnError = byTransport.get(transport);
  if (byOnError === undefined) byTransport.set(transport, (byOnError = new WeakMap()));
  const errorKey: object = deps.onError ?? DEFAULT_ON_ERROR;
  let byOptions = byOnError.get(errorKey);
  if (byOptions === undefined) byOnError.set(errorKey, (byOptions = new Map<string, Forwarder>()));
  const key = `${String(passHostHeader)}|${flushInterval}`;
  let forward = byOptions.get(key);
  if (forward === undefined) byOptions.set(key, (forward = createForwarder(options)));
  return forward;
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
