import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENTRY_HASH_LANES, addEntryHash } from '../../../src/providers/entry-hash.js';

function hashOf(name: string, value: unknown): string {
  const lanes = new Uint32Array(ENTRY_HASH_LANES);
  addEntryHash(lanes, name, value, 1);
  return Array.from(lanes, (l) => l.toString(16)).join('.');
}

const router = { rule: 'Host(`a.test`)', entryPoints: ['web'], middlewares: [], service: 's', priority: 0, tls: undefined };

describe('entry hash', () => {
  it('is equal for equal data and a function of every part of it', () => {
    assert.equal(hashOf('r', router), hashOf('r', structuredClone(router)));
    const variants: unknown[] = [
      { ...router, rule: 'Host(`b.test`)' },
      { ...router, entryPoints: ['web', 'websecure'] },
      { ...router, entryPoints: [] },
      { ...router, middlewares: [''] },
      { ...router, priority: 1 },
      { ...router, priority: 1.5 },
      { ...router, priority: 9223372036854775807n },
      { ...router, priority: '0' },
      { ...router, tls: null },
      { ...router, tls: {} },
      { ...router, tls: [] },
      { ...router, tls: false },
      { ...router, extra: undefined },
    ];
    const seen = new Set([hashOf('r', router)]);
    for (const v of variants) seen.add(hashOf('r', v));
    seen.add(hashOf('r2', router));
    assert.equal(seen.size, variants.length + 2);
  });

  it('keeps strings apart where they meet: ["ab", "c"] is not ["a", "bc"]', () => {
    assert.notEqual(hashOf('x', ['ab', 'c']), hashOf('x', ['a', 'bc']));
    assert.notEqual(hashOf('x', { ab: 'c' }), hashOf('x', { a: 'bc' }));
    assert.notEqual(hashOf('ab', 'c'), hashOf('a', 'bc'));
  });

  it('sums entries in any order, and subtracting an entry takes it back out', () => {
    const a = new Uint32Array(ENTRY_HASH_LANES);
    const b = new Uint32Array(ENTRY_HASH_LANES);
    addEntryHash(a, 'r1', router, 1);
    addEntryHash(a, 'r2', { ...router, rule: 'Path(`/`)' }, 1);
    addEntryHash(b, 'r2', { ...router, rule: 'Path(`/`)' }, 1);
    addEntryHash(b, 'r1', router, 1);
    assert.deepEqual(a, b);
    addEntryHash(a, 'r2', { ...router, rule: 'Path(`/`)' }, -1);
    addEntryHash(a, 'r1', router, -1);
    assert.deepEqual(a, new Uint32Array(ENTRY_HASH_LANES));
  });

  it('spreads one-character edits over all four lanes', () => {
    const base = new Uint32Array(ENTRY_HASH_LANES);
    addEntryHash(base, 'r', router, 1);
    for (let i = 0; i < 200; i++) {
      const other = new Uint32Array(ENTRY_HASH_LANES);
      addEntryHash(other, 'r', { ...router, rule: `Host(\`a${i}.test\`)` }, 1);
      for (let l = 0; l < ENTRY_HASH_LANES; l++) assert.notEqual(other[l], base[l], `lane ${l} of edit ${i}`);
    }
  });
});
