import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TLS_OPTIONS } from '../../../src/config/dynamic/schema/tls.js';
import { deepFreeze } from '../../../src/config/dynamic/freeze.js';
import type { DynamicConfig, ObjectOrigin, TlsConfig } from '../../../src/config/dynamic/types.js';
import { type Snapshot, createAggregator } from '../../../src/providers/aggregator.js';
import type { ProviderMessage } from '../../../src/providers/provider.js';

const EMPTY_HTTP: DynamicConfig['http'] = { routers: {}, services: {}, middlewares: {}, serversTransports: {} };

function tlsOf(over: Partial<TlsConfig> = {}): TlsConfig {
  return { certificates: [], options: {}, stores: {}, ...over };
}

function message(provider: string, tls: TlsConfig | undefined, origins: [string, ObjectOrigin][] = []): ProviderMessage {
  const config: DynamicConfig = tls === undefined ? { http: EMPTY_HTTP } : { http: EMPTY_HTTP, tls };
  return deepFreeze({ provider, config, origins: new Map(origins), diagnostics: [] });
}

function run(...messages: ProviderMessage[]): Snapshot[] {
  const snapshots: Snapshot[] = [];
  const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
  for (const m of messages) agg.push(m);
  agg.close();
  return snapshots;
}

const strict = { ...DEFAULT_TLS_OPTIONS, sniStrict: true };

void describe('aggregator: the tls section', () => {
  void it('qualifies options and stores by provider except default; origins alike', () => {
    const [s] = run(
      message(
        'file',
        tlsOf({ certificates: [{ certFile: 'a.crt', keyFile: 'a.key' }], options: { default: DEFAULT_TLS_OPTIONS, strict }, stores: { default: { defaultCertificate: undefined }, other: { defaultCertificate: undefined } } }),
        [
          ['tls.options.default', { source: 'd.yml', line: 2 }],
          ['tls.options.strict', { source: 'd.yml', line: 4 }],
          ['tls.stores.default', { source: 'd.yml', line: 6 }],
          ['tls.stores.other', { source: 'd.yml', line: 7 }],
          ['tls.certificates[0]', { source: 'd.yml', line: 9 }],
        ],
      ),
    );
    const tls = s?.config.tls;
    assert.deepEqual(Object.keys(tls?.options ?? {}), ['default', 'strict@file']);
    assert.deepEqual(Object.keys(tls?.stores ?? {}), ['default', 'other@file']);
    assert.deepEqual(tls?.certificates, [{ certFile: 'a.crt', keyFile: 'a.key' }]);
    assert.deepEqual([...(s?.origins.keys() ?? [])], ['tls.options.default', 'tls.options.strict@file', 'tls.stores.default', 'tls.stores.other@file', 'tls.certificates[0]@file']);
  });

  void it('a configuration without tls stays without it', () => {
    const [s] = run(message('file', undefined));
    assert.equal(s?.config.tls, undefined);
  });

  void it('concatenates certificates of providers (sorted by provider name) and merges options', () => {
    const snapshots = run(
      message('file', tlsOf({ certificates: [{ certFile: 'f.crt', keyFile: 'f.key' }], options: { strict } })),
      message('docker', tlsOf({ certificates: [{ certFile: 'd.crt', keyFile: 'd.key' }], options: { strict, default: strict } })),
    );
    const tls = snapshots.at(-1)?.config.tls;
    assert.deepEqual(tls?.certificates.map((c) => c.certFile), ['d.crt', 'f.crt']);
    assert.deepEqual(Object.keys(tls?.options ?? {}).sort(), ['default', 'strict@docker', 'strict@file']);
    assert.deepEqual(snapshots.at(-1)?.diagnostics, []);
  });

  void it('default options or store defined by two providers: an error, and neither applies', () => {
    const snapshots = run(
      message('file', tlsOf({ options: { default: strict }, stores: { default: { defaultCertificate: { certFile: 'f', keyFile: 'k' } } } }), [['tls.options.default', { source: 'd.yml', line: 3 }]]),
      message('docker', tlsOf({ options: { default: DEFAULT_TLS_OPTIONS }, stores: { default: { defaultCertificate: undefined } } })),
    );
    const last = snapshots.at(-1);
    assert.deepEqual(Object.keys(last?.config.tls?.options ?? {}), []);
    assert.deepEqual(Object.keys(last?.config.tls?.stores ?? {}), []);
    assert.deepEqual(
      last?.diagnostics.map((d) => [d.severity, d.path, d.object]),
      [
        ['error', 'tls.options.default', 'default'],
        ['error', 'tls.stores.default', 'default'],
      ],
    );
    assert.match(last?.diagnostics[0]?.message ?? '', /several providers \(docker, file\)/);
    assert.equal(last?.diagnostics[0]?.line, 3);
  });

  void it('the diagnostics of the default options keep the unqualified name', () => {
    const m: ProviderMessage = deepFreeze({
      provider: 'file',
      config: { http: EMPTY_HTTP, tls: tlsOf() },
      origins: new Map<string, ObjectOrigin>(),
      diagnostics: [
        { code: 'TPK_CFG_INVALID_VALUE', severity: 'error' as const, message: 'x', path: 'tls.options.default.minVersion', object: 'default' },
        { code: 'TPK_CFG_INVALID_VALUE', severity: 'error' as const, message: 'x', path: 'tls.options.o.minVersion', object: 'o' },
      ],
    });
    const [s] = run(m);
    assert.deepEqual(s?.diagnostics.map((d) => d.object), ['default', 'o@file']);
  });

  void it('the hash covers tls: equal content hashes the same, a change does not', () => {
    const a = run(message('file', tlsOf({ options: { strict } })));
    const b = run(message('file', tlsOf({ options: { strict: { ...strict } } })));
    const c = run(message('file', tlsOf({ options: { strict: { ...strict, sniStrict: false } } })));
    const d = run(message('file', tlsOf({ certificates: [{ certFile: 'x', keyFile: 'y' }], options: { strict } })));
    assert.equal(a[0]?.hash, b[0]?.hash);
    assert.notEqual(a[0]?.hash, c[0]?.hash);
    assert.notEqual(a[0]?.hash, d[0]?.hash);
    const none = run(message('file', undefined));
    assert.notEqual(none[0]?.hash, a[0]?.hash);
  });

  void it('an unchanged tls section sent again is skipped (no new snapshot) and keeps its identity', () => {
    const tls = deepFreeze(tlsOf({ options: { strict } }));
    const snapshots: Snapshot[] = [];
    const agg = createAggregator({ throttleMs: 0, onSnapshot: (s) => snapshots.push(s) });
    agg.push(message('file', tls));
    agg.push(message('file', deepFreeze(tlsOf({ options: { strict: { ...strict } } }))));
    assert.equal(snapshots.length, 1);
    agg.push({ ...message('file', tls), diagnostics: [{ code: 'X', severity: 'warning', message: 'w' }] });
    assert.equal(snapshots.length, 2);
    assert.equal(snapshots[0]?.hash, snapshots[1]?.hash);
    assert.equal(snapshots[0]?.config.tls, snapshots[1]?.config.tls, 'qualified once per frozen section');
    agg.close();
  });
});
