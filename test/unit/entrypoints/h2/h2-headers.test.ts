import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { mergeTrailers, readRequestHead, responseHeaderBlock, trailerBlock } from '../../../../src/entrypoints/h2/h2-headers.js';

describe('readRequestHead', () => {
  it('takes the pseudo-headers out and keeps the rest in order', () => {
    const h = readRequestHead([':method', 'POST', ':path', '/a?b', ':scheme', 'https', ':authority', 'x.test', 'accept', '*/*', 'x-a', '1']);
    assert.equal(h.method, 'POST');
    assert.equal(h.path, '/a?b');
    assert.equal(h.authority, 'x.test');
    assert.equal(h.hostCount, 0);
    assert.deepEqual(h.headers.raw, ['accept', '*/*', 'x-a', '1']);
  });

  const cookieCases = [
    { desc: 'one cookie field', raw: ['cookie', 'a=1'], want: ['cookie', 'a=1'] },
    { desc: 'split cookie fields are joined with "; " at the first one', raw: ['cookie', 'a=1', 'x', 'y', 'cookie', 'b=2', 'cookie', 'c=3'], want: ['cookie', 'a=1; b=2; c=3', 'x', 'y'] },
    { desc: 'no cookie', raw: ['x', 'y'], want: ['x', 'y'] },
  ];
  for (const c of cookieCases) {
    it(`cookies: ${c.desc}`, () => {
      assert.deepEqual(readRequestHead([':method', 'GET', ':path', '/', ...c.raw]).headers.raw, c.want);
    });
  }

  it('counts host fields and keeps the first', () => {
    const h = readRequestHead([':method', 'GET', ':path', '/', 'host', 'a', 'host', 'b']);
    assert.equal(h.authority, undefined);
    assert.equal(h.host, 'a');
    assert.equal(h.hostCount, 2);
  });

  it('CONNECT without :path gives an empty path', () => {
    assert.equal(readRequestHead([':method', 'CONNECT', ':authority', 'x:443']).path, '');
  });
});

describe('responseHeaderBlock', () => {
  it('drops connection-specific fields, lower-cases names and groups repeated ones', () => {
    const b = responseHeaderBlock(201, [
      'Connection', 'close', 'Keep-Alive', 'x', 'Transfer-Encoding', 'chunked', 'Upgrade', 'h2c', 'Proxy-Connection', 'x', 'TE', 'trailers',
      'Set-Cookie', 'a', 'set-cookie', 'b', 'X-One', '1', 'Content-Type', 'text/plain', 'content-type', 'text/html', 'Trailer', 'grpc-status',
    ]);
    assert.deepEqual({ ...b }, {
      ':status': 201,
      'set-cookie': ['a', 'b'],
      'x-one': '1',
      'content-type': 'text/plain',
      trailer: 'grpc-status',
    });
  });

  const bad = [
    { desc: 'CR LF in a value', raw: ['x', 'a\r\nb'] },
    { desc: 'a space in a name', raw: ['x y', 'a'] },
    { desc: 'an empty name', raw: ['', 'a'] },
    { desc: 'a code point above 0xFF', raw: ['x', 'é€'] },
  ];
  for (const c of bad) {
    it(`throws TPK_ERR_INTERNAL on ${c.desc}`, () => {
      assert.throws(() => responseHeaderBlock(200, c.raw), { code: 'TPK_ERR_INTERNAL' });
    });
  }

  it('pseudo-headers from a handler are ignored', () => {
    assert.deepEqual({ ...responseHeaderBlock(200, [':status', '500', 'a', 'b']) }, { ':status': 200, a: 'b' });
  });
});

describe('trailerBlock / mergeTrailers', () => {
  it('keeps valid trailers, drops forbidden and invalid ones', () => {
    const t = trailerBlock(new HeaderList(['Grpc-Status', '0', 'Content-Length', '3', 'X-Bad', 'a\nb', 'x-m', '1', 'X-M', '2', 'Host', 'h']));
    assert.deepEqual({ ...t }, { 'grpc-status': '0', 'x-m': ['1', '2'] });
  });

  it('is null when nothing is left', () => {
    assert.equal(trailerBlock(undefined), null);
    assert.equal(trailerBlock(new HeaderList()), null);
    assert.equal(trailerBlock(new HeaderList(['Content-Length', '1'])), null);
  });

  it('merges trailers into a head for a trailers-only answer, the head winning on a clash', () => {
    const head = responseHeaderBlock(200, ['content-type', 'application/grpc', 'grpc-status', '2']);
    mergeTrailers(head, trailerBlock(new HeaderList(['grpc-status', '5', 'grpc-message', 'x'])) ?? {});
    assert.deepEqual({ ...head }, { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '2', 'grpc-message': 'x' });
  });
});
