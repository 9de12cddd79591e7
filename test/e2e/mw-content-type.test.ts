/**
 * The contentType middleware through the real binary: without it a response the backend sent
 * without Content-Type goes out without one (Traefik v3); with it the type is detected from the
 * first body bytes as Go's http.DetectContentType does, unless the response has no body, already
 * has a type, or is content-encoded. `autoDetect: false` (deprecated) turns it off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get } from '../helpers/http-client.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('contentType middleware', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let upstream: Upstream;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-mw-ctype-'));
    upstream = await startUpstream((req, res) => {
      switch (req.url ?? '') {
        case '/html':
          res.end('  <!DOCTYPE html><html><body>hi</body></html>');
          break;
        case '/png':
          res.end(PNG);
          break;
        case '/json':
          res.end('{"a":1}');
          break;
        case '/typed':
          res.writeHead(200, { 'content-type': 'application/x-custom' });
          res.end('<html>');
          break;
        case '/gzip':
          res.writeHead(200, { 'content-encoding': 'gzip' });
          res.end(Buffer.from('1f8b0800000000000003', 'hex'));
          break;
        case '/streamed':
          // Chunked: the first chunk decides.
          res.write('<?xml version="1.0"?>');
          setImmediate(() => res.end('<a/>'));
          break;
        case '/nocontent':
          res.writeHead(204);
          res.end();
          break;
        default:
          res.end();
      }
    });
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    ct:
      rule: "Host(\`ct.test\`)"
      service: up
      middlewares: [ctype]
    plain:
      rule: "Host(\`plain.test\`)"
      service: up
    off:
      rule: "Host(\`off.test\`)"
      service: up
      middlewares: [ctoff]
  middlewares:
    ctype:
      contentType: {}
    ctoff:
      contentType:
        autoDetect: false
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
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { desc: string; path: string; method?: string; want: string | undefined }[] = [
    { desc: 'HTML after white space', path: '/html', want: 'text/html; charset=utf-8' },
    { desc: 'PNG signature', path: '/png', want: 'image/png' },
    { desc: 'JSON is plain text to Go', path: '/json', want: 'text/plain; charset=utf-8' },
    { desc: 'a streamed body: its first chunk', path: '/streamed', want: 'text/xml; charset=utf-8' },
    { desc: "the backend's own type is kept", path: '/typed', want: 'application/x-custom' },
    { desc: 'content-encoded bodies are not sniffed', path: '/gzip', want: undefined },
    { desc: 'an empty body gets no type', path: '/empty', want: undefined },
    { desc: '204 gets no type', path: '/nocontent', want: undefined },
    { desc: 'HEAD has no body, so no type', path: '/html', method: 'HEAD', want: undefined },
  ];
  for (const c of cases) {
    it(`detects: ${c.desc}`, async () => {
      const r = await get(port, c.path, { host: 'ct.test', ...(c.method ? { method: c.method } : {}) });
      assert.equal(r.headers['content-type'], c.want);
    });
  }

  it('keeps the body intact', async () => {
    const r = await get(port, '/streamed', { host: 'ct.test' });
    assert.equal(r.body, '<?xml version="1.0"?><a/>');
  });

  it('without the middleware (and with autoDetect: false) nothing is added, as in Traefik v3', async () => {
    for (const host of ['plain.test', 'off.test']) {
      assert.equal((await get(port, '/html', { host })).headers['content-type'], undefined, host);
      assert.equal((await get(port, '/png', { host })).headers['content-type'], undefined, host);
    }
  });

  it('warns that autoDetect is deprecated', () => {
    assert.ok(tp.logs.some((l) => l.msg === 'configuration warning' && /contentType\.autoDetect is deprecated/.test(String(l.error))));
  });
});
