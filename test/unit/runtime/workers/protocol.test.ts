import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { describe, it } from 'node:test';
import type { DynamicConfig, ObjectOrigin, TlsConfig } from '../../../../src/config/dynamic/types.js';
import { DEFAULT_TLS_OPTIONS } from '../../../../src/config/dynamic/schema/tls.js';
import { deepFreeze } from '../../../../src/config/dynamic/freeze.js';
import type { Snapshot } from '../../../../src/providers/aggregator.js';
import { applyDelta, applyDeltaSteps, fromWire, messageType, toDelta, toWire, type WireDelta, type WireSnapshot } from '../../../../src/runtime/workers/protocol.js';

const config: DynamicConfig = {
  http: {
    routers: { 'app@file': { rule: 'Host(`a.test`)', entryPoints: undefined, middlewares: [], service: 'missing@file', priority: 0, tls: undefined } },
    services: {},
    middlewares: {},
    serversTransports: {},
  },
};

const snapshot: Snapshot = deepFreeze({
  version: 7,
  hash: 'abc',
  config,
  origins: new Map<string, ObjectOrigin>([['http.routers.app@file', { source: '/etc/dyn.yml', line: 3 }]]),
  diagnostics: [{ code: 'TPK_X', severity: 'warning' as const, message: 'm', object: 'app@file' }],
});

void describe('worker protocol', () => {
  void it('a snapshot survives the trip through IPC (v8 serialization) with its Map, undefineds and freezing', () => {
    const wire = deserialize(serialize(toWire(snapshot))) as WireSnapshot;
    const back = fromWire(wire);
    // JSON drops undefined-valued keys: they read the same.
    assert.deepEqual(JSON.parse(JSON.stringify(back.config)), JSON.parse(JSON.stringify(snapshot.config)));
    assert.equal(back.config.http.routers['app@file']?.entryPoints, undefined);
    assert.deepEqual(back.diagnostics, snapshot.diagnostics);
    assert.deepEqual([back.version, back.hash], [7, 'abc']);
    assert.ok(back.origins instanceof Map);
    assert.equal(back.origins.get('http.routers.app@file')?.line, 3);
    assert.ok(Object.isFrozen(back.config.http.routers));
    assert.ok(Object.isFrozen(back.diagnostics[0]));
  });

  void it('a delta carries only the changed objects and rebuilds the next snapshot, unchanged objects shared', () => {
    const router = (host: string): DynamicConfig['http']['routers'][string] => ({ rule: `Host(\`${host}\`)`, entryPoints: undefined, middlewares: [], service: 's@file', priority: 0, tls: undefined });
    const routers: Record<string, DynamicConfig['http']['routers'][string]> = {};
    for (let i = 0; i < 100; i++) routers[`r${i}@file`] = router(`h${i}.test`);
    const origins = new Map<string, ObjectOrigin>(Object.keys(routers).map((k, i) => [`http.routers.${k}`, { source: 'd.yml', line: i * 3 + 1 }]));
    const prev: Snapshot = deepFreeze({ version: 1, hash: 'h1', config: { http: { routers, services: {}, middlewares: {}, serversTransports: {} } }, origins, diagnostics: [] });
    const nextRouters = { ...routers, 'r5@file': router('changed.test'), 'new@file': router('new.test') };
    delete (nextRouters as Record<string, unknown>)['r9@file'];
    const nextOrigins = new Map(origins);
    nextOrigins.delete('http.routers.r9@file');
    nextOrigins.set('http.routers.new@file', { source: 'd.yml', line: 400 });
    const next: Snapshot = deepFreeze({ version: 2, hash: 'h2', config: { http: { routers: nextRouters, services: {}, middlewares: {}, serversTransports: {} } }, origins: nextOrigins, diagnostics: [{ code: 'TPK_X', severity: 'warning' as const, message: 'm' }] });

    const delta = deserialize(serialize(toDelta(prev, next))) as WireDelta;
    assert.deepEqual(delta.http.routers.set.map(([n]) => n).sort(), ['new@file', 'r5@file']);
    assert.deepEqual(delta.http.routers.removed, ['r9@file']);
    assert.deepEqual(delta.origins.set.map(([k]) => k), ['http.routers.new@file']);
    assert.deepEqual(delta.origins.removed, ['http.routers.r9@file']);

    // On the worker side, the previous snapshot is its own copy (it came through IPC too).
    const workerPrev = fromWire(deserialize(serialize(toWire(prev))) as WireSnapshot);
    const rebuilt = applyDelta(workerPrev, delta);
    const plain = (x: Snapshot): unknown => JSON.parse(JSON.stringify({ ...x, origins: [...x.origins] })) as unknown;
    assert.deepEqual(plain(rebuilt), plain(next));
    assert.equal(rebuilt.config.http.routers['r0@file'], workerPrev.config.http.routers['r0@file'], 'unchanged objects keep their identity');
    assert.ok(Object.isFrozen(rebuilt.config.http.routers['new@file']));
    assert.ok(Object.isFrozen(rebuilt.config.http.routers));
    assert.ok(serialize(delta).length < serialize(toWire(next)).length / 10);
  });

  void it('the tls section crosses whole in snapshots, and in deltas only when it changed', () => {
    const tls: TlsConfig = {
      certificates: [{ certFile: '/c/a.crt', keyFile: '/c/a.key' }],
      options: { default: DEFAULT_TLS_OPTIONS, 'strict@file': { ...DEFAULT_TLS_OPTIONS, sniStrict: true, maxVersion: 'VersionTLS13' } },
      stores: { default: { defaultCertificate: undefined } },
    };
    const http = { routers: {}, services: {}, middlewares: {}, serversTransports: {} };
    const at = (version: number, t: TlsConfig | undefined): Snapshot =>
      deepFreeze({ version, hash: `h${version}`, config: t === undefined ? { http } : { http, tls: t }, origins: new Map<string, ObjectOrigin>(), diagnostics: [] });
    const s1 = at(1, tls);
    const worker1 = fromWire(deserialize(serialize(toWire(s1))) as WireSnapshot);
    assert.deepEqual(JSON.parse(JSON.stringify(worker1.config.tls)), JSON.parse(JSON.stringify(tls)));
    assert.ok(Object.isFrozen(worker1.config.tls?.options['strict@file']));

    // Same tls object: the delta leaves it out and the worker keeps its own (identity).
    const s2 = at(2, tls);
    const d2 = deserialize(serialize(toDelta(s1, s2))) as WireDelta;
    assert.equal('tls' in d2, false);
    const worker2 = applyDelta(worker1, d2);
    assert.equal(worker2.config.tls, worker1.config.tls);

    // A new tls section crosses whole, frozen.
    const changed: TlsConfig = { ...tls, certificates: [...tls.certificates, { certFile: '/c/b.crt', keyFile: '/c/b.key' }] };
    const s3 = at(3, changed);
    const worker3 = applyDelta(worker2, deserialize(serialize(toDelta(s2, s3))) as WireDelta);
    assert.deepEqual(worker3.config.tls?.certificates.map((c) => c.certFile), ['/c/a.crt', '/c/b.crt']);
    assert.ok(Object.isFrozen(worker3.config.tls?.certificates));

    // Removed: null on the wire, absent in the worker's snapshot.
    const s4 = at(4, undefined);
    const d4 = deserialize(serialize(toDelta(s3, s4))) as WireDelta;
    assert.equal(d4.tls, null);
    assert.equal(applyDelta(worker3, d4).config.tls, undefined);
  });

  void it('a body JSON cannot hold (a bigint) still crosses, as plain data', () => {
    const odd: Snapshot = deepFreeze({ ...snapshot, diagnostics: [{ code: 'TPK_X', severity: 'warning' as const, message: 'm', big: 2n ** 64n } as unknown as Snapshot['diagnostics'][number]] });
    const back = fromWire(deserialize(serialize(toWire(odd))) as WireSnapshot);
    assert.equal((back.diagnostics[0] as unknown as { big: bigint }).big, 2n ** 64n);
  });

  const cases: { desc: string; value: unknown; want: string | undefined }[] = [
    { desc: 'one of ours', value: { type: 'hello' }, want: 'hello' },
    { desc: 'a cluster-internal message', value: { cmd: 'NODE_CLUSTER', act: 'online' }, want: undefined },
    { desc: 'not an object', value: 'hello', want: undefined },
    { desc: 'null', value: null, want: undefined },
  ];
  for (const c of cases) {
    void it(`messageType: ${c.desc}`, () => assert.equal(messageType(c.value), c.want));
  }
});

void describe('applyDeltaSteps', () => {
  void it('yields while copying large records, and ends with what applyDelta gives', () => {
    const routers: Record<string, DynamicConfig['http']['routers'][string]> = {};
    const origins = new Map<string, ObjectOrigin>();
    for (let i = 0; i < 10_000; i++) {
      routers[`r${i}@file`] = { rule: `Host(\`h${i}.test\`)`, entryPoints: undefined, middlewares: [], service: 's@file', priority: 0, tls: undefined };
      origins.set(`http.routers.r${i}@file`, { source: '/d.yml', line: i + 1 });
    }
    const prev: Snapshot = deepFreeze({ version: 1, hash: 'a', config: { http: { routers, services: {}, middlewares: {}, serversTransports: {} } }, origins, diagnostics: [] });
    const changedRouters = { ...routers, 'r5@file': { ...(routers['r5@file'] as DynamicConfig['http']['routers'][string]), rule: 'Host(`changed.test`)' } };
    const next: Snapshot = deepFreeze({ version: 2, hash: 'b', config: { http: { routers: changedRouters, services: {}, middlewares: {}, serversTransports: {} } }, origins, diagnostics: [] });
    const delta = toDelta(prev, next);
    const steps = applyDeltaSteps(prev, delta);
    let yields = 0;
    let r = steps.next();
    while (r.done !== true) {
      yields++;
      r = steps.next();
    }
    assert.ok(yields >= 5, `${yields} checkpoints for 20,000 entries`);
    const whole = applyDelta(prev, delta);
    assert.deepEqual(Object.keys(r.value.config.http.routers), Object.keys(whole.config.http.routers));
    assert.equal(r.value.config.http.routers['r5@file']?.rule, 'Host(`changed.test`)');
    assert.equal(r.value.config.http.routers['r6@file'], routers['r6@file'], 'unchanged objects keep their identity');
    assert.deepEqual([...r.value.origins.keys()], [...whole.origins.keys()]);
    assert.ok(Object.isFrozen(r.value.config.http.routers));
  });
});
