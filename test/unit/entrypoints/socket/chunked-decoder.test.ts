import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedDecoder } from '../../../../src/entrypoints/socket/chunked-decoder.js';

/** Decode `input` fed in pieces of `step` bytes; returns the body, or null on an error. */
function decode(input: string, step: number, maxTrailer = 1024): { body: string; done: boolean; rest: string } | null {
  const dec = new ChunkedDecoder(maxTrailer);
  const parts: Buffer[] = [];
  const sink = { pushBody: (b: Buffer): void => void parts.push(Buffer.from(b)) };
  const all = Buffer.from(input, 'latin1');
  for (let i = 0; i < all.length; i += step) {
    const piece = all.subarray(i, Math.min(all.length, i + step));
    const stop = dec.decode(piece, 0, piece.length, sink);
    if (stop < 0) return null;
    if (dec.done) {
      const rest = Buffer.concat([piece.subarray(stop), all.subarray(i + step)]).toString('latin1');
      return { body: Buffer.concat(parts).toString('latin1'), done: true, rest };
    }
  }
  return { body: Buffer.concat(parts).toString('latin1'), done: dec.done, rest: '' };
}

void describe('ChunkedDecoder', () => {
  const good: { desc: string; input: string; body: string; rest?: string }[] = [
    { desc: 'two chunks', input: '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n', body: 'abcde' },
    { desc: 'hex sizes, upper and lower case', input: 'A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n', body: '0123456789abcdefghijk' },
    { desc: 'chunk extensions are skipped', input: '3;name=v\r\nabc\r\n0;x\r\n\r\n', body: 'abc' },
    { desc: 'trailers are read and dropped', input: '1\r\na\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n', body: 'a' },
    { desc: 'bytes after the body are left', input: '1\r\na\r\n0\r\n\r\nGET / HTTP/1.1', body: 'a', rest: 'GET / HTTP/1.1' },
  ];
  for (const c of good) {
    for (const step of [1, 2, 7, 1000]) {
      void it(`${c.desc} (pieces of ${step})`, () => {
        const r = decode(c.input, step);
        assert.ok(r !== null, 'decoded');
        assert.equal(r.body, c.body);
        assert.equal(r.done, true);
        assert.equal(r.rest, c.rest ?? '');
      });
    }
  }

  const bad: { desc: string; input: string }[] = [
    { desc: 'no size', input: '\r\nabc\r\n0\r\n\r\n' },
    { desc: 'space after size', input: '3 \r\nabc\r\n0\r\n\r\n' },
    { desc: 'bare LF after size', input: '3\nabc\r\n0\r\n\r\n' },
    { desc: 'data longer than the size', input: '3\r\nabcd\r\n0\r\n\r\n' },
    { desc: 'bare LF after data', input: '3\r\nabc\n0\r\n\r\n' },
    { desc: 'size overflow', input: 'fffffffffffffffff\r\n' },
    { desc: 'control byte in an extension', input: '3;\x01\r\nabc\r\n0\r\n\r\n' },
    { desc: 'bare LF in a trailer', input: '0\r\nX: a\n\r\n' },
    { desc: 'trailers over the limit', input: `0\r\nX: ${'a'.repeat(2000)}\r\n\r\n` },
  ];
  for (const c of bad) void it(`refuses: ${c.desc}`, () => assert.equal(decode(c.input, 3), null));
});
