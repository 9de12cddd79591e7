/**
 * The grpc-web-text request body decoder: padding at the end of any group (messages encoded one
 * by one), CR/LF skipped, any split of the input, invalid input refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Base64BodyDecoder, decodeGroups } from '../../../../src/middlewares/grpc-web/base64-decoder.js';

async function decodeStream(chunks: string[]): Promise<Buffer> {
  const d = new Base64BodyDecoder();
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => {
    d.on('end', resolve);
    d.on('error', reject);
  });
  for (const c of chunks) d.write(Buffer.from(c, 'latin1'));
  d.end();
  await done;
  return Buffer.concat(parts);
}

void describe('decodeGroups', () => {
  const cases: { desc: string; input: string; want: string | null }[] = [
    { desc: 'empty', input: '', want: '' },
    { desc: 'unpadded groups', input: Buffer.from('abcdef').toString('base64'), want: 'abcdef' },
    { desc: 'one padded message', input: Buffer.from('abcd').toString('base64'), want: 'abcd' },
    { desc: 'two padded messages back to back', input: Buffer.from('a').toString('base64') + Buffer.from('bc').toString('base64') + Buffer.from('def').toString('base64'), want: 'abcdef' },
    { desc: 'padding inside a group is refused', input: 'YQ=A', want: null },
    { desc: 'a character outside the alphabet', input: 'YW-j', want: null },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const out = decodeGroups(c.input);
      assert.equal(out === null ? null : out.toString('latin1'), c.want);
    });
  }
});

void describe('Base64BodyDecoder', () => {
  const text = Buffer.from('hello').toString('base64') + Buffer.from('gRPC-Web!').toString('base64');
  void it('decodes whatever the chunk boundaries', async () => {
    for (let size = 1; size <= 9; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.equal((await decodeStream(chunks)).toString(), 'hellogRPC-Web!', `chunks of ${size}`);
    }
  });

  void it('skips CR and LF', async () => {
    assert.equal((await decodeStream([text.slice(0, 5) + '\r\n', text.slice(5) + '\n'])).toString(), 'hellogRPC-Web!');
  });

  void it('accepts an unpadded tail of 2 or 3 characters', async () => {
    assert.equal((await decodeStream(['YWJjZA'])).toString(), 'abcd');
  });

  void it('refuses a lone trailing character and invalid characters', async () => {
    await assert.rejects(decodeStream(['YWJjZ']), /not valid base64/);
    await assert.rejects(decodeStream(['YW*j']), /not valid base64/);
  });
});
