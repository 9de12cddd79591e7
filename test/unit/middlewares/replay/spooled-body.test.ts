/**
 * SpooledBody and readBody with real streams and real temporary files: memory up to the
 * threshold then a file, replayable any number of times, removed by dispose; the limit and an
 * aborted source reported as such.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { readBody, SPOOL_FILE_PREFIX, SpooledBody } from '../../../../src/middlewares/replay/spooled-body.js';
import { waitFor } from '../../../helpers/wait.js';

async function collect(s: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

void describe('SpooledBody', () => {
  let dir: string;
  let savedTmp: string | undefined;

  before(() => {
    savedTmp = process.env['TMPDIR'];
    dir = mkdtempSync(join(tmpdir(), 'tp-spool-'));
    process.env['TMPDIR'] = dir;
  });

  after(() => {
    if (savedTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmp;
    rmSync(dir, { recursive: true, force: true });
  });

  const spoolFiles = (): string[] => readdirSync(dir).filter((f) => f.startsWith(SPOOL_FILE_PREFIX));

  void it('keeps a body under the threshold in memory', async () => {
    const b = new SpooledBody(100);
    for (const c of ['ab', 'cd', 'ef']) assert.equal(b.append(Buffer.from(c)), true);
    await b.finish();
    assert.equal(b.spilled, false);
    assert.equal(b.size, 6);
    assert.equal(await collect(b.stream()), 'abcdef');
    assert.deepEqual(spoolFiles(), []);
  });

  void it('spills past the threshold to a file, replays in order as often as asked, and removes the file', async () => {
    const b = new SpooledBody(10);
    const chunks = ['01234567', '89abcdef', 'ghijklmn', 'opqrstuv', 'wxyz'];
    for (const c of chunks) b.append(Buffer.from(c));
    await b.finish();
    assert.equal(b.spilled, true);
    assert.equal(b.size, 36);
    assert.equal(spoolFiles().length, 1);
    assert.equal(await collect(b.stream()), chunks.join(''));
    assert.equal(await collect(b.stream()), chunks.join(''), 'a second replay');
    b.dispose();
    await waitFor('the file removed', () => (spoolFiles().length === 0 ? true : undefined), 5_000);
  });

  void it('dispose right after spilling starts leaves no file behind', async () => {
    const b = new SpooledBody(1);
    b.append(Buffer.from('xyz'));
    b.dispose();
    await waitFor('no spool file', () => (spoolFiles().length === 0 ? true : undefined), 5_000);
  });

  void it('readBody reads a stream to its end', async () => {
    const src = new PassThrough();
    const p = readBody(src, 4, -1);
    src.write('hello ');
    src.end('world');
    const out = await p;
    assert.equal(out.kind, 'done');
    if (out.kind !== 'done') return;
    assert.equal(await collect(out.body.stream()), 'hello world');
    out.body.dispose();
    await waitFor('the file removed', () => (spoolFiles().length === 0 ? true : undefined), 5_000);
  });

  void it('readBody stops past maxBytes, handing back what was read and the rest of the stream', async () => {
    const src = new PassThrough();
    const p = readBody(src, Infinity, 5);
    src.write('abc');
    src.write('defg');
    const out = await p;
    assert.equal(out.kind, 'tooLarge');
    if (out.kind !== 'tooLarge') return;
    assert.equal(Buffer.concat(out.body.chunks).toString(), 'abcdefg');
    src.end('hij');
    assert.equal(await collect(out.rest), 'hij');
  });

  void it('readBody reports a source that closes before its end', async () => {
    const src = new PassThrough();
    const p = readBody(src, Infinity, -1);
    src.write('partial');
    src.destroy();
    assert.equal((await p).kind, 'aborted');
  });
});
