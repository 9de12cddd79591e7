import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freezeFresh } from '../../../../src/config/dynamic/freeze.js';

void describe('freezeFresh', () => {
  void it('freezes plain objects, arrays and Map values deeply', () => {
    const inner = { a: [1, { b: 2 }] };
    const value = { inner, m: new Map([['k', { c: 3 }]]) };
    freezeFresh(value);
    assert.ok(Object.isFrozen(value));
    assert.ok(Object.isFrozen(inner.a));
    assert.ok(Object.isFrozen(inner.a[1]));
    assert.ok(Object.isFrozen(value.m.get('k')));
  });

  void it('ends on cycles and shared references', () => {
    const a: { self?: unknown; list: unknown[] } = { list: [] };
    a.self = a;
    a.list.push(a, a);
    freezeFresh(a);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.list));
  });

  void it('does not walk into an object already frozen (taken as deeply frozen)', () => {
    const child = { x: 1 };
    const frozen = Object.freeze({ child });
    freezeFresh({ frozen });
    assert.equal(Object.isFrozen(child), false);
  });
});
