/**
 * The rateLimit and inFlightReq readers (with their shared sourceCriterion and ipStrategy):
 * Traefik's defaults filled, and every bad option reported with its key path.
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

const errors = (d: readonly Diagnostic[]): string[] => d.filter((x) => x.severity === 'error').map((x) => `${x.path ?? ''}: ${x.message}`);

void describe('rateLimit reader', () => {
  void it('fills Traefik defaults: period 1s, burst 1, the client IP as source', () => {
    const r = read({ rateLimit: { average: 100 } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, {
      kind: 'rateLimit',
      options: { average: 100, period: 1000, burst: 1, sourceCriterion: { kind: 'ipStrategy', ipStrategy: { depth: 0, excludedIPs: [], ipv6Subnet: undefined } } },
    });
  });

  const accepted: { desc: string; input: Record<string, unknown>; want: Record<string, unknown> }[] = [
    { desc: 'period as Go duration', input: { average: 6, period: '1m' }, want: { average: 6, period: 60_000, burst: 1 } },
    { desc: 'period as integer seconds', input: { average: 6, period: 10 }, want: { average: 6, period: 10_000, burst: 1 } },
    { desc: 'period 0 means 1s', input: { average: 6, period: 0 }, want: { average: 6, period: 1000, burst: 1 } },
    { desc: 'burst 0 means 1', input: { average: 6, burst: 0 }, want: { average: 6, period: 1000, burst: 1 } },
    { desc: 'numbers as text (labels)', input: { average: '100', burst: '50' }, want: { average: 100, period: 1000, burst: 50 } },
    { desc: 'keys are case-insensitive', input: { Average: 5, BURST: 7 }, want: { average: 5, period: 1000, burst: 7 } },
  ];
  for (const c of accepted) {
    void it(`accepts ${c.desc}`, () => {
      const r = read({ rateLimit: c.input });
      assert.deepEqual(errors(r.diagnostics), []);
      assert.equal(r.config?.kind, 'rateLimit');
      const { sourceCriterion: _s, ...rest } = r.config?.options as unknown as Record<string, unknown>;
      assert.deepEqual(rest, c.want);
    });
  }

  void it('warns that average 0 limits nothing (and keeps the middleware)', () => {
    const r = read({ rateLimit: { burst: 5 } });
    assert.equal(r.config?.kind, 'rateLimit');
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
    assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.rateLimit.average');
  });

  const rejected: { desc: string; input: Record<string, unknown>; path: string; message: RegExp; code?: string }[] = [
    { desc: 'a negative average', input: { average: -1 }, path: 'http.middlewares.m.rateLimit.average', message: /integer >= 0/ },
    { desc: 'a fractional average', input: { average: 1.5 }, path: 'http.middlewares.m.rateLimit.average', message: /an integer/ },
    { desc: 'a negative period', input: { average: 1, period: '-1s' }, path: 'http.middlewares.m.rateLimit.period', message: /duration >= 0/ },
    { desc: 'a period that is not a duration', input: { average: 1, period: 'often' }, path: 'http.middlewares.m.rateLimit.period', message: /duration/ },
    { desc: 'a negative burst', input: { average: 1, burst: -2 }, path: 'http.middlewares.m.rateLimit.burst', message: /integer >= 0/ },
    { desc: 'a typo', input: { average: 1, brust: 2 }, path: 'http.middlewares.m.rateLimit.brust', message: /did you mean "burst"/, code: 'TPK_CFG_UNKNOWN_KEY' },
    { desc: 'redis (not supported)', input: { average: 1, redis: { endpoints: ['r:6379'] } }, path: 'http.middlewares.m.rateLimit.redis', message: /does not support/, code: 'TPK_CFG_UNSUPPORTED' },
    {
      desc: 'two source criteria',
      input: { average: 1, sourceCriterion: { requestHost: true, requestHeaderName: 'X-Key' } },
      path: 'http.middlewares.m.rateLimit.sourceCriterion',
      message: /requestHeaderName and requestHost are mutually exclusive/,
    },
    {
      desc: 'ipStrategy beside requestHost',
      input: { average: 1, sourceCriterion: { ipStrategy: { depth: 1 }, requestHost: true } },
      path: 'http.middlewares.m.rateLimit.sourceCriterion',
      message: /ipStrategy and requestHost are mutually exclusive/,
    },
    { desc: 'a bad header name', input: { average: 1, sourceCriterion: { requestHeaderName: 'X Key' } }, path: 'http.middlewares.m.rateLimit.sourceCriterion.requestHeaderName', message: /not a valid header name/ },
    { desc: 'requestHost not a boolean', input: { average: 1, sourceCriterion: { requestHost: 'maybe' } }, path: 'http.middlewares.m.rateLimit.sourceCriterion.requestHost', message: /true or false/ },
    { desc: 'a negative depth', input: { average: 1, sourceCriterion: { ipStrategy: { depth: -1 } } }, path: 'http.middlewares.m.rateLimit.sourceCriterion.ipStrategy.depth', message: /integer >= 0/ },
    {
      desc: 'an excluded IP that is not an IP',
      input: { average: 1, sourceCriterion: { ipStrategy: { excludedIPs: ['10.0.0.0/8', 'foobar'] } } },
      path: 'http.middlewares.m.rateLimit.sourceCriterion.ipStrategy.excludedIPs[1]',
      message: /"foobar" is not an IP address or CIDR block/,
    },
    { desc: 'ipv6Subnet 0', input: { average: 1, sourceCriterion: { ipStrategy: { ipv6Subnet: 0 } } }, path: 'http.middlewares.m.rateLimit.sourceCriterion.ipStrategy.ipv6Subnet', message: /integer >= 1/ },
    { desc: 'ipv6Subnet 129', input: { average: 1, sourceCriterion: { ipStrategy: { ipv6Subnet: 129 } } }, path: 'http.middlewares.m.rateLimit.sourceCriterion.ipStrategy.ipv6Subnet', message: /integer <= 128/ },
    { desc: 'sourceCriterion not a mapping', input: { average: 1, sourceCriterion: 'host' }, path: 'http.middlewares.m.rateLimit.sourceCriterion', message: /mapping/ },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}, naming the key`, () => {
      const r = read({ rateLimit: c.input });
      assert.equal(r.config, undefined, 'the middleware is left out');
      const e = r.diagnostics.find((d) => d.severity === 'error');
      assert.ok(e, `an error for ${c.desc}`);
      assert.equal(e.path, c.path);
      assert.match(e.message, c.message);
      assert.match(e.message, /this middleware is left out/);
      assert.equal(e.object, 'm');
      if (c.code !== undefined) assert.equal(e.code, c.code);
    });
  }

  void it('reads each source criterion', () => {
    const cases: { desc: string; sc: unknown; want: unknown }[] = [
      { desc: 'header', sc: { requestHeaderName: 'X-Api-Key' }, want: { kind: 'requestHeaderName', headerName: 'X-Api-Key' } },
      { desc: 'host', sc: { requestHost: true }, want: { kind: 'requestHost' } },
      { desc: 'empty header name = unset', sc: { requestHeaderName: '', requestHost: true }, want: { kind: 'requestHost' } },
      { desc: 'requestHost false = unset', sc: { requestHost: false }, want: { kind: 'ipStrategy', ipStrategy: { depth: 0, excludedIPs: [], ipv6Subnet: undefined } } },
      { desc: 'empty ipStrategy', sc: { ipStrategy: null }, want: { kind: 'ipStrategy', ipStrategy: { depth: 0, excludedIPs: [], ipv6Subnet: undefined } } },
      {
        desc: 'full ipStrategy',
        sc: { ipStrategy: { excludedIPs: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.1'], ipv6Subnet: 64 } },
        want: { kind: 'ipStrategy', ipStrategy: { depth: 0, excludedIPs: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.1'], ipv6Subnet: 64 } },
      },
    ];
    for (const c of cases) {
      const r = read({ rateLimit: { average: 1, sourceCriterion: c.sc } });
      assert.deepEqual(errors(r.diagnostics), [], c.desc);
      assert.deepEqual((r.config?.options as { sourceCriterion: unknown }).sourceCriterion, c.want, c.desc);
    }
  });

  void it('warns that excludedIPs is ignored beside depth', () => {
    const r = read({ rateLimit: { average: 1, sourceCriterion: { ipStrategy: { depth: 2, excludedIPs: ['10.0.0.1'] } } } });
    assert.equal(r.config?.kind, 'rateLimit');
    const w = r.diagnostics.find((d) => d.severity === 'warning');
    assert.equal(w?.path, 'http.middlewares.m.rateLimit.sourceCriterion.ipStrategy.excludedIPs');
  });
});

void describe('inFlightReq reader', () => {
  void it('defaults the source to the request host', () => {
    const r = read({ inFlightReq: { amount: 10 } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, { kind: 'inFlightReq', options: { amount: 10, sourceCriterion: { kind: 'requestHost' } } });
  });

  void it('takes an ipStrategy source', () => {
    const r = read({ inFlightReq: { amount: 2, sourceCriterion: { ipStrategy: { depth: 1 } } } });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config, { kind: 'inFlightReq', options: { amount: 2, sourceCriterion: { kind: 'ipStrategy', ipStrategy: { depth: 1, excludedIPs: [], ipv6Subnet: undefined } } } });
  });

  const rejected: { desc: string; input: unknown; path: string; message: RegExp }[] = [
    { desc: 'no amount', input: {}, path: 'http.middlewares.m.inFlightReq.amount', message: /"amount" is required/ },
    { desc: 'amount 0', input: { amount: 0 }, path: 'http.middlewares.m.inFlightReq.amount', message: /integer >= 1/ },
    { desc: 'amount not a number', input: { amount: 'ten' }, path: 'http.middlewares.m.inFlightReq.amount', message: /an integer/ },
    { desc: 'an unknown key', input: { amount: 1, average: 2 }, path: 'http.middlewares.m.inFlightReq.average', message: /unknown key/ },
    {
      desc: 'two source criteria',
      input: { amount: 1, sourceCriterion: { ipStrategy: {}, requestHeaderName: 'X-Key' } },
      path: 'http.middlewares.m.inFlightReq.sourceCriterion',
      message: /ipStrategy and requestHeaderName are mutually exclusive/,
    },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}, naming the key`, () => {
      const r = read({ inFlightReq: c.input });
      assert.equal(r.config, undefined);
      const e = r.diagnostics.find((d) => d.severity === 'error');
      assert.equal(e?.path, c.path);
      assert.match(e?.message ?? '', c.message);
    });
  }
});
