/**
 * A provider's origins under qualified keys are a view over its own map (QualifiedOrigins), not a
 * copy: a property test against the Map the copy was, built in the provider's order (keys of every
 * kind, names written with `@`, and two keys that qualify to one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ObjectOrigin } from '../../../src/config/dynamic/types.js';
import { QualifiedOrigins, qualifyOriginKey } from '../../../src/providers/qualify.js';

const PREFIXES = ['http.routers.', 'http.services.', 'http.middlewares.', 'http.serversTransports.', 'tls.options.', 'tls.stores.'];
const NAMES = ['a', 'b', 'default', 'a@file', 'b@docker', 'x@y@file', '@file', ''];
const key = fc.oneof(
  fc.tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...NAMES)).map(([p, n]) => p + n),
  fc.nat(3).map((i) => `tls.certificates[${i}]`),
  fc.nat(3).map((i) => `tls.certificates[${i}]@file`),
  fc.constantFrom('other', 'http.other.a', 'tls.other'),
);

void describe('QualifiedOrigins', () => {
  void it('answers as the Map of qualified keys built in the provider order', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 30 }), fc.array(key, { maxLength: 20 }), fc.constantFrom('file', 'docker'), (keys, queries, provider) => {
        const source = new Map<string, ObjectOrigin>();
        keys.forEach((k, i) => source.set(k, { source: `f${i}.yml`, line: i + 1 }));
        const reference = new Map<string, ObjectOrigin>();
        for (const [k, o] of source) reference.set(qualifyOriginKey(k, provider), o);
        // Lookups first (before anything could have made the copy), then the whole map.
        const view = new QualifiedOrigins(source, provider);
        for (const q of [...queries, ...[...reference.keys()]]) {
          for (const k of [q, qualifyOriginKey(q, provider)]) {
            assert.equal(view.get(k), reference.get(k), `get ${k}`);
            assert.equal(view.has(k), reference.has(k), `has ${k}`);
          }
        }
        assert.equal(view.size, reference.size);
        assert.deepEqual([...view], [...reference]);
        assert.deepEqual([...view.keys()], [...reference.keys()]);
        assert.deepEqual([...view.values()], [...reference.values()]);
        const seen: string[] = [];
        view.forEach((_o, k, m) => {
          assert.equal(m, view);
          seen.push(k);
        });
        assert.deepEqual(seen, [...reference.keys()]);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  void it('gives the changes between two views as a comparison of the qualified maps gives them', () => {
    const lines = fc.array(fc.tuple(key, fc.nat(3)), { maxLength: 25 });
    fc.assert(
      fc.property(lines, lines, fc.constantFrom('file', 'docker'), (a, b, provider) => {
        const before = new Map<string, ObjectOrigin>(a.map(([k, l]) => [k, { source: 'f.yml', line: l }]));
        const after = new Map<string, ObjectOrigin>(b.map(([k, l]) => [k, { source: 'f.yml', line: l }]));
        const was = new QualifiedOrigins(before, provider);
        const now = new QualifiedOrigins(after, provider);
        const changes = now.changesFrom(was);
        const collide = (m: Map<string, ObjectOrigin>): boolean => new Set([...m.keys()].map((k) => qualifyOriginKey(k, provider))).size !== m.size;
        if (collide(before) || collide(after)) {
          assert.equal(changes, undefined);
          return;
        }
        assert.ok(changes !== undefined);
        const set = [...now].filter(([k, o]) => was.get(k)?.line !== o.line || was.get(k)?.source !== o.source);
        const removed = [...was.keys()].filter((k) => !now.has(k));
        assert.deepEqual(changes.set, set);
        assert.deepEqual(changes.removed, removed);
      }),
      { numRuns: 500, seed: 5 },
    );
    assert.equal(new QualifiedOrigins(new Map(), 'file').changesFrom(new Map()), undefined, 'not a view');
  });

  void it('is frozen, and the provider map is not copied when no two keys meet', () => {
    const source = new Map<string, ObjectOrigin>([['http.routers.a', { source: 'f.yml', line: 2 }]]);
    const view = new QualifiedOrigins(source, 'file');
    assert.ok(Object.isFrozen(view));
    assert.equal(view.get('http.routers.a@file'), source.get('http.routers.a'));
    assert.equal(view.get('http.routers.a'), undefined);
    assert.equal(view.size, 1);
  });
});
