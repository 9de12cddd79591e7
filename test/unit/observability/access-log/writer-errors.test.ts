/**
 * LineWriter when the file fails: a reopen that cannot open the path (logrotate, then something
 * else in its place), and a full disk (/dev/full answers every write with ENOSPC). The request path
 * never sees an error, memory stays bounded, and the failure is logged once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LineWriter, MAX_PENDING_BYTES } from '../../../../src/observability/access-log/writer.js';
import { captureLogs } from '../../../helpers/log-capture.js';
import { waitFor, within } from '../../../helpers/wait.js';

/** The compiled writer module beside this compiled test. */
const WRITER = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'src', 'observability', 'access-log', 'writer.js');

void describe('LineWriter, failing files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tp-alw-err-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('a reopen that cannot open the path resolves false, drops lines (counted) until the next reopen works', async () => {
    const { logger, records } = captureLogs();
    const file = join(dir, 'rotate.log');
    const w = new LineWriter({ filePath: file, bufferingSize: 0, logger });
    w.append('one\n');
    w.flush();
    await waitFor('first line written', () => (existsSync(file) && readFileSync(file, 'utf8') === 'one\n' ? true : undefined));
    renameSync(file, file + '.1');
    w.append('two\n'); // handed over before the reopen: goes to the renamed file
    mkdirSync(file); // open(2) of a directory for appending fails (EISDIR), as EACCES would
    assert.equal(await w.reopen(), false);
    w.append('three\n');
    w.flush();
    assert.equal(w.droppedBytes, 'three\n'.length);
    assert.equal(records.filter((r) => r.msg === 'cannot write the access log').length, 1);
    rmSync(file, { recursive: true });
    assert.equal(await w.reopen(), true);
    w.append('four\n');
    await w.close();
    assert.equal(readFileSync(file, 'utf8'), 'four\n');
    assert.equal(readFileSync(file + '.1', 'utf8'), 'one\ntwo\n');
  });

  void it('a full disk (ENOSPC): append never throws, the error is logged once, lines are dropped, close does not hang', async () => {
    const { logger, records } = captureLogs();
    const w = new LineWriter({ filePath: '/dev/full', bufferingSize: 0, logger });
    const line = 'x'.repeat(1023) + '\n';
    w.append(line);
    w.flush();
    await waitFor('the write error logged', () => (records.some((r) => r.msg === 'cannot write the access log') ? true : undefined));
    // Lines are dropped (not kept in memory) until the path is tried again.
    for (let i = 0; i < (2 * MAX_PENDING_BYTES) / line.length; i++) w.append(line);
    w.flush();
    assert.ok(w.droppedBytes >= 2 * MAX_PENDING_BYTES - line.length, `dropped ${w.droppedBytes}`);
    assert.equal(records.filter((r) => r.msg === 'cannot write the access log').length, 1);
    const t0 = performance.now();
    await within('close of a failing file', w.close(), 3_000);
    assert.ok(performance.now() - t0 < 1_000);
  });

  void it('a process whose access log is failing still exits (no endless flush at exit)', async () => {
    const script = [
      `const { LineWriter } = await import(${JSON.stringify(pathToFileURL(WRITER).href)});`,
      // Once the write failed, more lines, then exit: pino's exit hook must not retry the failed write.
      "const exit = () => { w.append('y\\n'); w.flush(); process.exit(3); };",
      "const logger = { error: exit, warn() {}, info() {} };",
      "const w = new LineWriter({ filePath: '/dev/full', bufferingSize: 0, logger });",
      "w.append('x\\n'); w.flush();",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const [code] = (await within('child exit', once(child, 'exit'), 10_000)) as [number | null];
    assert.equal(code, 3);
  });
});
