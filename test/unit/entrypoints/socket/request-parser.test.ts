import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  HEAD_BARE_LF,
  HEAD_INCOMPLETE,
  hasToken,
  parseHead,
  resumePoint,
  scanHead,
  type ParsedHead,
} from '../../../../src/entrypoints/socket/request-parser.js';

function parse(text: string, maxCount = 100): ParsedHead | number {
  return parseHead(text, maxCount);
}

function ok(text: string): ParsedHead {
  const p = parse(text);
  if (typeof p === 'number') assert.fail(`refused: ${JSON.stringify(text)} -> ${p}`);
  return p;
}

void describe('scanHead', () => {
  const cases: { desc: string; input: string; want: number }[] = [
    { desc: 'complete head', input: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', want: 27 },
    { desc: 'complete head with body bytes after it', input: 'GET / HTTP/1.1\r\n\r\nbody', want: 18 },
    { desc: 'incomplete head', input: 'GET / HTTP/1.1\r\nHost: a\r\n', want: HEAD_INCOMPLETE },
    { desc: 'CR without LF yet', input: 'GET / HTTP/1.1\r\nHost: a\r\n\r', want: HEAD_INCOMPLETE },
    { desc: 'bare LF in a header line', input: 'GET / HTTP/1.1\r\nX: a\nY: b\r\n\r\n', want: HEAD_BARE_LF },
    { desc: 'bare LF as the head end', input: 'GET / HTTP/1.1\n\n', want: HEAD_BARE_LF },
    { desc: 'LF first', input: '\nGET / HTTP/1.1\r\n\r\n', want: HEAD_BARE_LF },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const b = Buffer.from(c.input, 'latin1');
      assert.equal(scanHead(b, 0, 0, b.length), c.want);
    });
  }

  void it('resumes where a previous scan stopped, a byte at a time', () => {
    const text = 'GET / HTTP/1.1\r\nHost: a\r\nX-Long: ' + 'v'.repeat(50) + '\r\n\r\n';
    const full = Buffer.from(text, 'latin1');
    let from = 0;
    for (let n = 1; n <= full.length; n++) {
      const r = scanHead(full, 0, from, n);
      if (n < full.length) {
        assert.equal(r, HEAD_INCOMPLETE, `at ${n}`);
        from = resumePoint(full.subarray(0, n), from, n);
      } else {
        assert.equal(r, full.length);
      }
    }
  });
});

void describe('parseHead: accepted heads', () => {
  void it('request line, headers in order, values trimmed', () => {
    const p = ok('GET /a?b=1 HTTP/1.1\r\nHost: a.test\r\nX-A:  v1 \t\r\nx-a: v2\r\n\r\n');
    assert.equal(p.method, 'GET');
    assert.equal(p.target, '/a?b=1');
    assert.equal(p.minor, 1);
    assert.deepEqual(p.raw, ['Host', 'a.test', 'X-A', 'v1', 'x-a', 'v2']);
    assert.equal(p.keepAlive, true);
    assert.equal(p.contentLength, -1);
  });

  const cases: { desc: string; head: string; check: (p: ParsedHead) => void }[] = [
    { desc: 'any token method', head: "M-SEARCH! * HTTP/1.1\r\nHost: a\r\n\r\n", check: (p) => assert.equal(p.method, 'M-SEARCH!') },
    { desc: 'absolute-form target', head: 'GET http://x.test/p HTTP/1.1\r\nHost: a\r\n\r\n', check: (p) => assert.equal(p.target, 'http://x.test/p') },
    { desc: 'HTTP/1.0 closes by default', head: 'GET / HTTP/1.0\r\n\r\n', check: (p) => assert.equal(p.keepAlive, false) },
    { desc: 'HTTP/1.0 keep-alive', head: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', check: (p) => assert.equal(p.keepAlive, true) },
    { desc: 'HTTP/1.1 Connection: close', head: 'GET / HTTP/1.1\r\nConnection: x, close\r\n\r\n', check: (p) => assert.equal(p.keepAlive, false) },
    { desc: 'Content-Length', head: 'POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n', check: (p) => assert.equal(p.contentLength, 12) },
    { desc: 'chunked', head: 'POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n', check: (p) => assert.equal(p.chunked, true) },
    {
      desc: 'gzip transfer coding is not chunked (answered 501 by the connection)',
      head: 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      check: (p) => assert.deepEqual([p.chunked, p.hasTransferEncoding], [false, true]),
    },
    {
      desc: 'upgrade needs Connection: upgrade and Upgrade',
      head: 'GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      check: (p) => assert.equal(p.upgrade, true),
    },
    { desc: 'Upgrade alone is no upgrade', head: 'GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n', check: (p) => assert.equal(p.upgrade, false) },
    { desc: 'Expect: 100-continue', head: 'PUT / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n', check: (p) => assert.equal(p.expectContinue, true) },
    { desc: 'other expectation', head: 'PUT / HTTP/1.1\r\nExpect: foo\r\n\r\n', check: (p) => assert.equal(p.unknownExpectation, true) },
    { desc: 'obs-text in a value', head: 'GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n', check: (p) => assert.equal(p.raw[1], 'caf\xe9') },
    { desc: 'empty value', head: 'GET / HTTP/1.1\r\nX:\r\n\r\n', check: (p) => assert.deepEqual(p.raw, ['X', '']) },
  ];
  for (const c of cases) void it(c.desc, () => c.check(ok(c.head)));
});

void describe('parseHead: refused heads', () => {
  const cases: { desc: string; head: string; status: number; max?: number }[] = [
    { desc: 'no version', head: 'GET /\r\n\r\n', status: 400 },
    { desc: 'space in method', head: 'G T / HTTP/1.1\r\n\r\n', status: 400 },
    { desc: 'two spaces', head: 'GET  / HTTP/1.1\r\n\r\n', status: 400 },
    { desc: 'control byte in target', head: 'GET /\x01 HTTP/1.1\r\n\r\n', status: 400 },
    { desc: 'lower-case version', head: 'GET / http/1.1\r\n\r\n', status: 400 },
    { desc: 'HTTP/1.2', head: 'GET / HTTP/1.2\r\n\r\n', status: 400 },
    { desc: 'HTTP/0.9', head: 'GET / HTTP/0.9\r\n\r\n', status: 400 },
    { desc: 'HTTP/2.0', head: 'GET / HTTP/2.0\r\n\r\n', status: 505 },
    { desc: 'trailing garbage after version', head: 'GET / HTTP/1.1x\r\n\r\n', status: 400 },
    { desc: 'space before colon', head: 'GET / HTTP/1.1\r\nX : a\r\n\r\n', status: 400 },
    { desc: 'empty header name', head: 'GET / HTTP/1.1\r\n: a\r\n\r\n', status: 400 },
    { desc: 'obsolete folding', head: 'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', status: 400 },
    { desc: 'control byte in value', head: 'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', status: 400 },
    { desc: 'DEL in value', head: 'GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n', status: 400 },
    { desc: 'CR alone in value', head: 'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n', status: 400 },
    { desc: 'non-numeric Content-Length', head: 'POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n', status: 400 },
    { desc: 'signed Content-Length', head: 'POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n', status: 400 },
    { desc: 'empty Content-Length', head: 'POST / HTTP/1.1\r\nContent-Length:\r\n\r\n', status: 400 },
    { desc: 'Content-Length list', head: 'POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n', status: 400 },
    { desc: 'duplicate Content-Length', head: 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n', status: 400 },
    { desc: 'CL and TE', head: 'POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', status: 400 },
    { desc: 'too many fields', head: 'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', status: 431, max: 2 },
  ];
  for (const c of cases) {
    void it(`${c.desc} -> ${c.status}`, () => assert.equal(parse(c.head, c.max ?? 100), c.status));
  }
});

void describe('hasToken', () => {
  const cases: { desc: string; list: string; token: string; want: boolean }[] = [
    { desc: 'single', list: 'close', token: 'close', want: true },
    { desc: 'case and spaces', list: ' Keep-Alive , Upgrade', token: 'upgrade', want: true },
    { desc: 'substring is not a token', list: 'closed', token: 'close', want: false },
    { desc: 'empty list', list: '', token: 'close', want: false },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(hasToken(c.list, c.token), c.want));
});
