/**
 * What a built service is, whatever its kind (loadBalancer, weighted, mirroring, failover): the
 * handler the routers call, its health when it tracks one, and how to stop what it runs in the
 * background (health-check timers) once a reload drops it.
 */
import type { Handler } from '../exchange/exchange.js';

/** A server's state as the API shows it (`serverStatus`). */
export type ServerState = 'UP' | 'DOWN';

export interface ServiceHealth {
  /** True while the service can take a request (at least one server or child is up). */
  readonly up: boolean;
  /** Per server URL, for load balancers (the API's `serverStatus`); undefined for parents. */
  readonly serverStatus: ReadonlyMap<string, ServerState> | undefined;
  /** Called each time `up` flips; returns the function that unsubscribes. */
  watch(cb: (up: boolean) => void): () => void;
}

export interface BuiltService {
  readonly handler: Handler;
  /**
   * Present when the service tracks health: a loadBalancer with healthCheck or passiveHealthCheck,
   * a parent (weighted, mirroring, failover) with `healthCheck: {}`. Absent = always up.
   */
  readonly health: ServiceHealth | undefined;
  /** Stops background work (health-check timers, probes in flight). Idempotent. */
  dispose(): void;
}

/**
 * The `dispose` of a service with nothing to stop (shared: a runtime that sees it, with no
 * `health`, keeps the handler alone and not the service object; see compile.ts ServiceEntry).
 */
export function noDispose(): void {}

/** A service with no health tracking and nothing to stop. */
export function plainService(handler: Handler): BuiltService {
  return { handler, health: undefined, dispose: noDispose };
}

/** Whether `service` is only its handler: no health to track, nothing to stop. */
export function isPlain(service: BuiltService): boolean {
  return service.health === undefined && service.dispose === noDispose;
}
