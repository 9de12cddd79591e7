/**
 * basicAuth through the real binary and a real upstream: the 401 challenge, apr1 / {SHA} / bcrypt
 * hashes, users from a file merged with inline users (inline wins), realm, headerField and
 * removeHeader, curl as a real client, and bad configurations disabling only their routers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadBcrypt } from '../../src/middlewares/basic-auth/bcrypt.js';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';

const run = promisify(execFile);
const basic = (userPass: string): Record<string, string> => ({ authorization: 'Basic ' + Buffer.from(userPass).toString('base64') });
const sha = (password: string): string => '{SHA}' + createHash('sha1').update(password).digest('base64');
/** bcryptjs is optional: with it bcrypt users log in, without it their middleware refuses to build. */
const HAVE_BCRYPT = loadBcrypt() !== null;

describe('basicAuth middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;
  let hits = 0;
  let last: IncomingHttpHeaders = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-basic-'));
    upstream = await startUpstream((req, res) => {
      hits++;
      last = req.headers;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('upstream');
    });
    const usersFile = join(dir, 'users.htpasswd');
    // openssl passwd -apr1 -salt fILeSalt filepass / -salt sHaReD12 from-file
    writeFileSync(usersFile, `# htpasswd\n\nfileuser:$apr1$fILeSalt$jqV83Ny3Kl4ugMwCCFcDC0\r\n  shared:$apr1$sHaReD12$DxFMLioqCIskxGIC2zKNO0  \n`);
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    basic:
      rule: "Host(\`basic.test\`)"
      service: up
      middlewares: [auth]
    hdr:
      rule: "Host(\`hdr.test\`)"
      service: up
      middlewares: [authhdr]
    bcrypt:
      rule: "Host(\`bcrypt.test\`)"
      service: up
      middlewares: [authbc]
    bad:
      rule: "Host(\`bad.test\`)"
      service: up
      middlewares: [authbad]
    nofile:
      rule: "Host(\`nofile.test\`)"
      service: up
      middlewares: [authnofile]
    open:
      rule: "Host(\`open.test\`)"
      service: up
  middlewares:
    auth:
      basicAuth:
        users:
          - "test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"
          - "sha:${sha('sha-pass')}"
          - "shared:$apr1$inLine12$v.Ach9TJbeaG3fL9xTkB2."
        usersFile: "${usersFile}"
    authhdr:
      basicAuth:
        users: ["test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"]
        realm: "Admin Area"
        headerField: X-Auth-User
        removeHeader: true
    authbc:
      basicAuth:
        users: ["bc:$2y$04$D/BjFRYqQWQxvi5OBhY7IOzqZ0RzhOf65y7WUlhc2ddPK1NPlzIWa"]
    authbad:
      basicAuth:
        users: ["foobar"]
    authnofile:
      basicAuth:
        usersFile: "${join(dir, 'missing.htpasswd')}"
  services:
    up:
      loadBalancer:
        servers:
          - url: "${upstream.url}"
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.format=json', '--log.level=INFO']);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 with the Basic challenge and never reaches the upstream without credentials', async () => {
    const before = hits;
    const r = await get(port, '/', { host: 'basic.test' });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Basic realm="traefik"');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.body, '401 Unauthorized\n');
    assert.equal(hits, before);
  });

  const logins = [
    { desc: 'an apr1 user (inline)', creds: 'test:test', want: 200 },
    { desc: 'an apr1 user, wrong password', creds: 'test:Test', want: 401 },
    { desc: 'a {SHA} user (inline)', creds: 'sha:sha-pass', want: 200 },
    { desc: 'a {SHA} user, wrong password', creds: 'sha:sha-pasS', want: 401 },
    { desc: 'a user from usersFile', creds: 'fileuser:filepass', want: 200 },
    { desc: 'a user in both: the inline entry wins', creds: 'shared:inline-pass', want: 200 },
    { desc: 'a user in both: the file password no longer works', creds: 'shared:from-file', want: 401 },
    { desc: 'an unknown user', creds: 'nobody:test', want: 401 },
    { desc: 'an empty user name', creds: ':test', want: 401 },
  ];
  for (const c of logins) {
    it(`${c.want === 200 ? 'lets in' : 'refuses'} ${c.desc}`, async () => {
      const r = await get(port, '/', { host: 'basic.test', headers: basic(c.creds) });
      assert.equal(r.status, c.want);
      if (c.want === 200) {
        assert.equal(r.body, 'upstream');
        assert.equal(last.authorization, basic(c.creds).authorization, 'Authorization is forwarded by default');
      } else {
        assert.equal(r.headers['www-authenticate'], 'Basic realm="traefik"');
      }
    });
  }

  it('works with curl -u (a real client)', async () => {
    const { stdout } = await run('curl', ['-sS', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}', '-u', 'test:test', '-H', 'Host: basic.test', `http://127.0.0.1:${port}/x`], { timeout: 10_000 });
    assert.equal(stdout, '200');
  });

  it('uses the realm, sets headerField to the user (over a client-sent value) and removes Authorization', async () => {
    const denied = await get(port, '/', { host: 'hdr.test' });
    assert.equal(denied.headers['www-authenticate'], 'Basic realm="Admin Area"');
    const r = await get(port, '/', { host: 'hdr.test', headers: { ...basic('test:test'), 'x-auth-user': 'admin' } });
    assert.equal(r.status, 200);
    assert.equal(last['x-auth-user'], 'test');
    assert.equal(last.authorization, undefined);
  });

  if (HAVE_BCRYPT) {
    it('verifies bcrypt ($2y$) users', async () => {
      assert.equal((await get(port, '/', { host: 'bcrypt.test', headers: basic('bc:bcrypt-pass') })).status, 200);
      assert.equal((await get(port, '/', { host: 'bcrypt.test', headers: basic('bc:bcrypt-pass') })).status, 200, 'remembered');
      assert.equal((await get(port, '/', { host: 'bcrypt.test', headers: basic('bc:wrong') })).status, 401);
    });
  } else {
    it('without bcryptjs, a middleware with bcrypt users is disabled with a message saying so', async () => {
      const log = await tp.waitForLog('bcrypt error', (l) => l.msg === 'configuration error' && String(l.error).includes('authbc@file'));
      assert.match(String(log.error), /needs the "bcryptjs" package/);
      assert.equal((await get(port, '/', { host: 'bcrypt.test', headers: basic('bc:bcrypt-pass') })).status, 404);
    });
  }

  it('a bad users entry or an unreadable usersFile disables only the routers using it', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(
      errors.some((e) => e.includes('authbad') && e.includes('basicAuth.users[0]') && /expected "user:hash"/.test(e)),
      JSON.stringify(errors),
    );
    assert.ok(
      errors.some((e) => e.includes('middleware "authnofile@file"') && /cannot read usersFile/.test(e)),
      JSON.stringify(errors),
    );
    assert.equal((await get(port, '/', { host: 'bad.test', headers: basic('test:test') })).status, 404);
    assert.equal((await get(port, '/', { host: 'nofile.test', headers: basic('test:test') })).status, 404);
    assert.equal((await get(port, '/', { host: 'open.test' })).status, 200);
  });
});
