import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectContentType } from '../../../../src/middlewares/shared/sniff.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

void describe("Go's http.DetectContentType", () => {
  const cases: { desc: string; data: Buffer; want: string }[] = [
    { desc: 'empty is text', data: b(''), want: 'text/plain; charset=utf-8' },
    { desc: 'HTML doctype after white space, any case', data: b('  \n<!doctype html><p>x'), want: 'text/html; charset=utf-8' },
    { desc: 'HTML tag needs a space or > after it', data: b('<html>'), want: 'text/html; charset=utf-8' },
    { desc: '<htmlx is not HTML', data: b('<htmlx>'), want: 'text/plain; charset=utf-8' },
    { desc: 'comment', data: b('<!-- c -->'), want: 'text/html; charset=utf-8' },
    { desc: 'XML', data: b('<?xml version="1.0"?><a/>'), want: 'text/xml; charset=utf-8' },
    { desc: 'PDF', data: b('%PDF-1.7 ...'), want: 'application/pdf' },
    { desc: 'PNG', data: b('\x89PNG\x0D\x0A\x1A\x0A\x00\x00'), want: 'image/png' },
    { desc: 'JPEG', data: b('\xFF\xD8\xFF\xE0'), want: 'image/jpeg' },
    { desc: 'GIF', data: b('GIF89a...'), want: 'image/gif' },
    { desc: 'WebP', data: b('RIFF\x01\x02\x03\x04WEBPVP8 '), want: 'image/webp' },
    { desc: 'gzip', data: b('\x1F\x8B\x08\x00'), want: 'application/x-gzip' },
    { desc: 'zip', data: b('PK\x03\x04'), want: 'application/zip' },
    { desc: 'wasm', data: b('\x00asm\x01'), want: 'application/wasm' },
    { desc: 'woff2', data: b('wOF2....'), want: 'font/woff2' },
    { desc: 'mp4 (ftyp box with an mp4 brand)', data: b('\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'), want: 'video/mp4' },
    { desc: 'UTF-16LE BOM', data: b('\xFF\xFEh\x00'), want: 'text/plain; charset=utf-16le' },
    { desc: 'JSON is plain text', data: b('{"a":1}'), want: 'text/plain; charset=utf-8' },
    { desc: 'binary bytes', data: b('\x00\x01\x02\x03\x04'), want: 'application/octet-stream' },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.equal(detectContentType(c.data), c.want));
  }

  void it('looks at the first 512 bytes only', () => {
    const data = Buffer.concat([Buffer.alloc(512, 0x61), Buffer.from([0x00])]);
    assert.equal(detectContentType(data), 'text/plain; charset=utf-8');
  });
});
