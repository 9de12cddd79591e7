/**
 * The `failover` service: requests go to the main `service` while it is up and to `fallback`
 * while it is down, as Traefik's failover handler.
 *
 * - The main service's health comes from its own health check (a loadBalancer with healthCheck or
 *   passiveHealthCheck, or a parent with `healthCheck: {}`). A main service that reports no health
 *   counts as always up: the fallback is then never used (Traefik refuses such a configuration; the
 *   compiler accepts it).
 * - The fallback's health is followed only with `healthCheck: {}` (as in Traefik); without it the
 *   fallback is assumed up.
 * - `healthCheck: {}`: this service reports up while the main service or the fallback is up, and
 *   both must report health.
 * - Both down: 503 with Go's status text, as Traefik (`Service Unavailable`).
 */
import type { Exchange, Handler } from '../../exchange/exchange.js';
import { ProxyError } from '../../errors/codes.js';
import type { BuiltService } from '../service.js';
import { ParentHealth, requireHealth } from '../weighted/parent-health.js';

export interface FailoverChild {
  /** The child's qualified name. */
  readonly name: string;
  readonly service: BuiltService;
}

export interface FailoverOptions {
  /** This service's qualified name (error messages). */
  readonly name: string;
  readonly healthCheck: boolean;
}

/** Traefik's answer when neither the main service nor the fallback is up. */
export function failoverUnavailable(): ProxyError {
  return new ProxyError('TPK_ERR_NO_SERVER', 'failover: the main service and the fallback are both down', { body: 'Service Unavailable\n' });
}

/**
 * Builds a failover service. Throws an Error with a user-facing message when `healthCheck` is set
 * and the main service or the fallback reports no health.
 */
export function createFailover(main: FailoverChild, fallback: FailoverChild, opts: FailoverOptions): BuiltService {
  const mainHealth = opts.healthCheck ? requireHealth(opts.name, 'main service', main.name, main.service) : main.service.health;
  const fallbackHealth = opts.healthCheck ? requireHealth(opts.name, 'fallback service', fallback.name, fallback.service) : undefined;
  const state = { main: mainHealth?.up ?? true, fallback: fallbackHealth?.up ?? true };
  const health = opts.healthCheck ? new ParentHealth(state.main || state.fallback) : undefined;
  const unwatch: (() => void)[] = [];
  if (mainHealth !== undefined) {
    unwatch.push(
      mainHealth.watch((up) => {
        state.main = up;
        health?.set(state.main || state.fallback);
      }),
    );
  }
  if (fallbackHealth !== undefined) {
    unwatch.push(
      fallbackHealth.watch((up) => {
        state.fallback = up;
        health?.set(state.main || state.fallback);
      }),
    );
  }

  const mainHandler: Handler = main.service.handler;
  const fallbackHandler: Handler = fallback.service.handler;
  const handler = function failover(ex: Exchange) {
    if (state.main) return mainHandler(ex);
    if (state.fallback) return fallbackHandler(ex);
    throw failoverUnavailable();
  };

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
