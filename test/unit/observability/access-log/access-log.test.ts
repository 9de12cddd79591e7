/**
 * Golden lines of the access log: Traefik's common, genericCLF and JSON formats, field and header
 * modes, filters, internal routers. The part is driven directly (begin/finish) with an exchange
 * object and a RequestRecord as the data path fills them.
 */
process.env.TZ = 'Etc/GMT+9'; // StartLocal / CLF local time at -09:00, as Traefik's own tests

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccessLogConfig, AccessLogFields } from '../../../../src/config/static/sections/access-log.js';
import type { Exchange, TlsInfo } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { createAccessLogPart } from '../../../../src/observability/access-log/index.js';
import { RequestRecord } from '../../../../src/observability/request-record.js';

/** 10 Nov 2009 23:00:00.123456 UTC, Traefik's test date. */
const START = Date.UTC(2009, 10, 10, 23, 0, 0) + 123.456;
const NOW = Date.UTC(2009, 10, 10, 23, 0, 1);

const DEFAULT_FIELDS: AccessLogFields = { defaultMode: 'keep', names: {}, headers: { defaultMode: 'drop', names: {} } };

function config(over: Partial<AccessLogConfig> = {}): AccessLogConfig {
  return { filePath: undefined, format: 'common', bufferingSize: 0, addInternals: false, filters: undefined, fields: DEFAULT_FIELDS, ...over };
}

interface Request {
  method?: string;
  path?: string;
  query?: string | null;
  host?: string;
  headers?: string[];
  routerName?: string | undefined;
  tls?: TlsInfo | null;
  httpVersion?: '1.0' | '1.1' | '2.0';
}

function exchange(r: Request = {}): Exchange {
  const path = r.path ?? '/foo';
  return {
    method: r.method ?? 'GET',
    path,
    query: r.query === undefined ? 'x=1' : r.query,
    routingPath: path,
    host: r.host ?? 'example.com:8080',
    httpVersion: r.httpVersion ?? '1.1',
    headers: new HeaderList(r.headers ?? ['Host', 'example.com:8080', 'user-agent', 'curl/8.5', 'Referer', 'http://ref.example/']),
    body: null,
    peer: { address: '10.0.0.1', port: 41234 },
    tls: r.tls ?? null,
    entryPoint: 'web',
    upgrade: null,
    response: undefined as unknown as Exchange['response'],
    routerName: 'routerName' in r ? r.routerName : 'r@file',
    record: null,
    startedAt: START - performance.timeOrigin,
  };
}

/** A request through the part: begin, what the data path records, finish; returns the lines. */
function run(cfg: AccessLogConfig, r: Request = {}, fill?: (rec: RequestRecord, ex: Exchange) => void, status = 200, durationMs = 12.5): string[] {
  const lines: string[] = [];
  const part = createAccessLogPart(cfg, { append: (l) => lines.push(l) }, { now: () => NOW });
  const ex = exchange(r);
  const rec = new RequestRecord();
  ex.record = rec;
  part.begin?.(ex, rec);
  // Middlewares may rewrite the path: the line shows the one that arrived.
  ex.path = '/rewritten';
  if (ex.routerName !== undefined) {
    rec.serviceName = 'svc@file';
    rec.serviceUrl = 'http://127.0.0.1:8081';
    rec.originStatus = status;
    rec.originDuration = 10;
    rec.originContentSize = 5;
  }
  rec.downstreamContentSize = 5;
  fill?.(rec, ex);
  rec.downstreamStatus = status;
  part.finish?.(ex, rec, status, durationMs);
  return lines;
}

void describe('access log formats (golden lines)', () => {
  const cases: { desc: string; cfg: AccessLogConfig; req?: Request; fill?: (rec: RequestRecord, ex: Exchange) => void; status?: number; want: string }[] = [
    {
      desc: 'common, defaults: headers dropped so Referer and User-Agent are "-"',
      cfg: config(),
      want: '10.0.0.1 - - [10/Nov/2009:23:00:00 +0000] "GET /foo?x=1 HTTP/1.1" 200 5 "-" "-" 1 "r@file" "http://127.0.0.1:8081" 12ms\n',
    },
    {
      desc: 'common with Referer and User-Agent kept, a user name and a retried request',
      cfg: config({ fields: { ...DEFAULT_FIELDS, headers: { defaultMode: 'drop', names: { 'User-Agent': 'keep', referer: 'keep' } } } }),
      fill: (rec) => {
        rec.clientUsername = 'alice';
        rec.retryAttempts = 2;
      },
      want: '10.0.0.1 - alice [10/Nov/2009:23:00:00 +0000] "GET /foo?x=1 HTTP/1.1" 200 5 "http://ref.example/" "curl/8.5" 1 "r@file" "http://127.0.0.1:8081" 12ms\n',
    },
    {
      desc: 'common, no router matched (404): router and service URL are "-"',
      cfg: config(),
      req: { routerName: undefined, query: null, path: '/nope' },
      status: 404,
      want: '10.0.0.1 - - [10/Nov/2009:23:00:00 +0000] "GET /nope HTTP/1.1" 404 5 "-" "-" 1 "-" "-" 12ms\n',
    },
    {
      desc: 'common, StartUTC dropped: the local start time is shown; Duration dropped shows 0ms',
      cfg: config({ fields: { ...DEFAULT_FIELDS, names: { StartUTC: 'drop', duration: 'drop' } } }),
      want: '10.0.0.1 - - [10/Nov/2009:14:00:00 -0900] "GET /foo?x=1 HTTP/1.1" 200 5 "-" "-" 1 "r@file" "http://127.0.0.1:8081" 0ms\n',
    },
    {
      desc: 'common, every field dropped: placeholders only',
      cfg: config({ fields: { ...DEFAULT_FIELDS, defaultMode: 'drop' } }),
      want: '- - - [-] "- - -" - - "-" "-" - "-" "-" 0ms\n',
    },
    {
      desc: 'common, X-Forwarded-For (already trusted by the entry point) is the client host',
      cfg: config(),
      req: { headers: ['X-Forwarded-For', '203.0.113.7, 10.0.0.9'], httpVersion: '2.0', method: 'POST', query: '' },
      want: '203.0.113.7, 10.0.0.9 - - [10/Nov/2009:23:00:00 +0000] "POST /foo? HTTP/2.0" 200 5 "-" "-" 1 "r@file" "http://127.0.0.1:8081" 12ms\n',
    },
    {
      desc: 'genericCLF: the combined log format',
      cfg: config({ format: 'genericCLF', fields: { ...DEFAULT_FIELDS, headers: { defaultMode: 'keep', names: {} } } }),
      want: '10.0.0.1 - - [10/Nov/2009:23:00:00 +0000] "GET /foo?x=1 HTTP/1.1" 200 5 "http://ref.example/" "curl/8.5"\n',
    },
    {
      desc: 'json, defaults: sorted keys, durations in ns, level/msg/time added',
      cfg: config({ format: 'json' }),
      want:
        '{"ClientAddr":"10.0.0.1:41234","ClientHost":"10.0.0.1","ClientPort":"41234","ClientUsername":"-","DownstreamContentSize":5,' +
        '"DownstreamStatus":200,"Duration":12500000,"OriginContentSize":5,"OriginDuration":10000000,"OriginStatus":200,"Overhead":2500000,' +
        '"RequestAddr":"example.com:8080","RequestContentSize":0,"RequestCount":1,"RequestHost":"example.com","RequestMethod":"GET",' +
        '"RequestPath":"/foo?x=1","RequestPort":"8080","RequestProtocol":"HTTP/1.1","RequestScheme":"http","RetryAttempts":0,' +
        '"RouterName":"r@file","ServiceAddr":"127.0.0.1:8081","ServiceName":"svc@file","ServiceURL":"http://127.0.0.1:8081",' +
        '"StartLocal":"2009-11-10T14:00:00.123456-09:00","StartUTC":"2009-11-10T23:00:00.123456Z","level":"info","msg":"","time":"2009-11-10T14:00:01-09:00"}\n',
    },
    {
      desc: 'json, few fields kept; headers kept, dropped and redacted under their prefixes; GzipRatio; trace ids',
      cfg: config({
        format: 'json',
        fields: {
          defaultMode: 'drop',
          names: { DownstreamStatus: 'keep', GzipRatio: 'keep', RequestPort: 'keep', TraceId: 'keep', SpanId: 'keep', RequestPath: 'keep' },
          headers: { defaultMode: 'keep', names: { authorization: 'redact', 'x-secret': 'drop' } },
        },
      }),
      req: { host: 'example.com', path: '/a<b>', query: null, headers: ['Authorization', 'Basic Zm9v', 'X-Secret', 's', 'Accept', 'a', 'accept', 'b'] },
      fill: (rec) => {
        rec.downstreamContentSize = 2;
        rec.trace = { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708' };
        rec.originHeaders = new HeaderList(['Content-Type', 'text/plain', 'Content-Length', '5']);
        rec.downstreamHeaders = new HeaderList(['content-type', 'text/plain', 'content-encoding', 'gzip']);
      },
      want:
        '{"DownstreamStatus":200,"GzipRatio":2.5,"RequestPath":"/a\\u003cb\\u003e","RequestPort":"-","SpanId":"0102030405060708",' +
        '"TraceId":"0102030405060708090a0b0c0d0e0f10","downstream_Content-Encoding":"gzip","downstream_Content-Type":"text/plain",' +
        '"level":"info","msg":"","origin_Content-Length":"5","origin_Content-Type":"text/plain",' +
        '"request_Accept":"a,b","request_Authorization":"REDACTED","time":"2009-11-10T14:00:01-09:00"}\n',
    },
    {
      desc: 'json over TLS: scheme, Go version and cipher names',
      cfg: config({ format: 'json', fields: { defaultMode: 'drop', names: { RequestScheme: 'keep', TLSVersion: 'keep', TLSCipher: 'keep' }, headers: { defaultMode: 'drop', names: {} } } }),
      req: { tls: { servername: 'example.com', protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', alpn: undefined } },
      want: '{"RequestScheme":"https","TLSCipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","TLSVersion":"1.2","level":"info","msg":"","time":"2009-11-10T14:00:01-09:00"}\n',
    },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.deepEqual(run(c.cfg, c.req, c.fill, c.status ?? 200), [c.want]));
  }

  void it('RequestCount counts every request of the process, logged or not', () => {
    const lines: string[] = [];
    const part = createAccessLogPart(config({ format: 'json', filters: { statusCodes: ['500-599'], retryAttempts: false, minDuration: 0 } }), { append: (l) => lines.push(l) });
    for (const status of [200, 502, 200, 503]) {
      const ex = exchange();
      const rec = new RequestRecord();
      ex.record = rec;
      part.begin?.(ex, rec);
      part.finish?.(ex, rec, status, 1);
    }
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { RequestCount: number }).RequestCount),
      [2, 4],
    );
  });
});

void describe('access log filters and internals', () => {
  const f = (statusCodes: string[], retryAttempts = false, minDuration = 0): AccessLogConfig['filters'] => ({ statusCodes, retryAttempts, minDuration });
  const cases: { desc: string; filters: AccessLogConfig['filters']; status: number; retries: number; durationMs: number; kept: boolean }[] = [
    { desc: 'no filters: kept', filters: undefined, status: 200, retries: 0, durationMs: 1, kept: true },
    { desc: 'empty filters: kept', filters: f([], false, 0), status: 200, retries: 0, durationMs: 1, kept: true },
    { desc: 'status in a range', filters: f(['200', '300-302']), status: 301, retries: 0, durationMs: 1, kept: true },
    { desc: 'status in a comma list', filters: f(['400,404']), status: 404, retries: 0, durationMs: 1, kept: true },
    { desc: 'status outside the ranges', filters: f(['200', '300-302']), status: 303, retries: 0, durationMs: 1, kept: false },
    { desc: 'retried request with retryAttempts', filters: f(['500'], true, 0), status: 200, retries: 1, durationMs: 1, kept: true },
    { desc: 'not retried, retryAttempts only', filters: f([], true, 0), status: 200, retries: 0, durationMs: 1, kept: false },
    { desc: 'slower than minDuration', filters: f([], false, 10), status: 200, retries: 0, durationMs: 10.5, kept: true },
    { desc: 'exactly minDuration is not slower', filters: f([], false, 10), status: 200, retries: 0, durationMs: 10, kept: false },
    { desc: 'any filter matching keeps the line', filters: f(['500'], true, 100), status: 200, retries: 0, durationMs: 101, kept: true },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const lines = run(config({ filters: c.filters }), {}, (rec) => (rec.retryAttempts = c.retries), c.status, c.durationMs);
      assert.equal(lines.length, c.kept ? 1 : 0);
    });
  }

  void it('leaves internal routers out unless addInternals', () => {
    assert.equal(run(config(), { routerName: 'ping@internal' }).length, 0);
    assert.equal(run(config({ addInternals: true }), { routerName: 'ping@internal' }).length, 1);
  });
});
