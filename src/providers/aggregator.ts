/**
 * The aggregator: receives every provider's whole-state messages, throttles them, namespaces
 * names (`api@file`), merges all providers and hands out one frozen Snapshot.
 *
 * Throttling is per provider and latest-wins, with a timer rather than sleeps (Traefik's
 * `providersThrottleDuration`): a provider's first message applies at once; after an apply, that
 * provider's next apply waits until `throttleMs` has passed and then takes only its latest
 * message. A burst of ten writes therefore gives one or two applies. A message identical to the
 * provider's previous one (content hash) is dropped. Reference checking (a router naming a missing
 * service) is the compiler's job, not this one's.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { freezeFresh } from '../config/dynamic/freeze.js';
import type { DynamicConfig, ObjectOrigin } from '../config/dynamic/types.js';
import { configHash as hashConfig, contentHash, reportHash } from './content-hash.js';
import type { ProviderMessage } from './provider.js';
import { type QualifiedState, mergeStates, qualifyMessage } from './qualify.js';

export interface Snapshot {
  /** 1, 2, 3, ... one per snapshot handed out. */
  readonly version: number;
  /** Content hash of `config` alone: equal hash = nothing to recompile (diagnostics may differ). */
  readonly hash: string;
  /** Every provider's objects under qualified names, references qualified too. */
  readonly config: DynamicConfig;
  /** Keyed by qualified object key, e.g. `http.routers.api@file`. */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  /** From all providers, with `object` qualified. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface AggregatorOptions {
  /** Minimum time between two applies of one provider's messages, ms (static default 2000). */
  readonly throttleMs: number;
  /** Called synchronously with each new snapshot; it must not throw. */
  readonly onSnapshot: (snapshot: Snapshot) => void;
  /** Monotonic clock in ms (default performance.now); tests pass a mocked one. */
  readonly now?: () => number;
}

export interface Aggregator {
  push(message: ProviderMessage): void;
  /** Stops timers; pending (throttled) messages are dropped and later pushes ignored. */
  close(): void;
}

interface ProviderSlot {
  /** Hash of the last message received (applied or pending). */
  receivedHash: string | undefined;
  pending: { message: ProviderMessage; hash: string; configHash: string } | undefined;
  appliedHash: string | undefined;
  /** Content hash of the applied message's configuration alone. */
  appliedConfigHash: string | undefined;
  applied: QualifiedState | undefined;
  lastApplyAt: number;
  timer: NodeJS.Timeout | undefined;
}

export function createAggregator(options: AggregatorOptions): Aggregator {
  const slots = new Map<string, ProviderSlot>();
  let version = 0;
  let closed = false;
  const now = options.now ?? (() => performance.now());

  const publish = (): void => {
    const states = [...slots.keys()]
      .sort()
      .map((name) => slots.get(name)?.applied)
      .filter((s): s is QualifiedState => s !== undefined);
    const merged = mergeStates(states);
    version++;
    // The merged configuration is a function of each provider's configuration, so its hash is
    // taken over theirs (computed once per message) rather than over the whole merged tree again.
    const configHashes = [...slots.keys()]
      .sort()
      .map((name) => `${name}=${slots.get(name)?.applied === undefined ? '' : (slots.get(name)?.appliedConfigHash ?? '')}`);
    const snapshot: Snapshot = freezeFresh({
      version,
      hash: contentHash(configHashes),
      config: merged.config,
      origins: merged.origins,
      diagnostics: merged.diagnostics,
    });
    options.onSnapshot(snapshot);
  };

  const apply = (slot: ProviderSlot): void => {
    const next = slot.pending;
    slot.pending = undefined;
    if (next === undefined || closed || next.hash === slot.appliedHash) return;
    slot.appliedHash = next.hash;
    slot.appliedConfigHash = next.configHash;
    slot.applied = qualifyMessage(next.message);
    slot.lastApplyAt = now();
    publish();
  };

  return {
    push(message) {
      if (closed) return;
      let slot = slots.get(message.provider);
      if (slot === undefined) {
        slot = { receivedHash: undefined, pending: undefined, appliedHash: undefined, appliedConfigHash: undefined, applied: undefined, lastApplyAt: -Infinity, timer: undefined };
        slots.set(message.provider, slot);
      }
      const configHash = hashConfig(message.config);
      const hash = configHash + reportHash(message.origins, message.diagnostics);
      if (hash === slot.receivedHash) return;
      slot.receivedHash = hash;
      slot.pending = { message, hash, configHash };
      if (slot.timer !== undefined) return; // the scheduled apply will take this latest message
      const wait = slot.lastApplyAt + options.throttleMs - now();
      if (wait <= 0) {
        apply(slot);
        return;
      }
      const s = slot;
      s.timer = setTimeout(() => {
        s.timer = undefined;
        apply(s);
      }, wait);
    },
    close() {
      closed = true;
      for (const slot of slots.values()) {
        if (slot.timer !== undefined) clearTimeout(slot.timer);
        slot.timer = undefined;
        slot.pending = undefined;
      }
    },
  };
}
