/**
 * Passive health checks (`passiveHealthCheck`, Traefik 3.x): servers are judged by the requests
 * really forwarded to them, with no probe of their own. Semantics follow Traefik's implementation
 * (pkg/healthcheck, PassiveServiceHealthChecker) and documentation ("failureWindow: the time window
 * during which the failed attempts must occur for the server to be marked as unhealthy; it also
 * defines for how long the server will be considered unhealthy"):
 * - a failed attempt is a forward that got no answer from the server (connection refused/reset,
 *   DNS, TLS handshake, dial or response-header timeout: the forwarder's 502/504) or whose answer
 *   has a status >= 500; any other answer is a success and clears the server's failure history
 *   (so failures count only while nothing succeeds in between). A client that goes away is neither;
 * - when `maxFailedAttempts` failures fall within `failureWindow` (a sliding window over the times
 *   of the last `maxFailedAttempts` failures) the server leaves rotation at once;
 * - without an active health check it comes back `failureWindow` after it left, its history
 *   cleared, and is tried again with real requests. With an active health check, as in Traefik,
 *   the passive check only takes servers out: the next successful probe puts it back.
 */
import type { PassiveHealthCheckConfig } from '../../config/dynamic/types.js';
import type { ProxyError } from '../../errors/codes.js';

interface Track {
  /** Ring of the last `maxFailedAttempts` failure times (performance.now ms). */
  readonly times: number[];
  next: number;
  count: number;
  timer: NodeJS.Timeout | undefined;
}

/** Is this forwarding failure a failed attempt of the server (no answer: 502/504, not 499)? */
export function isServerFailure(err: ProxyError): boolean {
  return err.status === 502 || err.status === 504;
}

export class PassiveHealth<S> {
  readonly #cfg: PassiveHealthCheckConfig;
  readonly #setDown: (server: S, down: boolean) => void;
  readonly #recover: boolean;
  readonly #now: () => number;
  readonly #tracks = new Map<S, Track>();
  #disposed = false;

  /**
   * `setDown(server, true)` takes a server out of rotation, `false` puts it back (only called with
   * false when `recover` is true: no active health check to do it).
   */
  constructor(
    cfg: PassiveHealthCheckConfig,
    setDown: (server: S, down: boolean) => void,
    opts: { readonly recover?: boolean; readonly now?: () => number } = {},
  ) {
    this.#cfg = cfg;
    this.#setDown = setDown;
    this.#recover = opts.recover ?? true;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Record a failed attempt of `server`. */
  failed(server: S): void {
    if (this.#disposed) return;
    let t = this.#tracks.get(server);
    if (t === undefined) {
      t = { times: new Array<number>(this.#cfg.maxFailedAttempts).fill(0), next: 0, count: 0, timer: undefined };
      this.#tracks.set(server, t);
    }
    if (t.timer !== undefined) return; // already out of rotation until the window ends
    const now = this.#now();
    const max = this.#cfg.maxFailedAttempts;
    t.times[t.next] = now;
    t.next = (t.next + 1) % max;
    if (t.count < max) t.count++;
    // With the ring full, `next` points at the oldest of the last `max` failures.
    const oldest = t.count < max ? undefined : (t.times[t.next] as number);
    if (oldest === undefined || now - oldest > this.#cfg.failureWindow) return;
    t.count = 0;
    t.next = 0;
    if (this.#recover) {
      const track = t;
      track.timer = setTimeout(() => {
        track.timer = undefined;
        this.#setDown(server, false);
      }, this.#cfg.failureWindow);
      track.timer.unref();
    }
    this.#setDown(server, true);
  }

  /** Record a success of `server` (an answer below 500): its failure history is cleared. */
  succeeded(server: S): void {
    const t = this.#tracks.get(server);
    if (t !== undefined) t.count = 0;
  }

  /** Is `server` out of rotation, waiting for its failure window to end? */
  isDown(server: S): boolean {
    return this.#tracks.get(server)?.timer !== undefined;
  }

  /** Stop the timers (the service was dropped). */
  dispose(): void {
    this.#disposed = true;
    for (const t of this.#tracks.values()) if (t.timer !== undefined) clearTimeout(t.timer);
    this.#tracks.clear();
  }
}
