/**
 * The health a parent service (weighted, mirroring, failover with `healthCheck: {}`) reports
 * upward: one boolean, with watchers told each time it flips. Parents have no servers of their
 * own, so `serverStatus` is undefined (the API shows the children's).
 */
import type { BuiltService, ServiceHealth } from '../service.js';

export class ParentHealth implements ServiceHealth {
  #up: boolean;
  readonly #watchers = new Set<(up: boolean) => void>();

  constructor(up: boolean) {
    this.#up = up;
  }

  get up(): boolean {
    return this.#up;
  }

  get serverStatus(): undefined {
    return undefined;
  }

  watch(cb: (up: boolean) => void): () => void {
    // A wrapper per subscription, so the same function subscribed twice unsubscribes once each.
    const entry = (up: boolean): void => cb(up);
    this.#watchers.add(entry);
    return () => {
      this.#watchers.delete(entry);
    };
  }

  /** Sets the state; watchers hear about it only when it changed. */
  set(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    for (const w of [...this.#watchers]) w(up);
  }

  /** Forget every watcher (the parent was disposed). */
  clear(): void {
    this.#watchers.clear();
  }
}

/**
 * The error of a parent with `healthCheck: {}` whose child reports no health (Traefik refuses to
 * build it: "Health-check on a parent fails if any descendant lacks it").
 */
export function requireHealth(parent: string, role: string, child: string, service: BuiltService): NonNullable<BuiltService['health']> {
  if (service.health !== undefined) return service.health;
  throw new Error(
    `healthCheck is set on "${parent}" but its ${role} "${child}" reports no health ` +
      '(give that loadBalancer a healthCheck or passiveHealthCheck, or that parent service healthCheck: {})',
  );
}
