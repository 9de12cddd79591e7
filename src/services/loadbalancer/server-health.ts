/**
 * The health of a load balancer's servers: each server is UP unless the active check or the
 * passive check (or both) took it out. Implements the ServiceHealth the API and parent services
 * read (`serverStatus`, `up`, `watch`), plus per-server change events.
 *
 * State changes are rare (a check result that differs from the last one), so on each change the
 * owner is told (`onChange`) and rebuilds whatever it picks from; the request path only reads.
 */
import type { ServerState, ServiceHealth } from '../service.js';

/** A server as the health state knows it. `up` is kept current by ServerSetHealth. */
export interface HealthMember {
  readonly url: string;
  /** Servers of weight 0 are never picked: they do not make the service up. */
  readonly weight: number;
  up: boolean;
}

/** Why a server is out of rotation (bits: a server may be out for both reasons). */
export const DOWN_ACTIVE = 1;
export const DOWN_PASSIVE = 2;

export interface LoadBalancerHealth extends ServiceHealth {
  /** Called on each change of one server's state; returns the function that unsubscribes. */
  watchServers(cb: (url: string, state: ServerState) => void): () => void;
}

export class ServerSetHealth<M extends HealthMember> implements LoadBalancerHealth {
  readonly #members: readonly M[];
  readonly #down = new Map<M, number>();
  readonly #status = new Map<string, ServerState>();
  readonly #watchers = new Set<(up: boolean) => void>();
  readonly #serverWatchers = new Set<(url: string, state: ServerState) => void>();
  readonly #onChange: (upMembers: M[]) => void;
  #up: boolean;
  #disposed = false;

  /** `onChange` runs after every change with the members now up (in configured order). */
  constructor(members: readonly M[], onChange: (upMembers: M[]) => void) {
    this.#members = members;
    this.#onChange = onChange;
    for (const m of members) {
      m.up = true;
      this.#status.set(m.url, 'UP');
    }
    this.#up = members.some((m) => m.weight > 0);
  }

  get up(): boolean {
    return this.#up;
  }

  get serverStatus(): ReadonlyMap<string, ServerState> {
    return this.#status;
  }

  watch(cb: (up: boolean) => void): () => void {
    this.#watchers.add(cb);
    return () => this.#watchers.delete(cb);
  }

  watchServers(cb: (url: string, state: ServerState) => void): () => void {
    this.#serverWatchers.add(cb);
    return () => this.#serverWatchers.delete(cb);
  }

  /** Take `m` out of rotation for `reason` (DOWN_ACTIVE / DOWN_PASSIVE), or clear that reason. */
  set(m: M, reason: number, down: boolean): void {
    if (this.#disposed) return;
    const before = this.#down.get(m) ?? 0;
    const after = down ? before | reason : before & ~reason;
    if (after === before) return;
    this.#down.set(m, after);
    const up = after === 0;
    if (up === m.up) return;
    m.up = up;
    // Several members may share a URL (duplicates): the URL is UP while any of them is.
    const state: ServerState = this.#members.some((o) => o.url === m.url && o.up) ? 'UP' : 'DOWN';
    this.#status.set(m.url, state);
    const upMembers = this.#members.filter((o) => o.up);
    this.#onChange(upMembers);
    for (const cb of [...this.#serverWatchers]) cb(m.url, state);
    const serviceUp = upMembers.some((o) => o.weight > 0);
    if (serviceUp !== this.#up) {
      this.#up = serviceUp;
      for (const cb of [...this.#watchers]) cb(serviceUp);
    }
  }

  /** Stop reporting changes (the service was dropped). */
  dispose(): void {
    this.#disposed = true;
    this.#watchers.clear();
    this.#serverWatchers.clear();
  }
}
