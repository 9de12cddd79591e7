import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseContentLength, ResponseParser, type ResponseSink } from '../../../src/proxy/response-parser.js';

interface Outcome {
  heads: { status: number; headers: string[] }[];
  info: { status: number; headers: string[] }[];
  body: string;
  complete: number;
  trailers: string[] | null;
  upgrade: { head: string; rest: string } | null;
  error: string;
  keepAlive: boolean;
  trailingData: boolean;
}

class Recorder implements ResponseSink {
  readonly out: Outcome = { heads: [], info: [], body: '', complete: 0, trailers: null, upgrade: null, error: '', keepAlive: false, trailingData: false };
  onResponseHead(status: number, headers: string[]): void {
    this.out.heads.push({ status, headers: headers.slice() });
  }
  onResponseInfo(status: number, headers: string[]): void {
    this.out.info.push({ status, headers: headers.slice() });
  }
  onResponseBody(chunk: Buffer): void {
    this.out.body += chunk.toString('latin1');
  }
  onResponseTrailers(trailers: string[]): void {
    assert.equal(this.out.complete, 0, 'trailers come before completion');
    this.out.trailers = trailers.slice();
  }
  onResponseComplete(): void {
    this.out.complete++;
  }
  onResponseUpgrade(rawHead: Buffer, rest: Buffer): void {
    this.out.upgrade = { head: rawHead.toString('latin1'), rest: rest.toString('latin1') };
  }
}

/** Feed `input` split at `cuts`; `end` = the server closed afterwards. */
function run(input: string, cuts: number[] = [], opts: { head?: boolean; end?: boolean } = {}): Outcome {
  const rec = new Recorder();
  const p = new ResponseParser(rec);
  p.reset(opts.head ?? false);
  const buf = Buffer.from(input, 'latin1');
  const points = [...new Set(cuts.filter((c) => c > 0 && c < buf.length))].sort((a, b) => a - b);
  let prev = 0;
  for (const c of [...points, buf.length]) {
    if (c === prev) continue;
    if (!p.execute(buf.subarray(prev, c))) {
      rec.out.error = p.error;
      break;
    }
    prev = c;
  }
  if (opts.end === true && rec.out.error === '') p.finish();
  rec.out.keepAlive = p.keepAlive;
  rec.out.trailingData = p.trailingData;
  return rec.out;
}

const cases: { desc: string; input: string; head?: boolean; end?: boolean; status?: number; headers?: string[]; body?: string; complete?: number; keepAlive?: boolean; error?: RegExp; trailing?: boolean; trailers?: string[] | null }[] = [
  { desc: 'content-length body', input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello', status: 200, headers: ['Content-Length', '5', 'X-A', 'b'], body: 'hello', keepAlive: true },
  { desc: 'empty reason phrase and missing reason', input: 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', status: 404, body: '' },
  { desc: 'optional whitespace around values trimmed, tabs kept inside', input: 'HTTP/1.1 200 OK\r\nX-A: \t a\tb \t\r\nContent-Length: 0\r\n\r\n', headers: ['X-A', 'a\tb', 'Content-Length', '0'] },
  { desc: 'obs-text (bytes >= 0x80) allowed in values', input: 'HTTP/1.1 200 OK\r\nX-A: caf\xe9\r\nContent-Length: 0\r\n\r\n', headers: ['X-A', 'caf\xe9', 'Content-Length', '0'] },
  { desc: 'chunked body decoded, extensions skipped, trailers handed on', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n', headers: [], body: 'hello world', keepAlive: true, trailers: ['X-T', '1'] },
  { desc: 'trailers: several, values trimmed, hop-by-hop and framing ones dropped', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\ngrpc-status: 0\r\nContent-Length: 9\r\nConnection: close\r\ngrpc-message:  all good \t\r\nHost: x\r\n\r\n', body: 'a', trailers: ['grpc-status', '0', 'grpc-message', 'all good'] },
  { desc: 'trailers: none is null', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', body: '', trailers: null },
  { desc: 'trailers: only dropped ones is null', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nKeep-Alive: 1\r\n\r\n', body: '', trailers: null },
  { desc: 'error: trailer without a colon', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnope\r\n\r\n', error: /bad trailer/ },
  { desc: 'error: trailer name with a space', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX T: 1\r\n\r\n', error: /bad trailer/ },
  { desc: 'chunk sizes in upper-case hex', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n', body: '0123456789' },
  { desc: 'HEAD: no body despite Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', head: true, headers: ['Content-Length', '100'], body: '', keepAlive: true },
  { desc: '204: no body', input: 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n', status: 204, body: '' },
  { desc: '304: no body', input: 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', status: 304, body: '' },
  { desc: 'close-delimited body ends with the connection', input: 'HTTP/1.1 200 OK\r\n\r\nall of it', end: true, body: 'all of it', keepAlive: false },
  { desc: 'close-delimited body incomplete until the close', input: 'HTTP/1.1 200 OK\r\n\r\npart', body: 'part', complete: 0 },
  { desc: 'HTTP/1.0 without keep-alive closes', input: 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', keepAlive: false },
  { desc: 'HTTP/1.0 with Connection: keep-alive stays', input: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', keepAlive: true, headers: ['Content-Length', '0'] },
  { desc: 'Connection: close', input: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', keepAlive: false },
  { desc: 'hop-by-hop and Connection-listed headers removed', input: 'HTTP/1.1 200 OK\r\nConnection: X-Priv, keep-alive\r\nX-Priv: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\nTE: x\r\nTrailer: X-T\r\nUpgrade: h2\r\nProxy-Connection: x\r\nX-Pub: 2\r\nContent-Length: 0\r\n\r\n', headers: ['X-Pub', '2', 'Content-Length', '0'] },
  { desc: 'TE and CL together: TE wins, CL dropped, no reuse', input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n', headers: [], body: 'ab', keepAlive: false },
  { desc: 'non-chunked Transfer-Encoding reads until close', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz', end: true, body: 'zz', keepAlive: false },
  { desc: 'repeated identical Content-Length accepted', input: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab', body: 'ab' },
  { desc: 'Content-Length list of equal values normalised', input: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nab', headers: ['Content-Length', '2'], body: 'ab' },
  { desc: '1xx skipped', input: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx', status: 201, body: 'x' },
  { desc: 'bytes after a complete response are flagged', input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA', body: 'x', trailing: true },
  { desc: 'error: not HTTP', input: 'SSH-2.0-OpenSSH\r\n\r\n', error: /bad status line/ },
  { desc: 'error: HTTP/2 status line', input: 'HTTP/2 200\r\n\r\n', error: /bad status line/ },
  { desc: 'error: two-digit status', input: 'HTTP/1.1 20 OK\r\n\r\n', error: /bad status line/ },
  { desc: 'error: bare LF inside a value', input: 'HTTP/1.1 200 OK\r\nX-A: a\nb\r\n\r\n', error: /bad header value/ },
  { desc: 'error: bare CR inside a value', input: 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n', error: /bad header value/ },
  { desc: 'error: NUL in a value', input: 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n', error: /bad header value/ },
  { desc: 'error: control character in the reason', input: 'HTTP/1.1 200 O\x01K\r\n\r\n', error: /bad reason/ },
  { desc: 'error: space before the colon', input: 'HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n', error: /bad header line/ },
  { desc: 'error: obs-fold', input: 'HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n', error: /bad header line/ },
  { desc: 'error: invalid name character', input: 'HTTP/1.1 200 OK\r\nX(A): b\r\n\r\n', error: /bad header line/ },
  { desc: 'error: conflicting Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', error: /content-length/ },
  { desc: 'error: signed Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n', error: /content-length/ },
  { desc: 'error: bad chunk size', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', error: /chunk size/ },
  { desc: 'error: chunk longer than announced', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', error: /chunk data/ },
  { desc: 'error: huge chunk size', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n', error: /chunk size too long/ },
];

function check(c: (typeof cases)[number], out: Outcome): void {
  if (c.error !== undefined) {
    assert.match(out.error, c.error);
    assert.equal(out.complete, 0);
    return;
  }
  assert.equal(out.error, '');
  assert.equal(out.heads.length, 1);
  const head = out.heads[0] as { status: number; headers: string[] };
  if (c.status !== undefined) assert.equal(head.status, c.status);
  if (c.headers !== undefined) assert.deepEqual(head.headers, c.headers);
  if (c.body !== undefined) assert.equal(out.body, c.body);
  assert.equal(out.complete, c.complete ?? 1);
  if (c.keepAlive !== undefined) assert.equal(out.keepAlive, c.keepAlive);
  assert.equal(out.trailingData, c.trailing ?? false);
  if (c.trailers !== undefined) assert.deepEqual(out.trailers, c.trailers);
}

void describe('ResponseParser', () => {
  for (const c of cases) {
    void it(`${c.desc} (whole)`, () => check(c, run(c.input, [], c)));
    void it(`${c.desc} (byte by byte)`, () => {
      check(c, run(c.input, Array.from({ length: c.input.length }, (_, i) => i), c));
    });
  }

  void it('property: any split of the input gives the same outcome', () => {
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.array(fc.nat({ max: 300 }), { maxLength: 8 }), (c, cuts) => {
        check(c, run(c.input, cuts, c));
      }),
    );
  });

  void it('102 and 103 heads are handed on, 100 is skipped', () => {
    const out = run('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(out.info, [
      { status: 102, headers: [] },
      { status: 103, headers: ['Link', '</a.css>; rel=preload'] },
    ]);
    assert.equal(out.heads[0]?.status, 200);
  });

  void it('101 hands over the raw head and the bytes after it', () => {
    const out = run('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello', [40]);
    assert.deepEqual(out.upgrade, {
      head: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      rest: '\x81\x05hello',
    });
    assert.equal(out.heads.length, 0);
  });

  void it('body chunks are views of the input (zero copy) for content-length bodies', () => {
    const chunks: Buffer[] = [];
    const sink: ResponseSink = {
      onResponseHead() {},
      onResponseInfo() {},
      onResponseBody: (c) => chunks.push(c),
      onResponseTrailers() {},
      onResponseComplete() {},
      onResponseUpgrade() {},
    };
    const p = new ResponseParser(sink);
    p.reset(false);
    const input = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
    assert.ok(p.execute(input));
    assert.equal(chunks.length, 1);
    assert.equal((chunks[0] as Buffer).buffer, input.buffer);
  });

  void it('a response head over the size limit is rejected', () => {
    const p = new ResponseParser(new Recorder());
    p.reset(false);
    assert.ok(p.execute(Buffer.from('HTTP/1.1 200 OK\r\n')));
    const filler = Buffer.from(`X-A: ${'a'.repeat(1000)}\r\n`);
    let ok = true;
    for (let i = 0; i < 1100 && ok; i++) ok = p.execute(filler);
    assert.equal(ok, false);
    assert.match(p.error, /too large/);
  });

  void it('is reusable across responses on one connection', () => {
    const rec = new Recorder();
    const p = new ResponseParser(rec);
    for (let i = 0; i < 3; i++) {
      p.reset(false);
      assert.ok(p.execute(Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${i}`)));
      assert.ok(p.complete);
    }
    assert.equal(rec.out.body, '012');
    assert.equal(rec.out.complete, 3);
  });
});

void describe('parseContentLength', () => {
  const table = [
    { desc: 'digits', v: '123', want: 123 },
    { desc: 'zero', v: '0', want: 0 },
    { desc: 'equal list', v: '5, 5,5', want: 5 },
    { desc: 'differing list', v: '5, 6', want: -1 },
    { desc: 'empty', v: '', want: -1 },
    { desc: 'sign', v: '-1', want: -1 },
    { desc: 'hex', v: '0x10', want: -1 },
    { desc: 'too large', v: '99999999999999999999', want: -1 },
  ];
  for (const c of table) void it(c.desc, () => assert.equal(parseContentLength(c.v), c.want));
});
