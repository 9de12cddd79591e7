/**
 * One provider's qualified state, carried from message to message so that a reload costs what
 * changed, not what exists: with 10,000 routers, a one-router edit qualifies and hashes one router.
 *
 * Per collection (`http.routers` etc.) the state keeps the provider's record, its qualified record
 * and a hash of its content that is a sum over the entries (each entry's 128-bit hash as four
 * 32-bit lanes, added mod 2^32; entry-hash.ts): equal content gives an equal hash whatever the
 * order of names, and a changed entry updates it by subtracting its old contribution and adding
 * its new one. Whether an entry changed is decided by comparing its data (sameData), not by hash.
 * Which names changed comes from the provider's change notes (record-changes.ts) when it left
 * some; else from comparing the two records by identity (unchanged objects keep their identity
 * from validation on, so this finds the edit without hashing anything else).
 *
 * Everything is a generator that yields every STEP entries it walks: the aggregator runs it in
 * slices of a few ms so that the data path is not stalled by a large configuration; run to its end
 * at once it is an ordinary function. What must stay O(names) per changed collection (the copy of
 * the qualified record, since snapshots are immutable) is walked in those slices.
 */
import type { Diagnostic } from '../config/diagnostics.js';
import { freezeFresh } from '../config/dynamic/freeze.js';
import { sameData } from '../config/dynamic/same-data.js';
import { qualifiedFor, qualifyRef, setOwn } from '../config/dynamic/schema/fields.js';
import type { DynamicConfig, HttpConfig, ObjectOrigin, TlsConfig } from '../config/dynamic/types.js';
import { contentHash, stableText } from './content-hash.js';
import { ENTRY_HASH_LANES, addEntryHash } from './entry-hash.js';
import type { ProviderMessage } from './provider.js';
import { changedNames, noteChanges } from './record-changes.js';
import { QualifiedOrigins, type QualifiedState, isDefaultTlsObject, mergeTls, qualifyRouter, qualifyService, qualifyTls } from './qualify.js';

export type Collection = keyof HttpConfig;
export const COLLECTIONS: readonly Collection[] = ['routers', 'services', 'middlewares', 'serversTransports'];

/** Entries walked between two yields. */
export const STEP = 512;

type AnyRecord = Readonly<Record<string, unknown>>;

interface CollectionState {
  /** The provider's record (unqualified names). */
  readonly source: AnyRecord;
  /** The same objects under qualified names, references qualified; frozen. */
  readonly qualified: AnyRecord;
  /** Sum of the entries' hashes (4 lanes, mod 2^32). */
  readonly lanes: Uint32Array;
}

export interface ProviderState {
  readonly message: ProviderMessage;
  readonly collections: Readonly<Record<Collection, CollectionState>>;
  /** Hash of the provider's configuration alone: equal hash = equal configuration. */
  readonly configHash: string;
  readonly tlsHash: string;
  readonly qualified: QualifiedState;
}

/**
 * Updates `lanes` for `name` going from `before` to `after` (undefined = absent) and says whether
 * its content changed: an object replaced by an equal one (a file re-saved, a provider that
 * rebuilds its objects) changes nothing, and keeps its qualified object downstream.
 */
function updateEntry(lanes: Uint32Array, name: string, had: boolean, before: unknown, has: boolean, after: unknown): boolean {
  if (had && has && sameData(before, after)) return false;
  if (had) addEntryHash(lanes, name, before, -1);
  if (has) addEntryHash(lanes, name, after, 1);
  return true;
}

function lanesHex(lanes: Uint32Array): string {
  let s = '';
  for (let i = 0; i < ENTRY_HASH_LANES; i++) s += (lanes[i] as number).toString(16).padStart(8, '0');
  return s;
}

function qualifierOf(collection: Collection, provider: string): (value: unknown) => unknown {
  switch (collection) {
    case 'routers':
      return (v) => freezeFresh(qualifyRouter(v as HttpConfig['routers'][string], provider));
    case 'services':
      return (v) => freezeFresh(qualifyService(v as HttpConfig['services'][string], provider));
    case 'middlewares':
    case 'serversTransports':
      return (v) => v;
  }
}

const EMPTY_LANES = new Uint32Array(ENTRY_HASH_LANES);

/**
 * The collection for a new provider record. With a previous state and the list of changed names,
 * the qualified record is the previous one with those names replaced (same order, new names last);
 * otherwise it is rebuilt, reusing the qualified object of every name whose object is unchanged.
 */
function* advanceCollection(prev: CollectionState | undefined, source: AnyRecord, collection: Collection, provider: string): Generator<void, CollectionState, void> {
  if (prev !== undefined && prev.source === source) return prev;
  if (qualifiedFor(source) === provider) return yield* advanceQualified(prev, source);
  const qualify = qualifierOf(collection, provider);
  const lanes = new Uint32Array(prev?.lanes ?? EMPTY_LANES);
  let names = prev === undefined ? undefined : changedNames(source, prev.source);
  // A name with `@` keeps its name when qualified and may meet another one: rebuild then.
  if (names !== undefined && names.some((n) => n.includes('@'))) names = undefined;
  const out: Record<string, unknown> = {};
  const changedQualified: string[] = [];
  let walked = 0;
  if (prev !== undefined && names !== undefined) {
    const byQualified = new Map<string, string>();
    for (const n of names) byQualified.set(qualifyRef(n, provider), n);
    const changed = new Set<string>();
    for (const [q, name] of byQualified) {
      const had = Object.hasOwn(prev.source, name);
      const has = Object.hasOwn(source, name);
      if (prev.source[name] === source[name] && had === has) continue;
      if (updateEntry(lanes, name, had, prev.source[name], has, source[name])) changed.add(q);
    }
    if (changed.size === 0) return { source, qualified: prev.qualified, lanes };
    for (const q in prev.qualified) {
      if (!changed.has(q)) setOwn(out, q, prev.qualified[q]);
      else {
        const name = byQualified.get(q) as string;
        if (Object.hasOwn(source, name)) setOwn(out, q, qualify(source[name]));
      }
      if (++walked % STEP === 0) yield;
    }
    for (const q of changed) {
      const name = byQualified.get(q) as string;
      if (!Object.hasOwn(prev.qualified, q) && Object.hasOwn(source, name)) setOwn(out, q, qualify(source[name]));
      changedQualified.push(q);
    }
  } else {
    for (const name in source) {
      const value = source[name];
      const q = qualifyRef(name, provider);
      const inPrev = prev !== undefined && Object.hasOwn(prev.source, name);
      // Same object, or an equal one (updateEntry false): the hash is unchanged, and the qualified
      // object is reused (unless the name has `@` and may have met another one).
      const same = inPrev && (prev.source[name] === value || !updateEntry(lanes, name, true, prev.source[name], true, value));
      if (!inPrev) updateEntry(lanes, name, false, undefined, true, value);
      if (same && !name.includes('@')) {
        setOwn(out, q, prev.qualified[q]);
      } else {
        setOwn(out, q, qualify(value));
        if (!same) changedQualified.push(q);
      }
      if (++walked % STEP === 0) yield;
    }
    if (prev !== undefined) {
      for (const name in prev.source) {
        if (!Object.hasOwn(source, name)) {
          updateEntry(lanes, name, true, prev.source[name], false, undefined);
          changedQualified.push(qualifyRef(name, provider));
        }
        if (++walked % STEP === 0) yield;
      }
    }
  }
  // Everything re-sent equal: the previous record goes on (its identity tells the stages after).
  if (prev !== undefined && changedQualified.length === 0) return { source, qualified: prev.qualified, lanes };
  Object.freeze(out);
  if (prev !== undefined) noteChanges(out, prev.qualified, changedQualified);
  return { source, qualified: out, lanes };
}

/**
 * advanceCollection for a record the provider keyed by qualified names, references qualified
 * (markQualified: the file provider's). It is its own qualified record: only the hash is updated,
 * for the names its change notes give, or else for every name whose object is not the previous one.
 */
function* advanceQualified(prev: CollectionState | undefined, source: AnyRecord): Generator<void, CollectionState, void> {
  const lanes = new Uint32Array(prev?.lanes ?? EMPTY_LANES);
  const noted = prev === undefined ? undefined : changedNames(source, prev.source);
  /** Names whose object is not the previous one; `changed`: those whose data changed too. */
  const replaced: string[] = [];
  let changed = 0;
  let walked = 0;
  const update = (name: string): void => {
    const had = prev !== undefined && Object.hasOwn(prev.source, name);
    const has = Object.hasOwn(source, name);
    if (had && has && prev.source[name] === source[name]) return;
    replaced.push(name);
    if (updateEntry(lanes, name, had, prev?.source[name], has, source[name])) changed++;
  };
  if (noted !== undefined) for (const name of noted) update(name);
  else {
    for (const name in source) {
      update(name);
      if (++walked % STEP === 0) yield;
    }
    if (prev !== undefined) {
      for (const name in prev.source) {
        if (!Object.hasOwn(source, name)) update(name);
        if (++walked % STEP === 0) yield;
      }
    }
  }
  // Everything re-sent equal: the previous record goes on (its identity tells the stages after).
  if (prev !== undefined && changed === 0) return { source, qualified: prev.qualified, lanes };
  // Without notes from the provider, the names found here are the later stages', when they were
  // found against the record those stages have (not so after a round re-sent equal, which kept an
  // older one: they compare then).
  if (prev !== undefined && noted === undefined && prev.qualified === prev.source) noteChanges(source, prev.qualified, replaced);
  return { source, qualified: source, lanes };
}

/** The message's origins with qualified keys (a view, not a copy); the previous ones when the map is the same. */
function qualifyOrigins(prev: ProviderState | undefined, origins: ReadonlyMap<string, ObjectOrigin>, provider: string): ReadonlyMap<string, ObjectOrigin> {
  if (prev !== undefined && prev.message.origins === origins) return prev.qualified.origins;
  return new QualifiedOrigins(origins, provider);
}

function qualifyDiagnostics(list: readonly Diagnostic[], provider: string): readonly Diagnostic[] {
  return freezeFresh(list.map((d) => (d.object === undefined || isDefaultTlsObject(d.object, d.path) ? d : { ...d, object: qualifyRef(d.object, provider) })));
}

/** The provider's state after `message`, from its previous state (undefined for the first). */
export function* advanceState(prev: ProviderState | undefined, message: ProviderMessage): Generator<void, ProviderState, void> {
  const p = message.provider;
  const http = message.config.http;
  const collections = {} as Record<Collection, CollectionState>;
  for (const c of COLLECTIONS) collections[c] = yield* advanceCollection(prev?.collections[c], http[c], c, p);
  const tls = message.config.tls;
  const tlsHash = prev !== undefined && prev.message.config.tls === tls ? prev.tlsHash : tls === undefined ? '' : contentHash(tls);
  const configHash = `${COLLECTIONS.map((c) => lanesHex(collections[c].lanes)).join('')}:${tlsHash}`;
  const origins = qualifyOrigins(prev, message.origins, p);
  const diagnostics = prev !== undefined && prev.message.diagnostics === message.diagnostics ? prev.qualified.diagnostics : qualifyDiagnostics(message.diagnostics, p);
  const qualifiedHttp: HttpConfig = Object.freeze({
    routers: collections.routers.qualified as HttpConfig['routers'],
    services: collections.services.qualified as HttpConfig['services'],
    middlewares: collections.middlewares.qualified as HttpConfig['middlewares'],
    serversTransports: collections.serversTransports.qualified as HttpConfig['serversTransports'],
  });
  const reuseHttp = prev !== undefined && COLLECTIONS.every((c) => collections[c] === prev.collections[c]);
  return {
    message,
    collections,
    configHash,
    tlsHash,
    qualified: {
      provider: p,
      http: reuseHttp ? prev.qualified.http : qualifiedHttp,
      tls: tls === undefined ? undefined : freezeFresh(qualifyTls(tls, p)),
      origins,
      diagnostics,
    },
  };
}

/** True when `next` says nothing `prev` did not: same configuration, origins and diagnostics. */
export function* sameReport(prev: ProviderState, next: ProviderState): Generator<void, boolean, void> {
  if (prev.configHash !== next.configHash) return false;
  const a = prev.message;
  const b = next.message;
  if (a.diagnostics !== b.diagnostics && stableText(a.diagnostics) !== stableText(b.diagnostics)) return false;
  if (a.origins === b.origins) return true;
  if (a.origins.size !== b.origins.size) return false;
  let walked = 0;
  for (const [key, o] of b.origins) {
    const was = a.origins.get(key);
    if (was === undefined || was.source !== o.source || was.line !== o.line) return false;
    if (++walked % STEP === 0) yield;
  }
  return true;
}

export interface Merged {
  readonly config: DynamicConfig;
  readonly origins: ReadonlyMap<string, ObjectOrigin>;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Qualified states (disjoint by provider suffix) merged in the given order. One provider (the
 * usual case): its state is the merged one, shared rather than copied. Several: copied in slices.
 */
export function* mergeSteps(states: readonly QualifiedState[]): Generator<void, Merged, void> {
  const only = states.length === 1 ? states[0] : undefined;
  if (only !== undefined) return { config: only.tls === undefined ? { http: only.http } : { http: only.http, tls: only.tls }, origins: only.origins, diagnostics: only.diagnostics };
  const http = { routers: {}, services: {}, middlewares: {}, serversTransports: {} } as Record<Collection, Record<string, unknown>>;
  const origins = new Map<string, ObjectOrigin>();
  const diagnostics: Diagnostic[] = [];
  let walked = 0;
  for (const s of states) {
    for (const c of COLLECTIONS) {
      const record: AnyRecord = s.http[c];
      for (const k in record) {
        setOwn(http[c], k, record[k]);
        if (++walked % STEP === 0) yield;
      }
    }
    for (const [k, v] of s.origins) {
      origins.set(k, v);
      if (++walked % STEP === 0) yield;
    }
    diagnostics.push(...s.diagnostics);
  }
  for (const c of COLLECTIONS) Object.freeze(http[c]);
  const tls: TlsConfig | undefined = mergeTls(states, origins, diagnostics);
  const merged = http as unknown as HttpConfig;
  return { config: tls === undefined ? { http: merged } : { http: merged, tls }, origins, diagnostics };
}
