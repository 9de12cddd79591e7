import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRule, defaultPriority, ruleHosts, sortEntries } from '../../../src/rules/index.js';

void describe('defaultPriority', () => {
  const cases = [
    { desc: 'reference example', rule: 'Host(`example.org`)', want: 19 },
    { desc: 'operators and spaces count', rule: 'Host(`a`) && Path(`/`)', want: 22 },
    { desc: 'UTF-8 bytes like Go len()', rule: 'Path(`/é`)', want: 11 },
    { desc: 'astral character is 4 bytes', rule: 'Path(`/😀`)', want: 13 },
    { desc: 'empty', rule: '', want: 0 },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(defaultPriority(c.rule), c.want));
});

void describe('sortEntries', () => {
  void it('orders by priority desc, then name asc, then input order', () => {
    const rule = compileRule('Path(`/`)');
    const e = (name: string, priority: number, value: number) => ({ name, rule, priority, value });
    const sorted = sortEntries([e('b', 1, 0), e('a', 1, 1), e('z', 9, 2), e('a', 1, 3), e('m', -5, 4)]);
    assert.deepEqual(
      sorted.map((x) => x.value),
      [2, 1, 3, 0, 4],
    );
    assert.ok(Object.isFrozen(sorted));
  });
});

void describe('ruleHosts', () => {
  void it('collects lower-cased Host values once each', () => {
    const r = compileRule('(Host(`A.example.com`) || Host(`b.example.com`)) && !Host(`a.example.com`) && HostRegexp(`x`)');
    assert.deepEqual(ruleHosts(r), ['a.example.com', 'b.example.com']);
  });
});
