import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freezeFresh } from '../../../src/config/dynamic/freeze.js';
import type { DynamicConfig, ObjectOrigin, RouterConfig, ServiceConfig } from '../../../src/config/dynamic/types.js';
import { type Snapshot, createAggregator } from '../../../src/providers/aggregator.js';
import { stableText } from '../../../src/providers/content-hash.js';
import { replaceObject } from '../../../src/providers/file/incremental.js';
import type { ProviderMessage } from '../../../src/providers/provider.js';
import { mergeStates, qualifyMessage } from '../../../src/providers/qualify.js';
import { changedNames, noteChanges } from '../../../src/providers/record-changes.js';

type Routers = Readonly<Record<string, RouterConfig>>;
type Services = Readonly<Record<string, ServiceConfig>>;

function router(service: string, priority = 0): RouterConfig {
  return freezeFresh({ rule: 'Path(`/`)', entryPoints: undefined, middlewares: ['mw'], service, priority, tls: undefined });
}

function service(url: string): ServiceConfig {
  return freezeFresh({ kind: 'loadBalancer', loadBalancer: { servers: [{ url, weight: 1 }], passHostHeader: true } } as unknown as ServiceConfig);
}

function message(provider: string, routers: Routers, services: Services = {}, origins: ReadonlyMap<string, ObjectOrigin> = new Map()): ProviderMessage {
  const config: DynamicConfig = { http: { routers, services, middlewares: {}, serversTransports: {} } };
  return freezeFresh({ provider, config, origins, diagnostics: [] });
}

/** What the aggregator must hand out: every message qualified and merged whole (the reference). */
function reference(messages: readonly ProviderMessage[]): DynamicConfig {
  const states = [...messages].sort((a, b) => (a.provider < b.provider ? -1 : 1)).map((m) => qualifyMessage(m));
  return mergeStates(states).config;
}

/** A deterministic pseudo-random sequence (tests must be reproducible). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Content as text with names sorted: a renamed or added name may come last (records are maps). */
const plain = (c: DynamicConfig): string => stableText(JSON.parse(JSON.stringify(c)));

void describe('aggregator: incremental reloads (O(changed) state)', () => {
  const cases: { desc: string; noted: boolean }[] = [
    { desc: 'edits noted by the provider (replaceObject): the changed names are known', noted: true },
    { desc: 'edits not noted: the aggregator compares the records by identity', noted: false },
  ];
  for (const { desc, noted } of cases) {
    void it(`random edits give the same snapshots as qualifying everything: ${desc}`, () => {
      const random = prng(noted ? 7 : 11);
      const snapshots: Snapshot[] = [];
      const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
      let routers: Routers = freezeFresh(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`r${i}`, router(`s${i % 5}`)])));
      const services: Services = freezeFresh(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, service(`http://127.0.0.1:${8000 + i}`)])));
      agg.push(message('file', routers, services));
      const hashes = new Map<string, string>([[plain(reference([message('file', routers, services)])), (snapshots.at(-1) as Snapshot).hash]]);
      for (let step = 0; step < 200; step++) {
        const names = Object.keys(routers);
        const pick = names[Math.floor(random() * names.length)] ?? 'r0';
        const op = Math.floor(random() * 5);
        let next: Record<string, RouterConfig>;
        let changed: string[];
        if (op === 0) {
          next = { ...routers, [pick]: router(`s${Math.floor(random() * 5)}`, Math.floor(random() * 3)) }; // changed (or same content)
          changed = [pick];
        } else if (op === 1 && names.length > 1) {
          next = { ...routers };
          delete next[pick]; // removed
          changed = [pick];
        } else if (op === 2) {
          const renamed = `${pick}x`;
          next = {};
          for (const n of names) next[n === pick ? renamed : n] = routers[n] as RouterConfig; // renamed
          changed = [pick, renamed];
        } else if (op === 3) {
          next = { ...routers, [`n${step}`]: router('s1') }; // added
          changed = [`n${step}`];
        } else {
          next = { ...routers, [pick]: router((routers[pick] as RouterConfig).service, (routers[pick] as RouterConfig).priority) }; // re-saved
          changed = [pick];
        }
        Object.freeze(next);
        if (noted) noteChanges(next, routers, changed);
        routers = next;
        const before = snapshots.length;
        agg.push(message('file', routers, services));
        const want = plain(reference([message('file', routers, services)]));
        const got = snapshots.at(-1) as Snapshot;
        assert.equal(plain(got.config), want, `step ${step} (op ${op})`);
        assert.ok(Object.isFrozen(got.config.http.routers));
        // Equal content <=> equal hash, and a message saying nothing new gives no snapshot.
        const known = hashes.get(want);
        if (known !== undefined) assert.equal(got.hash, known, `step ${step}: same content, same hash`);
        else assert.ok(![...hashes.values()].includes(got.hash), `step ${step}: new content, new hash`);
        hashes.set(want, got.hash);
        if (snapshots.length > before && before > 0) assert.notEqual(got.hash, snapshots[before - 1]?.hash);
      }
      agg.close();
    });
  }

  void it('the same content re-saved (new objects) gives no snapshot; unchanged objects keep their identity', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
    const routers = freezeFresh({ a: router('s'), b: router('s') });
    agg.push(message('file', routers));
    agg.push(message('file', freezeFresh({ a: router('s'), b: router('s') })));
    assert.equal(snapshots.length, 1);
    const next = replaceObject({ routers, services: {}, middlewares: {}, serversTransports: {} }, 'routers', 'a', router('t'));
    agg.push(message('file', next.routers));
    assert.equal(snapshots.length, 2);
    const [first, second] = snapshots as [Snapshot, Snapshot];
    assert.equal(second.config.http.routers['a@file']?.service, 't@file');
    assert.equal(second.config.http.routers['b@file'], first.config.http.routers['b@file'], 'b kept its qualified object');
    assert.deepEqual(changedNames(second.config.http.routers, first.config.http.routers), ['a@file']);
    agg.close();
  });

  void it('a provider that disappears (empty configuration) leaves the others; coming back restores it', () => {
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
    const fileRouters = freezeFresh({ a: router('s') });
    agg.push(message('file', fileRouters));
    agg.push(message('docker', freezeFresh({ b: router('s') })));
    agg.push(message('docker', freezeFresh({})));
    assert.deepEqual(Object.keys((snapshots.at(-1) as Snapshot).config.http.routers), ['a@file']);
    agg.push(message('docker', freezeFresh({ b: router('s') })));
    assert.deepEqual(Object.keys((snapshots.at(-1) as Snapshot).config.http.routers).sort(), ['a@file', 'b@docker']);
    assert.equal((snapshots.at(-1) as Snapshot).hash, snapshots[1]?.hash);
    agg.close();
  });

  void it('with sliceMs a large apply yields to the event loop and ends with the same snapshot', async () => {
    const routers = freezeFresh(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`r${i}`, router(`s${i}`)])));
    const sync: Snapshot[] = [];
    createAggregator({ throttleMs: 0, onSnapshot: (s) => sync.push(s) }).push(message('file', routers));
    let snapshot: Snapshot | undefined;
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const done = new Promise<void>((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error('no snapshot within 10 s')), 10_000);
      const agg = createAggregator({
        throttleMs: 0,
        sliceMs: 0,
        onSnapshot: (s) => {
          snapshot = s;
          clearTimeout(bound);
          agg.close();
          resolve();
        },
      });
      agg.push(message('file', routers));
      assert.equal(snapshot, undefined, 'not handed out within push');
    });
    await done;
    clearInterval(ticker);
    assert.ok(turns > 0, 'timers ran between slices');
    assert.equal(snapshot?.hash, sync[0]?.hash);
    assert.deepEqual(Object.keys(snapshot?.config.http.routers ?? {}), Object.keys(sync[0]?.config.http.routers ?? {}));
  });

  void it('close during a sliced apply drops it', async () => {
    const routers = freezeFresh(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`r${i}`, router('s')])));
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, sliceMs: 0, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', routers));
    agg.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(snapshots.length, 0);
  });
});

void describe('record change notes', () => {
  void it('follow a chain of notes and merge the names; unknown without a chain', () => {
    const a = {};
    const b = {};
    const c = {};
    noteChanges(b, a, ['x']);
    noteChanges(c, b, ['y', 'x']);
    assert.deepEqual(changedNames(b, a), ['x']);
    assert.deepEqual([...(changedNames(c, a) ?? [])].sort(), ['x', 'y']);
    assert.deepEqual(changedNames(a, a), []);
    assert.equal(changedNames(a, c), undefined);
    assert.equal(changedNames({}, a), undefined);
  });
});
