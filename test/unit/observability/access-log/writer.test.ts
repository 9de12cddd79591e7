/** LineWriter against real files: asynchronous appends, reopen after a logrotate rename, close. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LineWriter } from '../../../../src/observability/access-log/writer.js';
import { waitFor } from '../../../helpers/wait.js';

void describe('LineWriter', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-alw-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('appends whole lines to an existing file and creates missing directories', async () => {
    const file = join(dir, 'a', 'b', 'access.log');
    const w = new LineWriter({ filePath: file, bufferingSize: 0 });
    for (let i = 0; i < 1000; i++) w.append(`line ${i}\n`);
    await w.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.length, 1001);
    assert.equal(lines[999], 'line 999');
    const again = new LineWriter({ filePath: file, bufferingSize: 0 });
    again.append('appended\n');
    await again.close();
    assert.match(readFileSync(file, 'utf8'), /line 999\nappended\n$/);
  });

  void it('keeps bufferingSize lines before writing and writes the rest at close', async () => {
    const file = join(dir, 'buffered.log');
    writeFileSync(file, '');
    const w = new LineWriter({ filePath: file, bufferingSize: 100 });
    for (let i = 0; i < 250; i++) w.append(`${i}\n`);
    await w.close();
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 251);
  });

  void it('reopens the path after a rename (logrotate): new lines go to a new file', async () => {
    const file = join(dir, 'rotate.log');
    const w = new LineWriter({ filePath: file, bufferingSize: 0 });
    w.append('before\n');
    w.flush();
    // the file opens asynchronously: rename it once the first line is in
    await waitFor('first line written', () => (existsSync(file) && readFileSync(file, 'utf8') === 'before\n' ? true : undefined));
    renameSync(file, file + '.1');
    w.append('still before\n'); // queued before the reopen: goes to the renamed file
    await w.reopen();
    w.append('after\n');
    await w.close();
    assert.equal(readFileSync(file + '.1', 'utf8'), 'before\nstill before\n');
    assert.equal(readFileSync(file, 'utf8'), 'after\n');
  });
});
