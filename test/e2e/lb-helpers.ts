/**
 * Shared by the lb-* end-to-end tests: load balancer configurations and bounded waits for health
 * state changes (never sleeps).
 */
import type { HealthCheckConfig, LoadBalancerConfig } from '../../src/config/dynamic/types.js';
import type { ServerState } from '../../src/services/service.js';
import type { LoadBalancerHealth } from '../../src/services/loadbalancer/load-balancer.js';

export function lbConfig(urls: string[], extra: Partial<LoadBalancerConfig> = {}): LoadBalancerConfig {
  return {
    servers: urls.map((url) => ({ url, weight: 1, preservePath: false })),
    passHostHeader: true,
    serversTransport: undefined,
    flushInterval: 100,
    sticky: undefined,
    healthCheck: undefined,
    passiveHealthCheck: undefined,
    ...extra,
  };
}

export function healthCheck(o: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    path: '/health',
    scheme: undefined,
    mode: 'http',
    hostname: undefined,
    port: undefined,
    interval: 100,
    unhealthyInterval: 100,
    timeout: 1000,
    headers: {},
    followRedirects: true,
    method: 'GET',
    status: 0,
    ...o,
  };
}

/** Resolves when `url` turns `state` (at once if it already is); rejects after `ms`. */
export function serverTurns(health: LoadBalancerHealth | undefined, url: string, state: ServerState, ms = 3000): Promise<void> {
  if (health === undefined) return Promise.reject(new Error('no health'));
  if (health.serverStatus?.get(url) === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${url} did not turn ${state} within ${ms}ms`));
    }, ms);
    const stop = health.watchServers((u, s) => {
      if (u === url && s === state) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}

/** Resolves when the service's `up` turns `up` (at once if it already is); rejects after `ms`. */
export function serviceTurns(health: LoadBalancerHealth | undefined, up: boolean, ms = 3000): Promise<void> {
  if (health === undefined) return Promise.reject(new Error('no health'));
  if (health.up === up) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`service did not turn ${up ? 'up' : 'down'} within ${ms}ms`));
    }, ms);
    const stop = health.watch((u) => {
      if (u === up) {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  });
}
