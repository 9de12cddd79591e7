/**
 * explainRule: the traced evaluation agrees with the compiled predicate for every rule and request
 * (property), and names the matchers that failed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compileRule, matchesRule, type MatchInput } from '../../../src/rules/index.js';
import { explainRule } from '../../../src/rules/explain.js';
import { HeaderList } from '../../../src/exchange/headers.js';

function input(o: { host?: string; path?: string; method?: string; headers?: readonly string[]; query?: string | null; peer?: string }): MatchInput {
  return {
    method: o.method ?? 'GET',
    host: o.host ?? 'a.test',
    routingPath: o.path ?? '/',
    query: o.query ?? null,
    headers: new HeaderList([...(o.headers ?? [])]),
    peer: { address: o.peer ?? '127.0.0.1' },
  };
}

void describe('explainRule', () => {
  const cases: { desc: string; rule: string; req: Parameters<typeof input>[0]; result: boolean; failed: string[]; matched: number; total: number }[] = [
    { desc: 'both true', rule: 'Host(`a.test`) && PathPrefix(`/api`)', req: { path: '/api/x' }, result: true, failed: [], matched: 2, total: 2 },
    { desc: 'path fails', rule: 'Host(`a.test`) && PathPrefix(`/api`)', req: { path: '/web' }, result: false, failed: ['PathPrefix(`/api`)'], matched: 1, total: 2 },
    { desc: 'every operand of a false ||', rule: 'Host(`b.test`) || Path(`/x`)', req: {}, result: false, failed: ['Host(`b.test`)', 'Path(`/x`)'], matched: 0, total: 2 },
    { desc: 'a true ! operand', rule: 'Host(`a.test`) && !Method(`GET`)', req: {}, result: false, failed: ['!Method(`GET`)'], matched: 2, total: 2 },
    { desc: 'a negated group', rule: '!(Host(`a.test`) || Path(`/`))', req: {}, result: false, failed: ['!(Host(`a.test`) || Path(`/`))'], matched: 2, total: 2 },
    { desc: 'lower-case matcher spelling shown canonical', rule: 'host(`A.test`)', req: {}, result: true, failed: [], matched: 1, total: 1 },
    { desc: 'header and query', rule: 'Header(`X-A`, `1`) && Query(`q`, `2`)', req: { headers: ['x-a', '1'], query: 'q=1' }, result: false, failed: ['Query(`q`, `2`)'], matched: 1, total: 2 },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const x = explainRule(compileRule(c.rule), input(c.req));
      assert.equal(x.result, c.result);
      assert.equal(x.trace.result, c.result);
      assert.deepEqual(x.failed, c.failed);
      assert.deepEqual([x.matched, x.total], [c.matched, c.total]);
    });
  }

  void it('trace of a matcher carries its canonical text and value', () => {
    const x = explainRule(compileRule('Host(`a.test`) && Path(`/b`)'), input({ path: '/a' }));
    assert.deepEqual(x.trace, {
      kind: 'and',
      result: false,
      operands: [
        { kind: 'matcher', text: 'Host(`a.test`)', matcher: 'Host', args: ['a.test'], result: true },
        { kind: 'matcher', text: 'Path(`/b`)', matcher: 'Path', args: ['/b'], result: false },
      ],
    });
  });

  const atom = fc.oneof(
    fc.constantFrom('a.test', 'b.test', '*.a.test', 'A.TEST.').map((h) => `Host(\`${h}\`)`),
    fc.constantFrom('^[a-z]+\\.test$', '(?i)^X').map((r) => `HostRegexp(\`${r}\`)`),
    fc.constantFrom('/', '/a', '/a/b').map((p) => `Path(\`${p}\`)`),
    fc.constantFrom('/', '/a', '/a/').map((p) => `PathPrefix(\`${p}\`)`),
    fc.constantFrom('GET', 'post').map((m) => `Method(\`${m}\`)`),
    fc.constantFrom('Header(`X-A`, `1`)', 'HeaderRegexp(`X-A`, `^2`)', 'Query(`q`)', 'Query(`q`, `1`)', 'QueryRegexp(`q`, `^1$`)'),
    fc.constantFrom('10.0.0.0/8', '::1').map((ip) => `ClientIP(\`${ip}\`)`),
  );
  const { rule } = fc.letrec<{ rule: string }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      { weight: 4, arbitrary: atom },
      { weight: 2, arbitrary: fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `${a} && ${b}`) },
      { weight: 2, arbitrary: fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `(${a} || ${b})`) },
      { weight: 1, arbitrary: tie('rule').map((a) => `!(${a})`) },
    ),
  }));
  const request = fc.record({
    host: fc.constantFrom('a.test', 'A.TEST:80', 'x.a.test', 'b.test', '', '[::1]:8080'),
    path: fc.constantFrom('/', '/a', '/a/b', '/b'),
    method: fc.constantFrom('GET', 'POST', 'post'),
    headers: fc.constantFrom([], ['X-A', '1'], ['x-a', '2', 'X-A', '1']),
    query: fc.constantFrom(null, 'q', 'q=1', 'q=2&q=1'),
    peer: fc.constantFrom('10.1.2.3', '::1', '192.0.2.1'),
  });

  void it('property: the traced value equals the compiled predicate, and failed is empty exactly when true', () => {
    fc.assert(
      fc.property(rule, request, (r, req) => {
        const compiled = compileRule(r);
        const x = explainRule(compiled, input(req));
        const want = matchesRule(compiled, input(req));
        assert.equal(x.result, want, r);
        assert.equal(x.trace.result, want, `trace of ${r} for ${JSON.stringify(req)}`);
        assert.equal(x.failed.length === 0, want, r);
      }),
      { numRuns: 2000 },
    );
  });
});
