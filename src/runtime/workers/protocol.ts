/**
 * The messages between the cluster primary and its workers (node:cluster IPC with 'advanced'
 * serialization, so `undefined` and nested plain objects survive as they are). Snapshots cross as
 * plain data: the origins Map is sent as an entry list and rebuilt (and the whole snapshot
 * re-frozen) on the worker side.
 *
 * After the first, a worker is sent only what changed (a delta against the snapshot it has): with
 * 10,000 routers a whole snapshot is ~4 MB to serialize and ~0.2-0.5 s to read back per worker,
 * a one-router change a few hundred bytes. Objects the delta leaves alone keep their identity in
 * the worker, so its compiler reuses what it built for them, as in one process.
 */
import type { Diagnostic } from '../../config/diagnostics.js';
import { deepFreeze, freezeFresh } from '../../config/dynamic/freeze.js';
import { setOwn } from '../../config/dynamic/schema/fields.js';
import type { DynamicConfig, ObjectOrigin, TlsConfig } from '../../config/dynamic/types.js';
import type { StaticConfig } from '../../config/static/types.js';
import type { Snapshot } from '../../providers/aggregator.js';
import { QualifiedOrigins } from '../../providers/qualify.js';
import type { ApplySummary } from '../runtime.js';
import type { MetricFamily } from '../../observability/metrics/families.js';

interface SnapshotBody {
  readonly config: DynamicConfig;
  readonly origins: ReadonlyArray<readonly [string, ObjectOrigin]>;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * A whole snapshot as sent. The body travels as JSON text: for 100,000 routers JSON.stringify and
 * JSON.parse took about half the time of v8 serialization (0.3 + 0.45 s against 0.5 + 0.9-1.7 s,
 * measured here), and node:cluster passes one big string cheaply. JSON drops keys whose value is
 * undefined, which reads the same. A body JSON cannot hold (a bigint) goes as plain data instead.
 */
export interface WireSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly json?: string;
  readonly body?: SnapshotBody;
}

type Collection = keyof DynamicConfig['http'];
const COLLECTIONS: readonly Collection[] = ['routers', 'services', 'middlewares', 'serversTransports'];

interface Changes<V> {
  readonly set: ReadonlyArray<readonly [string, V]>;
  readonly removed: readonly string[];
}

/** What changed from snapshot `base` to snapshot `version`. */
export interface WireDelta {
  readonly base: number;
  readonly version: number;
  readonly hash: string;
  readonly http: { readonly [K in Collection]: Changes<DynamicConfig['http'][K][string]> };
  /**
   * The tls section, sent whole when it is not the same object as in `base` (it is small): null =
   * the new snapshot has none; absent = unchanged (the worker keeps its own, identity included).
   */
  readonly tls?: TlsConfig | null;
  readonly origins: Changes<ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
}

export type ToWorker =
  /** The answer to `hello`: the static configuration and, once there is one, the latest snapshot. */
  | { readonly type: 'init'; readonly config: StaticConfig; readonly snapshot: WireSnapshot | undefined }
  | { readonly type: 'snapshot'; readonly snapshot: WireSnapshot }
  | { readonly type: 'delta'; readonly delta: WireDelta }
  /** Drain (requestAcceptGraceTimeout, graceTimeOut) and exit 0. */
  | { readonly type: 'shutdown' }
  /** The answer to `need-default-cert`: the instance's generated default TLS certificate (PEM). */
  | { readonly type: 'default-cert'; readonly cert: string; readonly key: string }
  | { readonly type: 'default-cert-failed'; readonly error: string }
  /** Metrics (src/observability/metrics/cluster-link.ts): send this worker's Prometheus families for collection `id`. */
  | { readonly type: 'metrics-collect'; readonly id: number }
  /** The answer to `metrics-scrape`: every worker's metrics summed, as Prometheus text (or why not). */
  | { readonly type: 'metrics-result'; readonly id: number; readonly text?: string; readonly error?: string };

export type ToPrimary =
  /** Sent once the worker listens for messages. */
  | { readonly type: 'hello' }
  | { readonly type: 'listening'; readonly entryPoint: string; readonly address: string; readonly port: number }
  | { readonly type: 'listen-failed'; readonly entryPoint: string; readonly error: string }
  /** Every entry point listens (and the init snapshot, if any, is applied). */
  | { readonly type: 'ready' }
  /** Snapshot `version` was applied (or skipped as unchanged); the primary logs it once for all workers. */
  | { readonly type: 'applied'; readonly version: number; readonly summary: ApplySummary }
  /** A delta did not start from the snapshot this worker has (never expected): send `version` whole. */
  | { readonly type: 'need-snapshot'; readonly version: number }
  /** The worker needs the generated default TLS certificate (the primary makes one for all workers). */
  | { readonly type: 'need-default-cert' }
  /** Metrics: this worker got a scrape of /metrics; answer with `metrics-result` (same `id`). */
  | { readonly type: 'metrics-scrape'; readonly id: number }
  /** Metrics: this worker's part of collection `id` (the answer to `metrics-collect`). */
  | { readonly type: 'metrics-part'; readonly id: number; readonly families: readonly MetricFamily[] };

export function toWire(s: Snapshot): WireSnapshot {
  const body: SnapshotBody = { config: s.config, origins: [...s.origins], diagnostics: s.diagnostics };
  try {
    return { version: s.version, hash: s.hash, json: JSON.stringify(body) };
  } catch {
    return { version: s.version, hash: s.hash, body };
  }
}

export function fromWire(w: WireSnapshot): Snapshot {
  const body = w.json !== undefined ? (JSON.parse(w.json) as SnapshotBody) : w.body;
  if (body === undefined) throw new Error('snapshot message without a body');
  // Everything here is new: freezeFresh walks it once without a visited set.
  return freezeFresh({ version: w.version, hash: w.hash, config: body.config, origins: new Map(body.origins), diagnostics: body.diagnostics });
}

/** The changes from `prev` to `next`; unchanged objects are the same objects in both (identity). */
export function toDelta(prev: Snapshot, next: Snapshot): WireDelta {
  const changes = <V>(before: Readonly<Record<string, V>>, after: Readonly<Record<string, V>>): Changes<V> => {
    const set: [string, V][] = [];
    const removed: string[] = [];
    for (const name of Object.keys(after)) {
      const value = after[name] as V;
      if (!Object.hasOwn(before, name) || before[name] !== value) set.push([name, value]);
    }
    for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) removed.push(name);
    return { set, removed };
  };
  let originSet: [string, ObjectOrigin][] = [];
  let originRemoved: string[] = [];
  // The same map when no line moved (the provider state passes it on): nothing to compare. Views of
  // one provider's origins compare that provider's maps.
  const viewed = prev.origins !== next.origins && next.origins instanceof QualifiedOrigins ? next.origins.changesFrom(prev.origins) : undefined;
  if (viewed !== undefined) {
    originSet = viewed.set;
    originRemoved = viewed.removed;
  } else if (prev.origins !== next.origins) {
    for (const [key, o] of next.origins) {
      const was = prev.origins.get(key);
      if (was === undefined || was.source !== o.source || was.line !== o.line) originSet.push([key, o]);
    }
    for (const key of prev.origins.keys()) if (!next.origins.has(key)) originRemoved.push(key);
  }
  const a = prev.config.http;
  const b = next.config.http;
  const tls = prev.config.tls === next.config.tls ? {} : { tls: next.config.tls ?? null };
  return {
    base: prev.version,
    version: next.version,
    hash: next.hash,
    ...tls,
    http: {
      routers: changes(a.routers, b.routers),
      services: changes(a.services, b.services),
      middlewares: changes(a.middlewares, b.middlewares),
      serversTransports: changes(a.serversTransports, b.serversTransports),
    },
    origins: { set: originSet, removed: originRemoved },
    diagnostics: next.diagnostics,
  };
}

/** `prev` with `delta` applied: a new frozen snapshot sharing every object the delta left alone. */
export function applyDelta(prev: Snapshot, delta: WireDelta): Snapshot {
  const steps = applyDeltaSteps(prev, delta);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/** Entries copied between two checkpoints of applyDeltaSteps. */
const COPY_STEP = 2048;

/**
 * applyDelta as a generator that yields every COPY_STEP copied entries: with 10,000 routers the
 * copies of the records and of the origins take ~20 ms, which a worker spreads over several turns
 * of its event loop (see worker.ts) instead of stalling its requests.
 */
export function* applyDeltaSteps(prev: Snapshot, delta: WireDelta): Generator<void, Snapshot, void> {
  let work = 0;
  function* patch<V>(before: Readonly<Record<string, V>>, c: Changes<V>): Generator<void, Readonly<Record<string, V>>, void> {
    // Unchanged: the same record, so the compiler sees at once that nothing in it changed.
    if (c.set.length === 0 && c.removed.length === 0) return before;
    const out: Record<string, V> = {};
    const gone = c.removed.length > 0 ? new Set(c.removed) : undefined;
    for (const name of Object.keys(before)) {
      if (gone === undefined || !gone.has(name)) setOwn(out, name, before[name] as V);
      if (++work % COPY_STEP === 0) yield;
    }
    for (const [name, value] of c.set) setOwn(out, name, deepFreeze(value));
    return out;
  }
  let origins = prev.origins;
  if (delta.origins.set.length > 0 || delta.origins.removed.length > 0) {
    const removedOrigins = delta.origins.removed.length > 0 ? new Set(delta.origins.removed) : undefined;
    const copy = new Map<string, ObjectOrigin>();
    for (const [key, o] of prev.origins) {
      if (removedOrigins === undefined || !removedOrigins.has(key)) copy.set(key, o);
      if (++work % COPY_STEP === 0) yield;
    }
    for (const [key, o] of delta.origins.set) copy.set(key, o);
    origins = copy;
  }
  const http = {} as { -readonly [K in Collection]: DynamicConfig['http'][K] };
  for (const c of COLLECTIONS) (http as Record<Collection, unknown>)[c] = yield* patch(prev.config.http[c], delta.http[c] as Changes<unknown>);
  const tls = delta.tls === undefined ? prev.config.tls : delta.tls === null ? undefined : deepFreeze(delta.tls);
  const config: DynamicConfig = tls === undefined ? { http } : { http, tls };
  yield;
  return freezeFresh({ version: delta.version, hash: delta.hash, config, origins, diagnostics: delta.diagnostics });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Narrows an IPC message to ours (cluster also delivers its own internal messages to listeners). */
export function messageType(value: unknown): string | undefined {
  return isRecord(value) && typeof value['type'] === 'string' ? value['type'] : undefined;
}
