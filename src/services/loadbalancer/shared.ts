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
const sharedTargets = new WeakMap<UpstreamPools, Map<string, ServerTarget>>();
const MAX_SHARED_TARGETS = 500_000;

export function sharedTarget(pools: UpstreamPools, url: string, preservePath: boolean): ServerTarget {
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

export function forwarderFor(deps: ForwarderDeps, transport: ResolvedTransport, passHostHeader: boolean, flushInterval: number): Forwarder {
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

