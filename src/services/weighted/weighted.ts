/**
 * The `weighted` service: a smooth weighted round robin over other services (canary releases,
 * blue-green), as Traefik's wrr balancer of services.
 *
 * - Children are picked by weight with the load balancer's EDF round robin; like Traefik, the order
 *   is shuffled at build time, and a child of weight 0 is left out (never picked, never counted as
 *   up, never named by the cookie).
 * - `sticky.cookie`: a request whose cookie names an available child goes to it; otherwise the
 *   child picked by the round robin is written into the cookie (value = 16 hex of SHA-256 of the
 *   child's name as written in the configuration; Traefik's legacy values are accepted and
 *   rewritten). Nested weighted services need sticky on each level (one cookie per level).
 * - `healthCheck: {}`: children whose health is down are skipped, and this service reports itself
 *   up while any child is up. Every child must then report health (built with a health check).
 *   Without it children are always picked (a child with no server up answers 503 itself).
 * - No available child: 503 `no available server`.
 */
import type { StickyConfig } from '../../config/dynamic/types.js';
import type { Exchange, Handler } from '../../exchange/exchange.js';
import { noAvailableServer, shuffle } from '../loadbalancer/load-balancer.js';
import { StickyCookie, StickyIndex } from '../loadbalancer/sticky.js';
import { SmoothWeightedRoundRobin } from '../loadbalancer/wrr.js';
import type { BuiltService } from '../service.js';
import { ParentHealth, requireHealth } from './parent-health.js';

export interface WeightedChild {
  /** The child's qualified name (`app-v2@file`). */
  readonly name: string;
  readonly weight: number;
  readonly service: BuiltService;
}

export interface WeightedOptions {
  /** This service's qualified name (default sticky cookie name, error messages). */
  readonly name: string;
  readonly sticky: StickyConfig | undefined;
  readonly healthCheck: boolean;
  /** Random source for the build-time shuffle; default Math.random. */
  readonly random?: () => number;
  /** Keep the configured order (tests). */
  readonly noShuffle?: boolean;
}

interface Child {
  readonly handler: Handler;
  readonly weight: number;
  up: boolean;
}

/**
 * Builds a weighted service over built children. Throws an Error with a user-facing message when
 * `healthCheck` is set and a child reports no health.
 */
export function createWeighted(children: readonly WeightedChild[], opts: WeightedOptions): BuiltService {
  const healths = opts.healthCheck ? children.map((c) => requireHealth(opts.name, 'child service', c.name, c.service)) : [];
  const list: Child[] = children.map((c, i) => ({ handler: c.service.handler, weight: c.weight, up: healths[i]?.up ?? true }));
  const keys = children.map((c) => stickyKey(c.name, opts.name));
  const order = list.map((_, i) => i);
  if (opts.noShuffle !== true) shuffle(order, opts.random ?? Math.random);

  let wrr = roundRobin(list, order);
  const anyUp = (): boolean => list.some((c) => c.up && c.weight > 0);
  const health = opts.healthCheck ? new ParentHealth(anyUp()) : undefined;
  const unwatch = healths.map((h, i) =>
    h.watch((up) => {
      const child = list[i] as Child;
      if (child.up === up) return;
      child.up = up;
      // Rebuilt on each flip (rare), so that picking never has to skip a child that is down.
      wrr = roundRobin(list, order);
      health?.set(anyUp());
    }),
  );

  const pick = (): Child => {
    const child = wrr.next();
    if (child === undefined) throw noAvailableServer();
    return child;
  };

  let handler: Handler;
  if (opts.sticky === undefined) {
    handler = function weighted(ex: Exchange) {
      return pick().handler(ex);
    };
  } else {
    const cookie = new StickyCookie(opts.sticky.cookie, opts.name);
    const index = new StickyIndex(list.flatMap((c, i) => (c.weight > 0 ? [[keys[i] as string, c] as const] : [])));
    handler = function weightedSticky(ex: Exchange) {
      const value = cookie.lookup(ex);
      const hit = value === undefined ? undefined : index.find(value);
      if (hit !== undefined && hit.up) {
        const current = index.valueOf(hit);
        if (value !== current) cookie.write(ex, current);
        return hit.handler(ex);
      }
      const child = pick();
      cookie.write(ex, index.valueOf(child));
      return child.handler(ex);
    };
  }

  let disposed = false;
  return {
    handler,
    health,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const u of unwatch) u();
      health?.clear();
    },
  };
}

function roundRobin(list: readonly Child[], order: readonly number[]): SmoothWeightedRoundRobin<Child> {
  const items: { value: Child; weight: number }[] = [];
  for (const i of order) {
    const c = list[i] as Child;
    if (c.up) items.push({ value: c, weight: c.weight });
  }
  return new SmoothWeightedRoundRobin(items);
}

/**
 * What the sticky value hashes: the child's name as Traefik sees it, i.e. as written in the
 * configuration. References are qualified by the provider stage, so a child of the parent's own
 * provider (written without `@`) is hashed without the suffix.
 */
export function stickyKey(child: string, parent: string): string {
  const at = parent.lastIndexOf('@');
  if (at < 0) return child;
  const suffix = parent.slice(at);
  return child.endsWith(suffix) ? child.slice(0, -suffix.length) : child;
}
