/**
 * The messages between the cluster primary and its workers (node:cluster IPC with 'advanced'
 * serialization, so `undefined` and nested plain objects survive as they are). Snapshots cross as
 * plain data: the origins Map is sent as an entry list and rebuilt (and the whole snapshot
 * re-frozen) on the worker side.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { deepFreeze } from '../../config/dynamic/freeze.js';
import type { DynamicConfig, ObjectOrigin } from '../../config/dynamic/types.js';
import type { StaticConfig } from '../../config/static/types.js';
import type { Snapshot } from '../../providers/aggregator.js';
import type { ApplySummary } from '../runtime.js';

export interface WireSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly config: DynamicConfig;
  readonly origins: ReadonlyArray<readonly [string, ObjectOrigin]>;
  readonly diagnostics: readonly Diagnostic[];
}

export type ToWorker =
  /** The answer to `hello`: the static configuration and, once there is one, the latest snapshot. */
  | { readonly type: 'init'; readonly config: StaticConfig; readonly snapshot: WireSnapshot | undefined }
  | { readonly type: 'snapshot'; readonly snapshot: WireSnapshot }
  /** Drain (requestAcceptGraceTimeout, graceTimeOut) and exit 0. */
  | { readonly type: 'shutdown' };

export type ToPrimary =
  /** Sent once the worker listens for messages. */
  | { readonly type: 'hello' }
  | { readonly type: 'listening'; readonly entryPoint: string; readonly address: string; readonly port: number }
  | { readonly type: 'listen-failed'; readonly entryPoint: string; readonly error: string }
  /** Every entry point listens (and the init snapshot, if any, is applied). */
  | { readonly type: 'ready' }
  /** Snapshot `version` was applied (or skipped as unchanged); the primary logs it once for all workers. */
  | { readonly type: 'applied'; readonly version: number; readonly summary: ApplySummary };

export function toWire(s: Snapshot): WireSnapshot {
  return { version: s.version, hash: s.hash, config: s.config, origins: [...s.origins], diagnostics: s.diagnostics };
}

export function fromWire(w: WireSnapshot): Snapshot {
  return deepFreeze({ version: w.version, hash: w.hash, config: w.config, origins: new Map(w.origins), diagnostics: w.diagnostics });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows an IPC message to ours (cluster also delivers its own internal messages to listeners). */
export function messageType(value: unknown): string | undefined {
  return isRecord(value) && typeof value['type'] === 'string' ? value['type'] : undefined;
}
