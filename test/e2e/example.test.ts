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

  it('round-robins /whoami over two servers with the prefix stripped and a response header added', async () => {
    const a = await get(8000, '/whoami/abc', { host: 'localhost' });
    const b = await get(8000, '/whoami/abc', { host: 'localhost' });
    assert.equal(a.status, 200);
    assert.equal(a.headers['x-served-by'], 'turnpike');
    const pa = JSON.parse(a.body) as { server: string; url: string };
    const pb = JSON.parse(b.body) as { server: string };
    assert.equal(pa.url, '/abc');
    assert.notEqual(pa.server, pb.server);
  });

  it('answers the catch-all router', async () => {
    const r = await get(8000, '/');
    assert.equal((JSON.parse(r.body) as { server: string }).server, 'hello');
  });
});
