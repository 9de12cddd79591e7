/**
 * The Docker provider (`providers.docker`): routes from container labels, kept live from the
 * engine's event stream.
 *
 * A session: open the event stream (replaying from a second before, so the subscription has no
 * gap), then list and inspect every container and emit; from then on, events mark containers
 * dirty and a short settle (`settleMs`, 10 ms by default) gathers a burst (`docker run` gives create,
 * network connect and start; `docker stop` gives kill, die, stop) into one re-inspection of the
 * containers concerned and one emit. Inspections never overlap: events that arrive meanwhile make
 * exactly one more round. With `watch: false` the containers are read once.
 *
 * A stop signal (`kill` event with TERM, INT, QUIT, KILL, WINCH... anything but HUP/USR1/USR2) takes
 * the container out of the routes at once, while it is still running, so requests stop going to it
 * before it exits: a container that finishes its requests before exiting makes none fail. It comes
 * back if it is still running `stoppingGraceMs` later without further news (the signal was not a stop).
 *
 * No route made from labels reaches the Docker endpoint itself (endpoint-guard.ts).
 *
 * When the stream ends (engine restarted, connection lost), the last routes stay in place and the
 * session starts again after a backoff (250 ms doubling to 10 s; reset once a session syncs), each
 * attempt logged, then a full resync replaces the state. `signal` stops everything.
 *
 * Network mode `host`: as Traefik, the container is reached at the address of
 * `host.docker.internal` (else `host.containers.internal`) when that name resolves — Turnpike then
 * runs in a container of Docker Desktop or Podman — else at 127.0.0.1 (the translation's default).
 */
import { lookup } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import type { Diagnostic } from '../../config/diagnostics.js';
import { EMPTY_DYNAMIC } from '../../config/dynamic/types.js';
import type { DockerProviderConfig } from '../../config/static/sections/docker.js';
import type { Logger } from '../../observability/logger.js';
import type { Provider, ProviderMessage } from '../provider.js';
import { DockerClient, INSPECT_CONCURRENCY, type DockerEvent } from './client.js';
import type { ContainerInfo } from './container.js';
import { endpointGuard, withoutEndpointServers, type EndpointGuard } from './endpoint-guard.js';
import { allowsNonRunning } from './labels.js';
import { translateContainers, type DockerTranslateOptions } from './translate.js';

/** The engine could not be reached when the provider started (warning: it keeps retrying). */
export const DOCKER_UNREACHABLE = 'TPK_DOCKER_UNREACHABLE';

export interface DockerProviderOptions {
  /** Namespace of the objects (`web@docker`); default `docker`. */
  readonly name?: string;
  /** Connection, loss, reconnection and resync are logged at INFO/WARN; each emit at DEBUG. */
  readonly logger?: Logger;
  /** Time gathering a burst of events into one update, ms; default 10. */
  readonly settleMs?: number;
  /** Reconnection delays, ms: first, then doubled up to `maxMs`; default 250 and 10000. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How long a container that received a stop signal stays out of the routes while running, ms; default 30000. */
  readonly stoppingGraceMs?: number;
}

/** Actions that change what a container contributes; everything else (exec_*, attach, top...) is ignored. */
const CONTAINER_ACTIONS = new Set(['create', 'start', 'restart', 'die', 'stop', 'kill', 'oom', 'pause', 'unpause', 'destroy', 'rename', 'update']);
const NETWORK_ACTIONS = new Set(['connect', 'disconnect']);
/** Signals sent to reload, not to stop (SIGHUP, SIGUSR1, SIGUSR2). */
const RELOAD_SIGNALS = new Set(['1', '10', '12', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'HUP', 'USR1', 'USR2']);

function relevant(e: DockerEvent): boolean {
  if (e.type === 'network') return NETWORK_ACTIONS.has(e.action);
  return CONTAINER_ACTIONS.has(e.action) || e.action.startsWith('health_status');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The provider of `providers.docker` (see the module comment); `options` tune it for tests and benchmarks. */
export function createDockerProvider(cfg: DockerProviderConfig, options: DockerProviderOptions = {}): Provider {
  const name = options.name ?? 'docker';
  return {
    name,
    start: (signal, emit) => new DockerWatch(name, cfg, options, signal, emit).run(),
  };
}

class DockerWatch {
  readonly #client: DockerClient;
  readonly #translate: DockerTranslateOptions;
  readonly #settleMs: number;
  readonly #stoppingGraceMs: number;
  readonly #backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Inspected containers by id. */
  #containers = new Map<string, ContainerInfo>();
  /** Containers sent a stop signal while running: left out of the routes until the timer fires. */
  readonly #stopping = new Map<string, NodeJS.Timeout>();
  #dirty = new Set<string>();
  #settle: NodeJS.Timeout | undefined;
  /** True while a full sync or an update round runs (they never overlap). */
  #busy = false;
  /** Set when a session's stream is open; its rounds stop when it aborts. */
  #session: AbortSignal | undefined;
  #emitted = false;
  /** Address of host.docker.internal / host.containers.internal, '' when neither resolves, undefined = not looked up. */
  #hostAddress: string | undefined;
  /** Where the endpoint is, so that no label routes to it (endpoint-guard.ts). */
  #guard: EndpointGuard | undefined;

  constructor(
    readonly name: string,
    readonly cfg: DockerProviderConfig,
    options: DockerProviderOptions,
    readonly signal: AbortSignal,
    readonly emit: (m: ProviderMessage) => void,
    readonly log: Logger | undefined = options.logger,
  ) {
    this.#client = new DockerClient(cfg);
    this.#translate = {
      exposedByDefault: cfg.exposedByDefault,
      defaultRule: cfg.defaultRule,
      network: cfg.network,
      useBindPortIP: cfg.useBindPortIP,
      constraints: cfg.constraints,
      allowEmptyServices: cfg.allowEmptyServices,
    };
    this.#settleMs = options.settleMs ?? 10;
    this.#stoppingGraceMs = options.stoppingGraceMs ?? 30_000;
    this.#backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
  }

  async run(): Promise<void> {
    let delay = this.#backoff.initialMs;
    let sessions = 0;
    while (!this.signal.aborted) {
      const session = new AbortController();
      // Each request in flight listens to it (the stream, and up to INSPECT_CONCURRENCY inspections).
      setMaxListeners(2 * INSPECT_CONCURRENCY + 8, session.signal);
      const stop = (): void => session.abort();
      this.signal.addEventListener('abort', stop, { once: true });
      try {
        const synced = await this.#connect(session.signal, sessions);
        sessions++;
        if (synced === 'once') return;
        delay = this.#backoff.initialMs;
        const lost = await synced.ended;
        if (this.signal.aborted) break;
        this.log?.warn({ provider: this.name, endpoint: this.cfg.endpoint, err: lost === undefined ? 'stream closed' : errorText(lost) }, 'docker event stream lost, reconnecting');
      } catch (err) {
        if (this.signal.aborted) break;
        this.log?.warn({ provider: this.name, endpoint: this.cfg.endpoint, err: errorText(err), retryInMs: delay }, 'cannot reach the Docker engine');
        this.#reportUnreachable(err);
      } finally {
        this.signal.removeEventListener('abort', stop);
        session.abort();
        this.#endSession();
      }
      await pause(delay, this.signal);
      delay = Math.min(delay * 2, this.#backoff.maxMs);
    }
    this.#endSession();
    for (const t of this.#stopping.values()) clearTimeout(t);
    this.#stopping.clear();
  }

  /** One session: stream (when watching), full sync, emit. 'once' when not watching. */
  async #connect(signal: AbortSignal, previous: number): Promise<'once' | { ended: Promise<Error | undefined> }> {
    const v = await this.#client.version(signal);
    this.#guard = await endpointGuard(this.cfg.endpoint);
    this.#busy = true;
    this.#dirty = new Set();
    let stream: { ended: Promise<Error | undefined> } | undefined;
    if (this.cfg.watch) {
      this.#session = signal;
      stream = await this.#client.events(Math.floor(Date.now() / 1000) - 1, signal, (e) => this.#onEvent(e));
    }
    const ids = await this.#client.listIds(signal);
    const found = await this.#client.inspectAll(ids, signal);
    const fresh = new Map<string, ContainerInfo>();
    for (const c of found) if (c !== undefined) fresh.set(c.id, c);
    this.#containers = fresh;
    await this.#resolveHostAddress(true);
    if (signal.aborted) throw new Error('aborted');
    this.#publish();
    this.log?.info(
      { provider: this.name, endpoint: this.cfg.endpoint, engine: v.version, api: v.apiVersion, containers: fresh.size },
      previous === 0 ? 'docker provider connected' : 'docker provider reconnected, full resync done',
    );
    this.#busy = false;
    if (stream === undefined) return 'once';
    if (this.#dirty.size > 0) this.#schedule();
    return stream;
  }

  #endSession(): void {
    this.#session = undefined;
    clearTimeout(this.#settle);
    this.#settle = undefined;
    this.#busy = false;
    this.#dirty.clear();
  }

  #onEvent(e: DockerEvent): void {
    if (!relevant(e)) return;
    this.log?.debug({ provider: this.name, action: e.action, container: e.containerId.slice(0, 12) }, 'docker event');
    if (e.type === 'container') {
      if (e.action === 'kill' && !RELOAD_SIGNALS.has(e.attributes['signal'] ?? '')) this.#markStopping(e.containerId);
      else if (e.action !== 'kill' && !e.action.startsWith('health_status')) this.#clearStopping(e.containerId);
    }
    this.#dirty.add(e.containerId);
    this.#schedule();
  }

  #markStopping(id: string): void {
    clearTimeout(this.#stopping.get(id));
    const timer = setTimeout(() => {
      // No news since the signal: it was not a stop after all (or the engine said nothing): look again.
      this.#stopping.delete(id);
      this.#dirty.add(id);
      this.#schedule();
    }, this.#stoppingGraceMs);
    timer.unref();
    this.#stopping.set(id, timer);
  }

  #clearStopping(id: string): void {
    const timer = this.#stopping.get(id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#stopping.delete(id);
  }

  #schedule(): void {
    if (this.#busy || this.#settle !== undefined || this.#session === undefined) return;
    this.#armRound(this.#settleMs);
  }

  /** One update round in `ms` (the settle timer: cleared when the session ends, at most one pending). */
  #armRound(ms: number): void {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => {
      this.#settle = undefined;
      void this.#round();
    }, ms);
  }

  /** Re-inspects the dirty containers and emits; repeats while events keep arriving. */
  async #round(): Promise<void> {
    const session = this.#session;
    if (session === undefined || this.#busy) return;
    this.#busy = true;
    let ids: string[] = [];
    try {
      while (this.#dirty.size > 0 && !session.aborted) {
        ids = [...this.#dirty];
        this.#dirty.clear();
        const found = await this.#client.inspectAll(ids, session);
        if (session.aborted) return;
        for (const [i, id] of ids.entries()) {
          const c = found[i];
          if (c === undefined) {
            this.#containers.delete(id);
            this.#clearStopping(id);
          } else {
            this.#containers.set(id, c);
          }
        }
        await this.#resolveHostAddress(false);
        if (session.aborted) return;
        this.#publish();
      }
    } catch (err) {
      if (session.aborted) return;
      // A request failed (timeout, engine busy): look again shortly. If the engine is gone, the
      // stream ends too and the session restarts with a full resync instead.
      this.log?.warn({ provider: this.name, err: errorText(err), retryInMs: this.#backoff.initialMs }, 'docker inspect failed');
      for (const id of ids) this.#dirty.add(id);
      this.#armRound(this.#backoff.initialMs);
    } finally {
      if (this.#session === session) this.#busy = false;
    }
  }

  /** Looks up the host address once per full sync, and on an update only if a host-mode container appears first then. */
  async #resolveHostAddress(refresh: boolean): Promise<void> {
    if (!refresh && this.#hostAddress !== undefined) return;
    if (![...this.#containers.values()].some((c) => c.networkMode === 'host')) return;
    this.#hostAddress = '';
    for (const hostName of ['host.docker.internal', 'host.containers.internal']) {
      try {
        this.#hostAddress = (await lookup(hostName)).address;
        return;
      } catch {
        // not resolvable: try the next name, else 127.0.0.1
      }
    }
  }

  /** The containers that count now: all but those being stopped (unless they allow non-running). */
  #visible(): ContainerInfo[] {
    const out: ContainerInfo[] = [];
    for (const c of this.#containers.values()) {
      if (this.#stopping.has(c.id) && !allowsNonRunning(c.labels)) continue;
      out.push(c.networkMode === 'host' && this.#hostAddress ? { ...c, hostname: this.#hostAddress } : c);
    }
    return out;
  }

  #publish(): void {
    const message = withoutEndpointServers(translateContainers(this.#visible(), this.#translate).message, this.#guard);
    this.#emitted = true;
    this.log?.debug({ provider: this.name, containers: this.#containers.size }, 'docker configuration emitted');
    this.emit(message.provider === this.name ? message : { ...message, provider: this.name });
  }

  /** Before any emit, an unreachable engine gives an empty configuration saying why (routes from other providers apply). */
  #reportUnreachable(err: unknown): void {
    if (this.#emitted) return;
    this.#emitted = true;
    const diagnostic: Diagnostic = {
      code: DOCKER_UNREACHABLE,
      severity: 'warning',
      message: `cannot reach the Docker engine at ${this.cfg.endpoint}: ${errorText(err)} (retrying)`,
      source: `providers.docker`,
    };
    this.emit({ provider: this.name, config: EMPTY_DYNAMIC, origins: new Map(), diagnostics: [diagnostic] });
  }
}
