/**
 * What every load balancer variant shares: parsed server targets and forwarders, both shared
 * across services (and reloads) per pool store, and the "no available server" answer.
 */
import { ProxyError } from '../../errors/codes.js';
import type { ForwardErrorHandler } from '../../proxy/errors.js';
import { createForwarder, type Forwarder, type ForwarderOptions } from '../../proxy/forwarder.js';
import { parseServerUrl, type ServerTarget } from '../../proxy/server-target.js';
import type { ResolvedTransport } from '../../proxy/transport.js';
import type { UpstreamPools } from '../../proxy/upstream-pools.js';

/** Traefik's answer when no server can take the request. */
export function noAvailableServer(): ProxyError {
  return new ProxyError('TPK_ERR_NO_SERVER', 'no available server', { body: 'no available server\n' });
}

/** What forwarderFor needs from the load balancer's dependencies. */
export interface ForwarderDeps {
  readonly pools: UpstreamPools;
  readonly createForwarder?: (opts: ForwarderOptions) => Forwarder;
  readonly onError?: ForwardErrorHandler;
}

/**
 * Parsed server URLs, shared by every service naming the same URL (immutable values; sharing them
 * also lets a forwarder's per-target pool cache hold one entry per URL). Per pool store, and
 * emptied when it outgrows any sane configuration, so URLs dropped by reloads do not pile up.
 */
const sharedTargets = new WeakMap<UpstreamPools, [Map<string, ServerTarget>, Map<string, ServerTarget>]>();
const MAX_SHARED_TARGETS = 500_000;

export function sharedTarget(pools: UpstreamPools, url: string, preservePath: boolean): ServerTarget {
  let byPreserve = sharedTargets.get(pools);
  if (byPreserve === undefined) sharedTargets.set(pools, (byPreserve = [new Map<string, ServerTarget>(), new Map<string, ServerTarget>()]));
  // Index 1 for preservePath: no key string to make per service.
  const byUrl = byPreserve[preservePath ? 1 : 0];
  let target = byUrl.get(url);
  if (target === undefined) {
    target = parseServerUrl(url, preservePath);
    if (byUrl.size >= MAX_SHARED_TARGETS) byUrl.clear();
    byUrl.set(url, target);
  }
  return target;
}

/**
 * Forwarders hold no per-service state, so services with the same transport, pool store, error
 * handler and options share one (10,000 services through one transport build one forwarder, not
 * 10,000). Keyed weakly by those objects: a forwarder goes when its transport or store goes.
 */
/** Per passHostHeader (index 1 when set): forwarders by flushInterval. */
type ByFlush = [Map<number, Forwarder>, Map<number, Forwarder>];
const sharedForwarders = new WeakMap<UpstreamPools, WeakMap<ResolvedTransport, WeakMap<object, ByFlush>>>();
const DEFAULT_ON_ERROR = {};

export function forwarderFor(deps: ForwarderDeps, transport: ResolvedTransport, passHostHeader: boolean, flushInterval: number): Forwarder {
  if (deps.createForwarder !== undefined) return deps.createForwarder(forwarderOptions(deps, transport, passHostHeader, flushInterval));
  let byTransport = sharedForwarders.get(deps.pools);
  if (byTransport === undefined) sharedForwarders.set(deps.pools, (byTransport = new WeakMap()));
  let byOnError = byTransport.get(transport);
  if (byOnError === undefined) byTransport.set(transport, (byOnError = new WeakMap()));
  const errorKey: object = deps.onError ?? DEFAULT_ON_ERROR;
  let byPassHost = byOnError.get(errorKey);
  if (byPassHost === undefined) byOnError.set(errorKey, (byPassHost = [new Map<number, Forwarder>(), new Map<number, Forwarder>()]));
  const byFlush = byPassHost[passHostHeader ? 1 : 0];
  let forward = byFlush.get(flushInterval);
  // The options object only for a forwarder to make (10,000 services through one transport make one).
  if (forward === undefined) byFlush.set(flushInterval, (forward = createForwarder(forwarderOptions(deps, transport, passHostHeader, flushInterval))));
  return forward;
}

function forwarderOptions(deps: ForwarderDeps, transport: ResolvedTransport, passHostHeader: boolean, flushInterval: number): ForwarderOptions {
  return {
    transport,
    passHostHeader,
    flushInterval,
    pools: deps.pools,
    ...(deps.onError === undefined ? {} : { onError: deps.onError }),
  };
}
