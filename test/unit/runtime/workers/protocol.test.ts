import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import { describe, it } from 'node:test';
import type { DynamicConfig, ObjectOrigin } from '../../../../src/config/dynamic/types.js';
import { deepFreeze } from '../../../../src/config/dynamic/freeze.js';
import type { Snapshot } from '../../../../src/providers/aggregator.js';
import { fromWire, messageType, toWire, type WireSnapshot } from '../../../../src/runtime/workers/protocol.js';

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
    assert.deepEqual(back, snapshot);
    assert.ok(back.origins instanceof Map);
    assert.equal(back.origins.get('http.routers.app@file')?.line, 3);
    assert.ok('entryPoints' in (back.config.http.routers['app@file'] ?? {}), 'undefined-valued keys are kept');
    assert.ok(Object.isFrozen(back.config.http.routers));
    assert.ok(Object.isFrozen(back.diagnostics[0]));
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
