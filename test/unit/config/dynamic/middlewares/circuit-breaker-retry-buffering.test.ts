/**
 * The circuitBreaker, retry and buffering readers: Traefik's defaults, and every bad option reported
 * with its key path (the middleware is then left out). Expressions are checked here, at
 * configuration time, with the column of the mistake.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../../src/config/diagnostics.js';
import { validateDynamic } from '../../../../../src/config/dynamic/validate.js';
import type { MiddlewareConfig } from '../../../../../src/config/dynamic/types.js';

function read(middleware: unknown): { config: MiddlewareConfig | undefined; diagnostics: readonly Diagnostic[] } {
  const r = validateDynamic({ http: { middlewares: { m: middleware } } }, { source: 'dyn.yml' });
  return { config: r.config.http.middlewares['m'], diagnostics: r.diagnostics };
}

interface ErrorCase {
  readonly desc: string;
  readonly input: unknown;
  readonly path: string;
  readonly message: RegExp;
}

function rejects(kind: string, cases: readonly ErrorCase[]): void {
  for (const c of cases) {
    void it(`rejects ${c.desc}`, () => {
      const r = read({ [kind]: c.input });
      assert.equal(r.config, undefined);
      const d = r.diagnostics.find((x) => x.severity === 'error');
      assert.ok(d, JSON.stringify(r.diagnostics));
      assert.equal(d.path, c.path);
      assert.match(d.message, c.message);
      assert.match(d.message, /this middleware is left out/);
    });
  }
}

void describe('circuitBreaker reader', () => {
  void it('fills Traefik defaults (100ms, 10s, 10s, 503)', () => {
    const r = read({ circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5' } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'circuitBreaker',
      options: { expression: 'NetworkErrorRatio() > 0.5', checkPeriod: 100, fallbackDuration: 10_000, recoveryDuration: 10_000, responseCode: 503 },
    });
  });

  void it('reads every option (durations as Go text or seconds, keys case-insensitive)', () => {
    const r = read({
      circuitBreaker: { Expression: 'LatencyAtQuantileMS(50.0) > 100', checkperiod: '250ms', fallbackDuration: 3, recoveryDuration: '1m30s', responseCode: '418' },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'circuitBreaker',
      options: { expression: 'LatencyAtQuantileMS(50.0) > 100', checkPeriod: 250, fallbackDuration: 3_000, recoveryDuration: 90_000, responseCode: 418 },
    });
  });

  void it('takes 0 durations and responseCode 0 as the defaults, as Traefik', () => {
    const r = read({ circuitBreaker: { expression: 'RequestThreshold() > 1', checkPeriod: 0, fallbackDuration: '0s', responseCode: 0 } });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config?.kind, 'circuitBreaker');
    if (r.config?.kind !== 'circuitBreaker') return;
    assert.equal(r.config.options.checkPeriod, 100);
    assert.equal(r.config.options.fallbackDuration, 10_000);
    assert.equal(r.config.options.responseCode, 503);
  });

  rejects('circuitBreaker', [
    { desc: 'a missing expression', input: { checkPeriod: '1s' }, path: 'http.middlewares.m.circuitBreaker.expression', message: /"expression" is required/ },
    { desc: 'an empty expression', input: { expression: ' ' }, path: 'http.middlewares.m.circuitBreaker.expression', message: /non-empty string/ },
    {
      desc: 'a syntax error, with its column',
      input: { expression: 'NetworkErrorRatio() > 0.5 & RequestThreshold() > 1' },
      path: 'http.middlewares.m.circuitBreaker.expression',
      message: /invalid circuit breaker expression: unexpected "&"; use "&&" for "and" \(at column 27 of "NetworkErrorRatio\(\) > 0\.5 & RequestThreshold\(\) > 1"\)/,
    },
    {
      desc: 'an integer compared with a ratio',
      input: { expression: 'NetworkErrorRatio() > 1' },
      path: 'http.middlewares.m.circuitBreaker.expression',
      message: /NetworkErrorRatio\(\) is a ratio \(a decimal number\): compare it with a decimal number literal such as 0\.5, not 1 \(write 1\.0\) \(at column 23/,
    },
    {
      desc: 'an integer quantile',
      input: { expression: 'LatencyAtQuantileMS(50) > 100' },
      path: 'http.middlewares.m.circuitBreaker.expression',
      message: /argument 1 of LatencyAtQuantileMS\(\) must be a decimal number literal, got 50 \(write 50\.0\)/,
    },
    { desc: 'an unknown function', input: { expression: 'ErrorRatio() > 0.5' }, path: 'http.middlewares.m.circuitBreaker.expression', message: /unknown function "ErrorRatio"/ },
    { desc: 'a bad duration', input: { expression: 'RequestThreshold() > 1', checkPeriod: 'soon' }, path: 'http.middlewares.m.circuitBreaker.checkPeriod', message: /a duration/ },
    { desc: 'a non-numeric responseCode', input: { expression: 'RequestThreshold() > 1', responseCode: 'teapot' }, path: 'http.middlewares.m.circuitBreaker.responseCode', message: /an integer/ },
    { desc: 'an informational responseCode', input: { expression: 'RequestThreshold() > 1', responseCode: 101 }, path: 'http.middlewares.m.circuitBreaker.responseCode', message: /final HTTP status/ },
    { desc: 'a responseCode over 999', input: { expression: 'RequestThreshold() > 1', responseCode: 1000 }, path: 'http.middlewares.m.circuitBreaker.responseCode', message: /<= 999/ },
    { desc: 'an unknown key', input: { expresion: 'x' }, path: 'http.middlewares.m.circuitBreaker.expresion', message: /did you mean "expression"/ },
  ]);
});

void describe('retry reader', () => {
  void it('fills Traefik defaults', () => {
    const r = read({ retry: { attempts: 3 } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'retry',
      options: {
        attempts: 3,
        initialInterval: 0,
        timeout: 0,
        maxRequestBodyBytes: 2 * 1024 * 1024,
        status: [],
        disableRetryOnNetworkError: false,
        retryNonIdempotentMethod: false,
      },
    });
  });

  void it('reads every option, status as a list or as one comma-separated text', () => {
    const r = read({
      retry: { attempts: '4', initialInterval: '100ms', timeout: '60s', maxRequestBodyBytes: -1, status: ['400', '500-599'], disableRetryOnNetworkError: true, retryNonIdempotentMethod: 'true' },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'retry',
      options: {
        attempts: 4,
        initialInterval: 100,
        timeout: 60_000,
        maxRequestBodyBytes: -1,
        status: [
          { from: 400, to: 400 },
          { from: 500, to: 599 },
        ],
        disableRetryOnNetworkError: true,
        retryNonIdempotentMethod: true,
      },
    });
    const labels = read({ retry: { attempts: 2, status: '502,504' } });
    assert.equal(labels.config?.kind, 'retry');
    if (labels.config?.kind === 'retry') {
      assert.deepEqual(labels.config.options.status, [
        { from: 502, to: 502 },
        { from: 504, to: 504 },
      ]);
    }
  });

  rejects('retry', [
    { desc: 'missing attempts', input: { initialInterval: '1s' }, path: 'http.middlewares.m.retry.attempts', message: /"attempts" is required/ },
    { desc: 'zero attempts', input: { attempts: 0 }, path: 'http.middlewares.m.retry.attempts', message: /an integer >= 1/ },
    { desc: 'a bad interval', input: { attempts: 2, initialInterval: 'fast' }, path: 'http.middlewares.m.retry.initialInterval', message: /a duration/ },
    { desc: 'a body limit under -1', input: { attempts: 2, maxRequestBodyBytes: -2 }, path: 'http.middlewares.m.retry.maxRequestBodyBytes', message: /an integer >= -1/ },
    { desc: 'a bad status entry', input: { attempts: 2, status: ['500', '5xx'] }, path: 'http.middlewares.m.retry.status[1]', message: /"5xx" is not a status code/ },
    { desc: 'a backwards range', input: { attempts: 2, status: ['599-500'] }, path: 'http.middlewares.m.retry.status[0]', message: /runs backwards/ },
    {
      desc: 'disableRetryOnNetworkError without status (Traefik: "requires at least HTTP status codes or retry on TCP")',
      input: { attempts: 2, disableRetryOnNetworkError: true },
      path: 'http.middlewares.m.retry.status',
      message: /needs "status"/,
    },
    { desc: 'a non-boolean flag', input: { attempts: 2, retryNonIdempotentMethod: 'yes' }, path: 'http.middlewares.m.retry.retryNonIdempotentMethod', message: /true or false/ },
  ]);
});

void describe('buffering reader', () => {
  void it('fills Traefik defaults (no limits, 1 MiB in memory, no retry)', () => {
    const r = read({ buffering: {} });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'buffering',
      options: {
        maxRequestBodyBytes: 0,
        memRequestBodyBytes: 1_048_576,
        maxResponseBodyBytes: 0,
        memResponseBodyBytes: 1_048_576,
        retryExpression: '',
        disableRequestBuffer: false,
        disableResponseBuffer: false,
      },
    });
  });

  void it('reads every option', () => {
    const r = read({
      buffering: {
        maxRequestBodyBytes: 2_000_000,
        memRequestBodyBytes: '1000',
        maxResponseBodyBytes: 5_000_000,
        memResponseBodyBytes: 2000,
        retryExpression: 'IsNetworkError() && Attempts() < 2',
        disableRequestBuffer: false,
        disableResponseBuffer: 'true',
      },
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'buffering',
      options: {
        maxRequestBodyBytes: 2_000_000,
        memRequestBodyBytes: 1000,
        maxResponseBodyBytes: 5_000_000,
        memResponseBodyBytes: 2000,
        retryExpression: 'IsNetworkError() && Attempts() < 2',
        disableRequestBuffer: false,
        disableResponseBuffer: true,
      },
    });
  });

  rejects('buffering', [
    { desc: 'a negative size (Traefik: "max bytes should be >= 0")', input: { maxRequestBodyBytes: -1 }, path: 'http.middlewares.m.buffering.maxRequestBodyBytes', message: /an integer >= 0/ },
    { desc: 'a size that is not a number', input: { memResponseBodyBytes: '1MB' }, path: 'http.middlewares.m.buffering.memResponseBodyBytes', message: /an integer/ },
    {
      desc: 'a bad retry expression, with its column',
      input: { retryExpression: 'IsNetworkError() && Attempts < 2' },
      path: 'http.middlewares.m.buffering.retryExpression',
      message: /invalid retry expression: "Attempts" must be called as a function, e\.g\. Attempts\(\) \(at column 21/,
    },
    {
      desc: 'a retry expression with a circuit breaker function',
      input: { retryExpression: 'NetworkErrorRatio() > 0.5' },
      path: 'http.middlewares.m.buffering.retryExpression',
      message: /unknown function "NetworkErrorRatio"/,
    },
    { desc: 'an unknown key', input: { maxRequestBodyByte: 1 }, path: 'http.middlewares.m.buffering.maxRequestBodyByte', message: /did you mean "maxRequestBodyBytes"/ },
  ]);
});
