/**
 * The expression language of circuitBreaker.expression and buffering.retryExpression: what parses,
 * what the typed checks accept (the same as the predicate library behind Traefik), how it
 * evaluates, and where errors point.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpression, type FunctionTable } from '../../../../src/middlewares/expression/compile.js';
import { ExpressionError, parseExpression } from '../../../../src/middlewares/expression/parse.js';
import { compileBreakerCondition } from '../../../../src/middlewares/circuit-breaker/conditions.js';
import { compileBufferRetry } from '../../../../src/middlewares/buffering/retry-expression.js';
import { RollingMetrics } from '../../../../src/middlewares/circuit-breaker/rolling-metrics.js';

/** A context of plain values: each function returns its field. */
interface Values {
  net: number;
  codes: number;
  latency: number;
  requests: number;
}

const TABLE: FunctionTable<Values> = {
  NetworkErrorRatio: { params: [], returns: 'float', make: () => (v) => v.net },
  ResponseCodeRatio: { params: ['int', 'int', 'int', 'int'], returns: 'float', make: () => (v) => v.codes },
  LatencyAtQuantileMS: { params: ['float'], returns: 'int', make: () => (v) => v.latency },
  RequestThreshold: { params: [], returns: 'int', make: () => (v) => v.requests },
};

const V: Values = { net: 0.6, codes: 0.2, latency: 150, requests: 30 };

void describe('expression evaluation', () => {
  const cases = [
    { desc: 'float greater than', src: 'NetworkErrorRatio() > 0.5', want: true },
    { desc: 'float not greater than', src: 'NetworkErrorRatio() > 0.7', want: false },
    { desc: 'float >= equal value', src: 'NetworkErrorRatio() >= 0.6', want: true },
    { desc: 'float <', src: 'ResponseCodeRatio(500, 600, 0, 600) < 0.25', want: true },
    { desc: 'float <= equal', src: 'ResponseCodeRatio(500, 600, 0, 600) <= 0.2', want: true },
    { desc: 'float ==', src: 'ResponseCodeRatio(500, 600, 0, 600) == 0.2', want: true },
    { desc: 'float !=', src: 'NetworkErrorRatio() != 0.6', want: false },
    { desc: 'int latency >', src: 'LatencyAtQuantileMS(50.0) > 100', want: true },
    { desc: 'int latency ==', src: 'LatencyAtQuantileMS(99.9) == 150', want: true },
    { desc: 'int count >=', src: 'RequestThreshold() >= 20', want: true },
    { desc: 'and: both true', src: 'NetworkErrorRatio() > 0.5 && RequestThreshold() >= 20', want: true },
    { desc: 'and: one false', src: 'NetworkErrorRatio() > 0.5 && RequestThreshold() >= 40', want: false },
    { desc: 'or: one true', src: 'ResponseCodeRatio(500, 600, 0, 600) > 0.30 || NetworkErrorRatio() > 0.10', want: true },
    { desc: 'or: none true', src: 'NetworkErrorRatio() > 0.9 || LatencyAtQuantileMS(50.0) > 200', want: false },
    { desc: '&& binds tighter than ||', src: 'NetworkErrorRatio() > 0.5 || RequestThreshold() > 100 && LatencyAtQuantileMS(50.0) > 1000', want: true },
    { desc: 'parentheses change the grouping', src: '(NetworkErrorRatio() > 0.5 || RequestThreshold() > 100) && LatencyAtQuantileMS(50.0) > 1000', want: false },
    { desc: 'nested parentheses', src: '((NetworkErrorRatio() > 0.5))', want: true },
    { desc: 'no spaces', src: 'NetworkErrorRatio()>0.5&&RequestThreshold()>=20', want: true },
    { desc: 'newlines and tabs', src: 'NetworkErrorRatio() > 0.5\n\t|| RequestThreshold() > 1', want: true },
    { desc: 'float forms: .5', src: 'NetworkErrorRatio() > .5', want: true },
    { desc: 'float forms: 5e-1', src: 'NetworkErrorRatio() > 5e-1', want: true },
    { desc: 'float forms: 0.', src: 'NetworkErrorRatio() > 0.', want: true },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(compileExpression(c.src, TABLE)(V), c.want);
    });
  }
});

void describe('expression errors (message and column)', () => {
  const cases = [
    { desc: 'empty', src: '', column: 1, message: /empty/ },
    { desc: 'blank', src: '   ', column: 1, message: /empty/ },
    { desc: 'missing right operand', src: 'NetworkErrorRatio() >', column: 22, message: /expected a function call, a number or "\("/ },
    { desc: 'single =', src: 'NetworkErrorRatio() = 0.5', column: 21, message: /use "=="/ },
    { desc: 'single &', src: 'NetworkErrorRatio() > 0.5 & RequestThreshold() > 1', column: 27, message: /"&&"/ },
    { desc: 'negation is not supported', src: '!(NetworkErrorRatio() > 0.5)', column: 1, message: /"!" \(not\) operator is not supported/ },
    { desc: 'unclosed parenthesis', src: '(NetworkErrorRatio() > 0.5', column: 27, message: /expected "\)" to close the "\(" at column 1/ },
    { desc: 'unbalanced closing parenthesis', src: 'NetworkErrorRatio() > 0.5)', column: 26, message: /unbalanced "\)"/ },
    { desc: 'unknown function with a suggestion', src: 'NetworkErrorRate() > 0.5', column: 1, message: /unknown function "NetworkErrorRate"; did you mean NetworkErrorRatio\(\)\?/ },
    { desc: 'unknown function without a close match', src: 'Foo() > 1', column: 1, message: /known functions: NetworkErrorRatio\(\), ResponseCodeRatio\(\)/ },
    { desc: 'function names are case-sensitive', src: 'networkErrorRatio() > 0.5', column: 1, message: /did you mean NetworkErrorRatio\(\)/ },
    { desc: 'a name without a call', src: 'NetworkErrorRatio > 0.5', column: 1, message: /must be called as a function/ },
    { desc: 'integer compared with a ratio', src: 'NetworkErrorRatio() > 0', column: 23, message: /decimal number literal such as 0\.5, not 0 \(write 0\.0\)/ },
    { desc: 'decimal compared with a latency', src: 'LatencyAtQuantileMS(50.0) > 100.0', column: 29, message: /integer literal such as 100, not 100\.0 \(write it without a decimal point\)/ },
    { desc: 'integer quantile', src: 'LatencyAtQuantileMS(50) > 100', column: 21, message: /argument 1 of LatencyAtQuantileMS\(\) must be a decimal number literal, got 50 \(write 50\.0\)/ },
    { desc: 'decimal status in ResponseCodeRatio', src: 'ResponseCodeRatio(500.0, 600, 0, 600) > 0.5', column: 19, message: /argument 1 of ResponseCodeRatio\(\) must be an integer literal/ },
    { desc: 'wrong argument count', src: 'ResponseCodeRatio(500, 600) > 0.5', column: 1, message: /takes 4 arguments/ },
    { desc: 'arguments to a function without parameters', src: 'NetworkErrorRatio(1) > 0.5', column: 1, message: /takes no arguments/ },
    { desc: 'a number alone', src: '0.5', column: 1, message: /0\.5 is not a condition/ },
    { desc: 'a metric alone', src: 'NetworkErrorRatio()', column: 1, message: /not a condition: compare it, e\.g\. NetworkErrorRatio\(\) > 0\.5/ },
    { desc: 'a metric in &&', src: 'NetworkErrorRatio() && RequestThreshold() > 1', column: 1, message: /not a condition/ },
    { desc: 'the literal on the left', src: '0.5 < NetworkErrorRatio()', column: 1, message: /put the function on the left of the comparison, e\.g\. NetworkErrorRatio\(\.\.\.\) > 0\.5/ },
    { desc: 'two functions compared', src: 'NetworkErrorRatio() > NetworkErrorRatio()', column: 23, message: /must be a decimal number literal/ },
    { desc: 'chained comparison', src: 'RequestThreshold() > 1 > 2', column: 24, message: /cannot be chained/ },
    { desc: 'a bad number', src: 'NetworkErrorRatio() > 0.5.1', column: 23, message: /is not a number/ },
    { desc: 'hex is not accepted', src: 'RequestThreshold() > 0x10', column: 22, message: /"0x" is not a number/ },
    { desc: 'a signed number', src: 'RequestThreshold() > -1', column: 22, message: /signed numbers are not supported/ },
    { desc: 'an unexpected character', src: 'RequestThreshold() > 1 ; x', column: 24, message: /unexpected character ";"/ },
    { desc: 'trailing junk', src: 'RequestThreshold() > 1 RequestThreshold()', column: 24, message: /expected "&&", "\|\|" or the end/ },
    { desc: 'a string compared with a number', src: 'RequestThreshold() > "1"', column: 22, message: /integer literal such as 100, not "1"/ },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.throws(
        () => compileExpression(c.src, TABLE),
        (err: unknown) => {
          assert.ok(err instanceof ExpressionError, String(err));
          assert.match(err.message, c.message);
          assert.equal(err.column, c.column, err.message);
          return true;
        },
      );
    });
  }
});

void describe('expression parse tree', () => {
  void it('groups || over && over comparisons, with columns', () => {
    const t = parseExpression('A() > 1 || B() < 2 && C() == 3');
    assert.equal(t.kind, 'or');
    if (t.kind !== 'or') return;
    assert.equal(t.column, 9);
    assert.equal(t.left.kind, 'compare');
    assert.equal(t.right.kind, 'and');
  });

  void it('reads strings with escapes and raw strings', () => {
    const t = parseExpression('M() == "a\\"b" || M() == `c\\d`');
    assert.equal(t.kind, 'or');
    if (t.kind !== 'or' || t.left.kind !== 'compare' || t.right.kind !== 'compare') return assert.fail('shape');
    assert.deepEqual([t.left.right.kind, (t.left.right as { value: string }).value], ['string', 'a"b']);
    assert.equal((t.right.right as { value: string }).value, 'c\\d');
  });

  void it('reports an unterminated string at its start', () => {
    assert.throws(() => parseExpression('M() == "abc'), (e: unknown) => e instanceof ExpressionError && e.column === 8 && /unterminated/.test(e.message));
  });
});

void describe('circuit breaker functions over real metrics', () => {
  void it('NetworkErrorRatio, ResponseCodeRatio, RequestThreshold and LatencyAtQuantileMS read the window', () => {
    const m = new RollingMetrics();
    const t = 5_000;
    for (let i = 0; i < 6; i++) m.record(200, 10, t);
    m.record(502, 20, t);
    m.record(504, 30, t);
    m.record(500, 40, t);
    m.record(503, 400, t);
    const stats = { metrics: m, now: t };
    const check = (src: string): boolean => compileBreakerCondition(src)(stats);
    assert.equal(check('RequestThreshold() == 10'), true);
    assert.equal(check('NetworkErrorRatio() == 0.2'), true);
    assert.equal(check('ResponseCodeRatio(500, 600, 0, 600) == 0.4'), true);
    assert.equal(check('ResponseCodeRatio(500, 501, 500, 600) == 0.25'), true);
    assert.equal(check('ResponseCodeRatio(600, 700, 700, 800) == 0.0'), true, 'an empty divisor gives 0');
    assert.equal(check('LatencyAtQuantileMS(50.0) == 10'), true);
    // Two significant digits: 400 ms is counted in a bucket that reads back as 401 ms.
    assert.equal(check('LatencyAtQuantileMS(95.0) >= 400 && LatencyAtQuantileMS(95.0) <= 404'), true);
    assert.equal(check('LatencyAtQuantileMS(100.0) >= 400 && LatencyAtQuantileMS(100.0) <= 404'), true);
  });
});

void describe('buffering retry functions', () => {
  const cases = [
    { desc: 'network error on the first try', src: 'IsNetworkError() && Attempts() < 2', attempts: 1, code: 502, method: 'GET', want: true },
    { desc: 'network error, tries used up', src: 'IsNetworkError() && Attempts() < 2', attempts: 2, code: 504, method: 'GET', want: false },
    { desc: 'not a network error', src: 'IsNetworkError() && Attempts() < 2', attempts: 1, code: 500, method: 'GET', want: false },
    { desc: 'a response code', src: 'ResponseCode() == 503 && Attempts() <= 2', attempts: 2, code: 503, method: 'GET', want: true },
    { desc: 'the method', src: 'RequestMethod() == "GET" && ResponseCode() >= 500', attempts: 1, code: 500, method: 'GET', want: true },
    { desc: 'the method differs', src: 'RequestMethod() != "POST"', attempts: 1, code: 500, method: 'POST', want: false },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      assert.equal(compileBufferRetry(c.src)({ attempts: c.attempts, responseCode: c.code, method: c.method }), c.want);
    });
  }

  void it('rejects ordering comparisons of strings and conditions compared with a value', () => {
    assert.throws(() => compileBufferRetry('RequestMethod() > "GET"'), /only be compared with "==" or "!="/);
    assert.throws(() => compileBufferRetry('IsNetworkError() == 1'), /already a condition/);
    assert.throws(() => compileBufferRetry('Attempts() < 2.0'), /integer literal/);
  });
});
