/**
 * digestAuth through the real binary and a real upstream, with curl --digest as the client: the
 * challenge, inline and file users, realm, headerField and removeHeader, query strings and POST,
 * a replayed Authorization refused as stale, and a bad users entry disabling only its router.
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
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const htdigest = (user: string, realm: string, password: string): string => `${user}:${realm}:${md5(`${user}:${realm}:${password}`)}`;

/** curl --digest: the final status code and body. */
async function curlDigest(port: number, host: string, userPass: string, path = '/', extra: string[] = []): Promise<{ status: number; body: string }> {
  const { stdout } = await run(
    'curl',
    ['-sS', '--max-time', '5', '--digest', '-u', userPass, '-H', `Host: ${host}`, '-w', '\n%{http_code}', ...extra, `http://127.0.0.1:${port}${path}`],
    { timeout: 10_000 },
  );
  const nl = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(nl + 1)), body: stdout.slice(0, nl) };
}

function challengeParams(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of (header ?? '').matchAll(/(\w+)="?([^",]*)"?/g)) out.set(m[1] as string, m[2] as string);
  return out;
}

describe('digestAuth middleware', () => {
  let dir: string;
  let dyn: string;
  let dynText: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;
  let hits = 0;
  let last: { url: string; method: string; headers: IncomingHttpHeaders; body: string } = { url: '', method: '', headers: {}, body: '' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-digest-'));
    upstream = await startUpstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits++;
        last = { url: req.url ?? '', method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('upstream');
      });
    });
    const usersFile = join(dir, 'users.htdigest');
    writeFileSync(usersFile, `# htdigest\n${htdigest('bob', 'traefik', 'builder')}\n`);
    dyn = join(dir, 'dyn.yml');
    dynText = `http:
  routers:
    digest:
      rule: "Host(\`digest.test\`)"
      service: up
      middlewares: [dig]
    zone:
      rule: "Host(\`zone.test\`)"
      service: up
      middlewares: [digzone]
    bad:
      rule: "Host(\`bad.test\`)"
      service: up
      middlewares: [digbad]
    open:
      rule: "Host(\`open.test\`)"
      service: up
  middlewares:
    dig:
      digestAuth:
        users: ["${htdigest('alice', 'traefik', 'wonderland')}"]
        usersFile: "${usersFile}"
    digzone:
      digestAuth:
        users: ["${htdigest('alice', 'Secret Zone', 'wonderland')}"]
        realm: "Secret Zone"
        headerField: X-User
        removeHeader: true
    digbad:
      digestAuth:
        users: ["alice:wonderland"]
  services:
    up:
      loadBalancer:
        servers:
          - url: "${upstream.url}"
`;
    writeFileSync(dyn, dynText);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      `--providers.file.filename=${dyn}`,
      '--providers.providersThrottleDuration=20ms',
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
  });

  after(async () => {
    await tp?.stop();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('challenges a request without credentials (RFC 7616 MD5, qop=auth) and never reaches the upstream', async () => {
    const before = hits;
    const r = await get(port, '/', { host: 'digest.test' });
    assert.equal(r.status, 401);
    assert.match(r.headers['www-authenticate'] ?? '', /^Digest realm="traefik", nonce="[A-Za-z0-9+/=]{16}", opaque="[A-Za-z0-9+/=]{16}", algorithm="MD5", qop="auth"$/);
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.body, '401 Unauthorized\n');
    assert.equal(hits, before);
  });

  it('curl --digest authenticates an inline user; Authorization reaches the upstream by default', async () => {
    const r = await curlDigest(port, 'digest.test', 'alice:wonderland', '/docs/a?x=1&y=2');
    assert.deepEqual(r, { status: 200, body: 'upstream' });
    assert.equal(last.url, '/docs/a?x=1&y=2');
    assert.match(String(last.headers.authorization), /^Digest username="alice"/);
  });

  it('curl --digest authenticates a usersFile user, with a POST body', async () => {
    const r = await curlDigest(port, 'digest.test', 'bob:builder', '/submit', ['--data-binary', 'payload']);
    assert.equal(r.status, 200);
    assert.equal(last.method, 'POST');
    assert.equal(last.body, 'payload');
  });

  it('refuses a wrong password', async () => {
    assert.equal((await curlDigest(port, 'digest.test', 'alice:wrong')).status, 401);
    assert.equal((await curlDigest(port, 'digest.test', 'carol:wonderland')).status, 401);
  });

  it('uses its realm, sets headerField and removes Authorization', async () => {
    const challenge = await get(port, '/', { host: 'zone.test' });
    assert.match(challenge.headers['www-authenticate'] ?? '', /^Digest realm="Secret Zone", /);
    const r = await curlDigest(port, 'zone.test', 'alice:wonderland');
    assert.equal(r.status, 200);
    assert.equal(last.headers['x-user'], 'alice');
    assert.equal(last.headers.authorization, undefined);
    // A user of realm traefik cannot log into this realm.
    assert.equal((await curlDigest(port, 'zone.test', 'bob:builder')).status, 401);
  });

  it('refuses a replayed Authorization (same nonce count) with a stale challenge', async () => {
    const ch = challengeParams((await get(port, '/r', { host: 'digest.test' })).headers['www-authenticate']);
    const nonce = ch.get('nonce') as string;
    const ha1 = md5('alice:traefik:wonderland');
    const response = md5(`${ha1}:${nonce}:00000001:c0ffee:auth:${md5('GET:/r')}`);
    const authorization = `Digest username="alice", realm="traefik", nonce="${nonce}", uri="/r", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee", response="${response}", opaque="${ch.get('opaque') ?? ''}"`;
    assert.equal((await get(port, '/r', { host: 'digest.test', headers: { authorization } })).status, 200);
    const replay = await get(port, '/r', { host: 'digest.test', headers: { authorization } });
    assert.equal(replay.status, 401);
    assert.match(replay.headers['www-authenticate'] ?? '', /, stale=true$/);
  });

  it('nonces survive a reload that leaves the middleware unchanged', async () => {
    const ch = challengeParams((await get(port, '/k', { host: 'digest.test' })).headers['www-authenticate']);
    const applied = (r: { msg?: string }): boolean => r.msg === 'configuration applied';
    const before = tp.count(applied);
    writeFileSync(dyn, dynText.replace('  routers:\n', '  routers:\n    extra:\n      rule: "Host(`extra.test`)"\n      service: up\n'));
    await waitFor('the reload', () => (tp.count(applied) > before ? true : undefined));
    assert.equal((await get(port, '/', { host: 'extra.test' })).status, 200, 'the new configuration is live');
    const nonce = ch.get('nonce') as string;
    const response = md5(`${md5('alice:traefik:wonderland')}:${nonce}:00000001:abc:auth:${md5('GET:/k')}`);
    const authorization = `Digest username="alice", realm="traefik", nonce="${nonce}", uri="/k", qop=auth, nc=00000001, cnonce="abc", response="${response}", opaque="${ch.get('opaque') ?? ''}"`;
    assert.equal((await get(port, '/k', { host: 'digest.test', headers: { authorization } })).status, 200);
  });

  it('a bad users entry disables only the router using it', async () => {
    const errors = tp.logs.filter((l) => l.msg === 'configuration error').map((l) => String(l.error));
    assert.ok(errors.some((e) => e.includes('digbad') && e.includes('digestAuth.users[0]')), JSON.stringify(errors));
    assert.equal((await get(port, '/', { host: 'bad.test' })).status, 404);
    assert.equal((await get(port, '/', { host: 'open.test' })).status, 200);
  });
});
