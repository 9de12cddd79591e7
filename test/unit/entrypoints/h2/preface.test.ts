import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { HTTP2_PREFACE, isHttp2Preface } from '../../../../src/entrypoints/h2/preface.js';

describe('isHttp2Preface', () => {
  const cases = [
    { desc: 'the whole preface', chunk: HTTP2_PREFACE, want: true },
    { desc: 'the preface followed by a SETTINGS frame', chunk: Buffer.concat([HTTP2_PREFACE, Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]), want: true },
    { desc: 'a prefix: PRI', chunk: Buffer.from('PRI'), want: true },
    { desc: 'a prefix: one byte P', chunk: Buffer.from('P'), want: true },
    { desc: 'a prefix up to HTTP/2.0', chunk: Buffer.from('PRI * HTTP/2.0'), want: true },
    { desc: 'empty chunk', chunk: Buffer.alloc(0), want: false },
    { desc: 'an HTTP/1.1 request line', chunk: Buffer.from('GET / HTTP/1.1\r\n'), want: false },
    { desc: 'PRI as an HTTP/1.1 method', chunk: Buffer.from('PRI * HTTP/1.1\r\n\r\n'), want: false },
    { desc: 'POST (same first letter)', chunk: Buffer.from('POST / HTTP/1.1\r\n'), want: false },
    { desc: 'a TLS ClientHello byte', chunk: Buffer.from([0x16, 0x03, 0x01]), want: false },
    { desc: 'preface with the last byte wrong', chunk: Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r'), want: false },
  ];
  for (const c of cases) {
    it(c.desc, () => assert.equal(isHttp2Preface(c.chunk), c.want));
  }
});
