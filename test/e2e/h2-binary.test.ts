/**
 * HTTP/2 through the real binary (issue 5 item 5): one entry point serving HTTP/1.1, h2c with
 * prior knowledge and h2 over TLS (ALPN, generated default certificate) on the same port, to a
 * real HTTP/1.1 upstream; upstream trailers reach HTTP/2 clients; 100 streams on one session;
 * `http2.maxConcurrentStreams` is what the server announces. Skipped until the HTTP/2 front end is
 * plugged into the entry point (src/entrypoints/http-entrypoint.ts, the marked line).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { within } from './entrypoint-helpers.js';
import { clientSession, h2request } from './h2-helpers.js';

const run = promisify(execFile);
const plugged = readFileSync(new URL('../../src/entrypoints/http-entrypoint.js', import.meta.url), 'utf8').includes('h2/h2-front-end.js');

const isApplied = (r: LogRecord): boolean => r.msg === 'configuration applied';

describe('HTTP/2 through the binary', { skip: plugged ? false : 'Http2FrontEnd not plugged into http-entrypoint.ts yet' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tpk-h2bin-'));
  let up: Upstream;
  let tp: TurnpikeProcess;
  let port = 0;

  before(async () => {
    up = await startUpstream((req, res) => {
      if (req.url === '/trailers') {
        res.writeHead(200, { 'content-type': 'application/grpc', trailer: 'grpc-status' });
        res.write('data');
        res.addTrailers({ 'grpc-status': '0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`up ${req.httpVersion} ${req.url ?? ''} ${req.headers.host ?? ''}`);
    });
    const file = join(dir, 'dynamic.yml');
    writeFileSync(
      file,
      `http:
  routers:
    plain:
      rule: "PathPrefix(\`/\`)"
      service: app
    secure:
      rule: "PathPrefix(\`/\`)"
      service: app
      tls: {}
  services:
    app:
      loadBalancer:
        servers:
          - url: "${up.url}"
`,
    );
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      '--entryPoints.web.http2.maxConcurrentStreams=50',
      `--providers.file.filename=${file}`,
      '--providers.providersThrottleDuration=20ms',
      '--log.format=json',
      '--log.level=INFO',
    ]);
    const rec = await tp.waitForLog('web listening', (r) => r.msg === 'entryPoint listening' && r.entryPoint === 'web', 20_000);
    port = rec.port as number;
    await tp.waitForLog('configuration applied', isApplied, 20_000);
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('curl: HTTP/1.1, h2c with prior knowledge and h2 over TLS on one port', async () => {
    const h1 = await run('curl', ['-s', '-i', `http://127.0.0.1:${port}/a`], { timeout: 10_000 });
    assert.match(h1.stdout, /^HTTP\/1\.1 200/);
    const h2c = await run('curl', ['-s', '-i', '--http2-prior-knowledge', `http://127.0.0.1:${port}/b`], { timeout: 10_000 });
    assert.match(h2c.stdout, /^HTTP\/2 200/);
    assert.match(h2c.stdout, new RegExp(`up 1\\.1 /b 127\\.0\\.0\\.1:${port}$`));
    const h2 = await run('curl', ['-s', '-i', '-k', '--http2', `https://127.0.0.1:${port}/c`], { timeout: 10_000 });
    assert.match(h2.stdout, /^HTTP\/2 200/);
    assert.match(h2.stdout, /up 1\.1 \/c /);
  });

  for (const tls of [false, true]) {
    it(`node:http2 (${tls ? 'TLS' : 'h2c'}): trailers, 100 streams on one session, SETTINGS`, async () => {
      const s = clientSession(port, tls);
      try {
        await within(new Promise((r) => s.once('remoteSettings', r)), 5000, 'SETTINGS');
        assert.equal(s.remoteSettings.maxConcurrentStreams, 50);
        const t = await within(h2request(s, { ':path': '/trailers', te: 'trailers' }), 5000, 'trailers');
        assert.equal(t.body.toString(), 'data');
        assert.equal(t.trailers?.['grpc-status'], '0');
        const all = await within(Promise.all(Array.from({ length: 100 }, (_, i) => h2request(s, { ':path': `/n${i}` }))), 20_000, '100 streams');
        all.forEach((r, i) => assert.match(r.body.toString(), new RegExp(`^up 1\\.1 /n${i} `)));
      } finally {
        s.close();
      }
    });
  }
});
