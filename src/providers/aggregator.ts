/**
 * The aggregator: receives every provider's whole-state messages, throttles them, namespaces
 * names (`api@file`), merges all providers and hands out one frozen Snapshot.
 *
 * Throttling is per provider and latest-wins, with a timer rather than sleeps (Traefik's
 * `providersThrottleDuration`): a provider's first message applies at once; after an apply, that
 * provider's next apply waits until `throttleMs` has passed and then takes only its latest
 * message. A burst of ten writes therefore gives one or two applies. A message identical to the
 * provider's previous one (same configuration, origins and diagnostics) is dropped. Reference
 * checking (a router naming a missing service) is the compiler's job, not this one's.
 *
 * Reloads cost what changed (provider-state.ts): each provider's qualified state and content hash
 * are updated from the previous ones, per changed object; with `sliceMs` what must still walk every
 * object runs in slices between which the event loop serves requests.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { freezeFresh } from '../config/dynamic/freeze.js';
import type { DynamicConfig, ObjectOrigin } from '../config/dynamic/types.js';
import { schedule } from '../scheduling/background.js';
import { contentHash } from './content-hash.js';
import type { ProviderMessage } from './provider.js';
import { type ProviderState, advanceState, mergeSteps, sameReport } from './provider-state.js';

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
  /** Called with each new snapshot; it must not throw. */
  readonly onSnapshot: (snapshot: Snapshot) => void;
  /** Monotonic clock in ms (default performance.now); tests pass a mocked one. */
  readonly now?: () => number;
  /**
   * When set, an apply that walks many objects (a first load, a provider that lost its change
   * notes) runs in slices of about this many ms, yielding to the event loop between them, and
   * `onSnapshot` is called at its end. Unset: every apply runs to its end inside `push` (or its
   * throttle timer), as `turnpike check` needs. Small applies (under STEP objects) never yield.
   */
  readonly sliceMs?: number;
}

export interface Aggregator {
  push(message: ProviderMessage): void;
  /** Stops timers; pending (throttled) messages and an apply in progress are dropped, later pushes ignored. */
  close(): void;
}

interface ProviderSlot {
  /** The last message received (applied or pending): an identical object is dropped at once. */
  received: ProviderMessage | undefined;
  pending: ProviderMessage | undefined;
  /** The state of the last applied message (published, or found to say nothing new). */
  applied: ProviderState | undefined;
  lastApplyAt: number;
  timer: NodeJS.Timeout | undefined;
}

export function createAggregator(options: AggregatorOptions): Aggregator {
  const slots = new Map<string, ProviderSlot>();
  let version = 0;
  let closed = false;
  const now = options.now ?? (() => performance.now());
  const sliceMs = options.sliceMs;
  /** The apply in progress (one at a time, so snapshots come out in order). */
  let running = false;
  /** Slots whose apply came due while another ran, in that order. */
  const due: ProviderSlot[] = [];

  /** The new state of `slot` and, if it says anything new, the snapshot it makes. */
  function* applySteps(slot: ProviderSlot, message: ProviderMessage): Generator<void, Snapshot | undefined, void> {
    const prev = slot.applied;
    const state = yield* advanceState(prev, message);
    const unchanged = prev !== undefined && (yield* sameReport(prev, state));
    slot.applied = state;
    if (unchanged) return undefined;
    slot.lastApplyAt = now();
    const names = [...slots.keys()].sort();
    const states = names.flatMap((name) => {
      const applied = slots.get(name)?.applied;
      return applied === undefined ? [] : [applied];
    });
    const merged = yield* mergeSteps(states.map((s) => s.qualified));
    // The merged configuration is a function of each provider's configuration, so its hash is
    // taken over theirs (kept up to date per changed object) rather than over the merged tree.
    const configHashes = names.map((name) => `${name}=${slots.get(name)?.applied?.configHash ?? ''}`);
    return freezeFresh({
      version: ++version,
      hash: contentHash(configHashes),
      config: merged.config,
      origins: merged.origins,
      diagnostics: merged.diagnostics,
    });
  }

  const finished = (snapshot: Snapshot | undefined): void => {
    running = false;
    if (snapshot !== undefined && !closed) options.onSnapshot(snapshot);
    const next = due.shift();
    if (next !== undefined) apply(next);
  };

  const apply = (slot: ProviderSlot): void => {
    if (closed) return;
    if (running) {
      if (!due.includes(slot)) due.push(slot);
      return;
    }
    const message = slot.pending;
    slot.pending = undefined;
    if (message === undefined) {
      const next = due.shift();
      if (next !== undefined) apply(next);
      return;
    }
    running = true;
    const steps = applySteps(slot, message);
    if (sliceMs === undefined) {
      // No slices (`turnpike check`, tests): all at once.
      for (;;) {
        const r = steps.next();
        if (r.done === true) return finished(r.value);
      }
    }
    // On the process's background queue, sharing each turn's budget with the compiler and the
    // providers (scheduling/background.ts).
    schedule({
      run(deadline) {
        if (closed) {
          running = false;
          return true;
        }
        const end = Math.min(deadline, performance.now() + sliceMs);
        let r: IteratorResult<void, Snapshot | undefined>;
        try {
          do r = steps.next();
          while (r.done !== true && performance.now() < end);
        } catch (err) {
          // A bug in merging: the next message must still be applied (the queue reports the error).
          running = false;
          throw err;
        }
        if (r.done !== true) return false;
        finished(r.value);
        return true;
      },
    });
  };

  return {
    push(message) {
      if (closed) return;
      let slot = slots.get(message.provider);
      if (slot === undefined) {
        slot = { received: undefined, pending: undefined, applied: undefined, lastApplyAt: -Infinity, timer: undefined };
        slots.set(message.provider, slot);
      }
      const r = slot.received;
      if (r !== undefined && r.config === message.config && r.origins === message.origins && r.diagnostics === message.diagnostics) return;
      slot.received = message;
      slot.pending = message;
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
      due.length = 0;
      for (const slot of slots.values()) {
        if (slot.timer !== undefined) clearTimeout(slot.timer);
        slot.timer = undefined;
        slot.pending = undefined;
      }
    },
  };
}
