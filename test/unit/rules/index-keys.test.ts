/**
 * The index keys a compiled rule keeps (what the route index files it under): one key alone, a host
 * key as its bare string, a list only for another number of keys. Table cases: rule -> keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRule } from '../../../src/rules/index.js';

void describe('compiled rule keys', () => {
  const cases = [
    { desc: 'a host: its key alone, lower-cased, without trailing dots', rule: 'Host(`A.Test.`)', want: 'a.test' },
    { desc: 'a wildcard host: one suffix key', rule: 'Host(`*.a.test`)', want: { kind: 'hostSuffix', value: 'a.test' } },
    { desc: 'a regexp host with a literal suffix', rule: 'HostRegexp(`^r1-[a-z]+\\.example\\.com$`)', want: { kind: 'hostSuffix', value: 'example.com' } },
    { desc: 'a header value (name lower-cased)', rule: 'Header(`X-Tenant`, `t1`)', want: { kind: 'header', name: 'x-tenant', value: 't1' } },
    { desc: 'a path', rule: 'Path(`/a`)', want: { kind: 'path', value: '/a' } },
    { desc: 'a path prefix', rule: 'PathPrefix(`/a`)', want: { kind: 'pathPrefix', value: '/a' } },
    { desc: 'and: the most selective part (a host before a prefix)', rule: 'PathPrefix(`/p`) && Host(`a.test`)', want: 'a.test' },
    { desc: 'or: every part, as a list', rule: 'Host(`a.test`) || Path(`/a`)', want: ['a.test', { kind: 'path', value: '/a' }] },
    { desc: 'or with a part that never matches: the one key left, alone', rule: 'Header(`Host`, `x`) || Host(`a.test`)', want: 'a.test' },
    { desc: 'never matches: no key', rule: 'Header(`Host`, `x`)', want: [] },
    { desc: 'not indexable', rule: 'Method(`GET`)', want: null },
    { desc: 'or with a part not indexable', rule: 'Host(`a.test`) || Method(`GET`)', want: null },
    { desc: 'a negation is not indexable', rule: '!Host(`a.test`)', want: null },
  ];
  for (const c of cases) void it(c.desc, () => assert.deepEqual(compileRule(c.rule).keys, c.want));
});
