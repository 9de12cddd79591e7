/** The pure pieces of tracing: W3C traceparent, query redaction, span names. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceparent, parseTraceparent } from '../../../../src/observability/tracing/traceparent.js';
import { clientStatus, redactQuery, serverStatus } from '../../../../src/observability/tracing/attributes.js';
import { middlewareSpanName, qualify } from '../../../../src/observability/tracing/span-names.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  const cases: { desc: string; value: string; want: { traceId: string; spanId: string; traceFlags: number } | undefined }[] = [
    { desc: 'a sampled context', value: `00-${T}-${S}-01`, want: { traceId: T, spanId: S, traceFlags: 1 } },
    { desc: 'an unsampled context', value: `00-${T}-${S}-00`, want: { traceId: T, spanId: S, traceFlags: 0 } },
    { desc: 'surrounding spaces are ignored', value: ` 00-${T}-${S}-01 `, want: { traceId: T, spanId: S, traceFlags: 1 } },
    { desc: 'a later version is read by the 00 layout, extra fields ignored', value: `01-${T}-${S}-01-what-ever`, want: { traceId: T, spanId: S, traceFlags: 1 } },
    { desc: 'version 00 with extra text is invalid', value: `00-${T}-${S}-01-x`, want: undefined },
    { desc: 'version ff is invalid', value: `ff-${T}-${S}-01`, want: undefined },
    { desc: 'upper-case hex is invalid', value: `00-${T.toUpperCase()}-${S}-01`, want: undefined },
    { desc: 'an all-zero trace id is invalid', value: `00-${'0'.repeat(32)}-${S}-01`, want: undefined },
    { desc: 'an all-zero span id is invalid', value: `00-${T}-${'0'.repeat(16)}-01`, want: undefined },
    { desc: 'too short', value: `00-${T}-${S.slice(1)}-01`, want: undefined },
    { desc: 'wrong separators', value: `00_${T}_${S}_01`, want: undefined },
    { desc: 'not hex', value: `00-${T.slice(1)}g-${S}-01`, want: undefined },
    { desc: 'empty', value: '', want: undefined },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = parseTraceparent(c.value);
      assert.deepEqual(got === undefined ? undefined : { traceId: got.traceId, spanId: got.spanId, traceFlags: got.traceFlags }, c.want);
      if (got) assert.equal(got.isRemote, true);
    });
  }

  it('formatTraceparent writes version 00 and round-trips', () => {
    assert.equal(formatTraceparent(T, S, true), `00-${T}-${S}-01`);
    assert.equal(formatTraceparent(T, S, false), `00-${T}-${S}-00`);
    assert.equal(parseTraceparent(formatTraceparent(T, S, true))?.traceId, T);
  });
});

describe('redactQuery', () => {
  const safe = new Set(['page', 'q x']);
  const cases: { desc: string; query: string; want: string }[] = [
    { desc: 'empty stays empty', query: '', want: '' },
    { desc: 'values redacted unless safe, order kept', query: 'token=abc&page=2&id=7', want: 'token=REDACTED&page=2&id=REDACTED' },
    { desc: 'a name without value is redacted too', query: 'flag&page=1', want: 'flag=REDACTED&page=1' },
    { desc: 'names are compared decoded', query: 'q+x=1&q%20x=2', want: 'q+x=1&q%20x=2' },
    { desc: 'empty pairs are kept as separators', query: 'a=1&&page=3', want: 'a=REDACTED&&page=3' },
    { desc: 'a bad escape in a name keeps the raw name', query: '%zz=1', want: '%zz=REDACTED' },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(redactQuery(c.query, safe), c.want));
});

describe('span statuses', () => {
  const cases: { desc: string; code: number; server: number; client: number }[] = [
    { desc: '200 is no error', code: 200, server: 0, client: 0 },
    { desc: '404 is an error for a client only', code: 404, server: 0, client: 2 },
    { desc: '502 is an error for both', code: 502, server: 2, client: 2 },
    { desc: 'an invalid code is an error', code: 0, server: 2, client: 2 },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      assert.equal(serverStatus(c.code).code, c.server);
      assert.equal(clientStatus(c.code).code, c.client);
    });
  }
});

describe('span names', () => {
  const cases: { desc: string; kind: string | undefined; want: string }[] = [
    { desc: 'Traefik type names that differ from the key', kind: 'errors', want: 'customError' },
    { desc: 'rateLimit', kind: 'rateLimit', want: 'RateLimiterType' },
    { desc: 'ipAllowList', kind: 'ipAllowList', want: 'IPAllowLister' },
    { desc: 'a plain one', kind: 'stripPrefix', want: 'StripPrefix' },
    { desc: 'a kind not listed: capitalised', kind: 'someNewThing', want: 'SomeNewThing' },
    { desc: 'unknown', kind: undefined, want: 'Middleware' },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(middlewareSpanName(c.kind), c.want));

  it('qualify uses the router provider for unqualified references', () => {
    assert.equal(qualify('auth', 'r@file'), 'auth@file');
    assert.equal(qualify('auth@docker', 'r@file'), 'auth@docker');
    assert.equal(qualify('auth', 'r'), 'auth');
  });
});
