/**
 * The provider contract. A provider watches one source of routing configuration (files, Docker,
 * Kubernetes, a KV store, ...) and emits its WHOLE current state each time it changes — never a
 * delta. It produces data only: it knows nothing of routers, handlers or sockets. Names in its
 * messages are unqualified; the aggregator adds `@<provider>`.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import type { DynamicConfig, ObjectOrigin } from '../config/dynamic/types.js';

export interface ProviderMessage {
  /** The provider's name, used as the namespace: `file` makes `api@file`. */
  readonly provider: string;
  readonly config: DynamicConfig;
  /** Where each object was declared, keyed `http.routers.<name>`, `http.services.<name>`, ... */
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  /** Everything wrong with this state (objects left out, unreadable sources), coded. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface Provider {
  readonly name: string;
  /**
   * Starts providing. The first message is emitted as soon as the initial state is known (and,
   * for a watching provider, once watching has begun, so no change after that message is
   * missed). Then one message per change. The promise settles when the provider has nothing more
   * to do: for a watching provider, after `signal` aborts and everything it opened is closed.
   * It rejects only on a failure the provider cannot report as a diagnostic.
   */
  start(signal: AbortSignal, emit: (message: ProviderMessage) => void): Promise<void>;
}
