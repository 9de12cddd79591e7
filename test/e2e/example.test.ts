/**
 * `npm start`'s built-in example works with nothing else running: examples/start.js starts its
 * demo upstreams and Turnpike on examples/traefik.yml; the README's curl commands answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/turnpike-process.js';
import { get } from '../helpers/http-client.js';
import { waitFor, within } from '../helpers/wait.js';

describe('built-in example (npm start)', () => {
  let child: ChildProcess;
  before(async () => {
    child = spawn(process.execPath, [join(REPO_ROOT, 'examples', 'start.js')], { cwd: REPO_ROOT, stdio: 'ignore' });
    await waitFor('example answering on 127.0.0.1:8000', async () => ((await get(8000, '/')).status === 200 ? true : undefined), 15_000);
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await within('example exit', once(child, 'exit'), 15_000);
    }
  });

  it('balances /whoami over two servers with the prefix stripped and a response header added', async () => {
    // `npm start` runs one worker per core, each with its own round robin (as nginx workers do):
    // over a few requests both servers answer, whichever worker takes each connection.
    const seen = new Map<string, number>();
    for (let i = 0; i < 8; i++) {
      const r = await get(8000, '/whoami/abc', { host: 'localhost' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-served-by'], 'turnpike');
      const p = JSON.parse(r.body) as { server: string; url: string };
      assert.equal(p.url, '/abc');
      seen.set(p.server, (seen.get(p.server) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['whoami-1', 'whoami-2']);
  });

  it('answers the catch-all router', async () => {
    const r = await get(8000, '/');
    assert.equal((JSON.parse(r.body) as { server: string }).server, 'hello');
  });
});
