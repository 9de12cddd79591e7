/**
 * Access logs through the real binary with real peers: JSON lines in a file after real requests
 * (router, service, URL, statuses, sizes, durations, retries, basicAuth user, header redaction),
 * filters with the common format, logrotate (rename + SIGUSR1 -> a new file), stdout, and
 * `--workers 2` appending whole lines to one file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';
import { waitFor } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

const ALICE = 'Basic ' + Buffer.from('alice:alice-pass').toString('base64');
const ALICE_BAD = 'Basic ' + Buffer.from('alice:wrong').toString('base64');
/** Common format: host - user [time] "method path proto" status size "referer" "ua" count "router" "url" Nms */
const CLF = /^(\S+) - (\S+) \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+) (\S+)" (\d{3}|-) (\d+|-) "([^"]*)" "([^"]*)" (\d+) "([^"]*)" "([^"]*)" (\d+)ms$/;

type Line = Record<string, unknown>;

function readLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

/** Waits until `file` holds at least `n` lines. */
function linesIn(file: string, n: number, timeoutMs = 10_000): Promise<string[]> {
  return waitFor(`${n} lines in ${file}`, () => {
    const lines = readLines(file);
    return lines.length >= n ? lines : undefined;
  }, timeoutMs);
}

function dynamicConfig(dir: string, upstream: string, dead: number): string {
  const file = join(dir, 'dyn.yml');
  writeFileSync(
    file,
    `http:
  routers:
    app:
      rule: "PathPrefix(\`/app\`)"
      service: app
    retried:
      rule: "PathPrefix(\`/retry\`)"
      service: dead
      middlewares: [retry]
    auth:
      rule: "PathPrefix(\`/auth\`)"
      service: app
      middlewares: [auth]
  middlewares:
    retry:
      retry:
        attempts: 3
    auth:
      basicAuth:
        users: ["alice:{SHA}${createHash('sha1').update('alice-pass').digest('base64')}"]
  services:
    app:
      loadBalancer:
        servers:
          - url: "${upstream}"
    dead:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${dead}"
`,
  );
  return file;
}

async function start(args: string[]): Promise<{ tp: TurnpikeProcess; port: number }> {
  const tp = new TurnpikeProcess([...args, '--entryPoints.web.address=127.0.0.1:0', '--log.format=json', '--log.level=INFO']);
  const port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening', 20_000)).port as number;
  await tp.waitForLog('applied', (r) => r.msg === 'configuration applied', 20_000);
  return { tp, port };
}

describe('access log', () => {
  let dir: string;
  let upstream: Upstream;
  let dyn: string;
  const procs: TurnpikeProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-alog-'));
    upstream = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-secret': 'origin-secret' });
        res.end('hello');
      });
    });
    dyn = dynamicConfig(dir, upstream.url, await closedPort());
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes Traefik JSON lines to a file, and a new file after logrotate (rename + SIGUSR1)', async () => {
    const file = join(dir, 'logs', 'access.json');
    const { tp, port } = await start([
      `--providers.file.filename=${dyn}`,
      `--accessLog.filePath=${file}`,
      '--accessLog.format=json',
      '--accessLog.fields.names.StartLocal=drop',
      '--accessLog.fields.headers.names.User-Agent=keep',
      '--accessLog.fields.headers.names.X-Secret=redact',
      '--accessLog.fields.headers.names.Content-Type=keep',
    ]);
    procs.push(tp);
    assert.equal((await get(port, '/app/x?q=1', { headers: { 'user-agent': 'e2e-agent', 'x-secret': 'client-secret' } })).status, 200);
    assert.equal((await get(port, '/app/upload', { method: 'POST', body: 'abc123', headers: { 'content-type': 'text/plain' } })).status, 200);
    assert.equal((await get(port, '/retry')).status, 502);
    assert.equal((await get(port, '/auth', { headers: { authorization: ALICE } })).status, 200);
    assert.equal((await get(port, '/auth', { headers: { authorization: ALICE_BAD } })).status, 401);
    assert.equal((await get(port, '/nothing-here')).status, 404);

    const lines = (await linesIn(file, 6)).map((l) => JSON.parse(l) as Line);
    const byPath = (p: string): Line[] => lines.filter((l) => l['RequestPath'] === p);
    const [first] = byPath('/app/x?q=1');
    assert.ok(first, JSON.stringify(lines));
    assert.equal(first['RouterName'], 'app@file');
    assert.equal(first['ServiceName'], 'app@file');
    assert.equal(first['ServiceURL'], upstream.url);
    assert.equal(first['ServiceAddr'], `127.0.0.1:${upstream.port}`);
    assert.equal(first['OriginStatus'], 200);
    assert.equal(first['DownstreamStatus'], 200);
    assert.equal(first['OriginContentSize'], 5);
    assert.equal(first['DownstreamContentSize'], 5);
    assert.equal(first['RequestMethod'], 'GET');
    assert.equal(first['RequestProtocol'], 'HTTP/1.1');
    assert.equal(first['RequestScheme'], 'http');
    assert.equal(first['RequestHost'], '127.0.0.1');
    assert.equal(first['RequestPort'], String(port));
    assert.equal(first['ClientHost'], '127.0.0.1');
    assert.equal(first['ClientUsername'], '-');
    assert.equal(first['RetryAttempts'], 0);
    assert.equal(first['level'], 'info');
    assert.equal(first['msg'], '');
    assert.ok(typeof first['Duration'] === 'number' && first['Duration'] > 0, 'Duration > 0 (ns)');
    assert.ok(typeof first['OriginDuration'] === 'number' && first['OriginDuration'] > 0 && first['OriginDuration'] <= first['Duration']);
    assert.match(String(first['StartUTC']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal('StartLocal' in first, false, 'StartLocal dropped');
    assert.equal(first['request_User-Agent'], 'e2e-agent');
    assert.equal(first['request_X-Secret'], 'REDACTED');
    assert.equal(first['origin_X-Secret'], 'REDACTED');
    assert.equal(first['downstream_Content-Type'], 'text/plain');
    assert.equal('request_Host' in first, false, 'headers not named are dropped');

    assert.equal(byPath('/app/upload')[0]?.['RequestContentSize'], 6);
    const retried = byPath('/retry')[0];
    assert.equal(retried?.['RetryAttempts'], 2);
    assert.equal(retried?.['DownstreamStatus'], 502);
    assert.equal(retried?.['OriginStatus'], 502);
    const auth = byPath('/auth');
    assert.deepEqual(
      auth.map((l) => [l['DownstreamStatus'], l['ClientUsername']]),
      [
        [200, 'alice'],
        [401, 'alice'],
      ],
    );
    const miss = byPath('/nothing-here')[0];
    assert.equal(miss?.['DownstreamStatus'], 404);
    assert.equal(miss !== undefined && 'RouterName' in miss, false);
    assert.deepEqual(
      lines.map((l) => l['RequestCount']).sort((a, b) => Number(a) - Number(b)),
      [1, 2, 3, 4, 5, 6],
    );

    // logrotate: the file is renamed, SIGUSR1 reopens the path, the next lines go to a new file.
    renameSync(file, file + '.1');
    tp.child.kill('SIGUSR1');
    await tp.waitForLog('reopened', (r) => r.msg === 'access log reopened');
    assert.equal((await get(port, '/app/after-rotate')).status, 200);
    const fresh = await linesIn(file, 1);
    assert.equal((JSON.parse(fresh[0] as string) as Line)['RequestPath'], '/app/after-rotate');
    assert.equal(readLines(file + '.1').length, 6);
  });

  it('keeps the lines any filter matches, in Traefik common format', async () => {
    const file = join(dir, 'filtered.log');
    const { tp, port } = await start([
      `--providers.file.filename=${dyn}`,
      `--accessLog.filePath=${file}`,
      '--accessLog.filters.statusCodes=404,300-302',
      '--accessLog.filters.retryAttempts=true',
    ]);
    procs.push(tp);
    assert.equal((await get(port, '/app/dropped')).status, 200);
    assert.equal((await get(port, '/nothing-here')).status, 404);
    assert.equal((await get(port, '/retry')).status, 502);
    assert.equal((await get(port, '/app/dropped-too')).status, 200);
    await tp.stop(); // flushes and closes the file
    const lines = readLines(file);
    assert.equal(lines.length, 2, lines.join('\n'));
    const [notFound, retried] = lines.map((l) => CLF.exec(l));
    assert.ok(notFound && retried, lines.join('\n'));
    assert.deepEqual([notFound[1], notFound[2], notFound[4], notFound[5], notFound[6], notFound[7], notFound[12], notFound[13]], ['127.0.0.1', '-', 'GET', '/nothing-here', 'HTTP/1.1', '404', '-', '-']);
    assert.deepEqual([retried[5], retried[7], retried[12]], ['/retry', '502', 'retried@file']);
    assert.match(retried[13] ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(Number(retried[11]), 3, 'RequestCount counts the dropped lines too');
  });

  it('writes to stdout when no filePath is set', async () => {
    const { tp, port } = await start([`--providers.file.filename=${dyn}`, '--accessLog=true']);
    procs.push(tp);
    assert.equal((await get(port, '/app/stdout', { headers: { 'user-agent': 'ua' } })).status, 200);
    const rec = await tp.waitForLog('access line', (r) => typeof r.msg === 'string' && r.msg.includes('"GET /app/stdout HTTP/1.1"'));
    const m = CLF.exec(rec.msg as string);
    assert.ok(m, String(rec.msg));
    assert.deepEqual([m[7], m[8], m[10], m[12]], ['200', '5', '-', 'app@file']);
  });

  it('with --workers 2, both workers append whole lines to one file and reopen it on SIGUSR1', async () => {
    const file = join(dir, 'workers.json');
    const { tp, port } = await start([
      `--providers.file.filename=${dyn}`,
      '--workers=2',
      `--accessLog.filePath=${file}`,
      '--accessLog.format=json',
      '--accessLog.fields.headers.names.User-Agent=keep',
    ]);
    procs.push(tp);
    // Long lines (a 2 KB User-Agent) on separate connections, many at once: both workers serve.
    const ua = 'w'.repeat(2048);
    const total = 240;
    for (let i = 0; i < total; i += 40) {
      const batch = Array.from({ length: 40 }, (_, j) => get(port, `/app/w${i + j}`, { headers: { 'user-agent': ua } }));
      for (const r of await Promise.all(batch)) assert.equal(r.status, 200);
    }
    const lines = await linesIn(file, total, 20_000);
    assert.equal(lines.length, total);
    const parsed = lines.map((l) => JSON.parse(l) as Line); // throws on a torn or interleaved line
    assert.ok(parsed.every((l) => l['request_User-Agent'] === ua));
    assert.deepEqual(new Set(parsed.map((l) => l['RequestPath'])).size, total);
    // RequestCount is per process: two workers each count from 1.
    assert.equal(parsed.filter((l) => l['RequestCount'] === 1).length, 2, 'both workers served requests');

    renameSync(file, file + '.1');
    const reopenedBefore = tp.count((r) => r.msg === 'access log reopened');
    tp.child.kill('SIGUSR1');
    await waitFor('both workers reopened', () => (tp.count((r) => r.msg === 'access log reopened') >= reopenedBefore + 2 ? true : undefined));
    for (let i = 0; i < 10; i++) assert.equal((await get(port, `/app/after${i}`)).status, 200);
    assert.equal((await linesIn(file, 10)).length, 10);
  });
});
