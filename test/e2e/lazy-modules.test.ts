/**
 * A process that serves plain HTTP to plain HTTP upstreams (health checks included) never loads
 * node:tls, node:https or node:http2 (lazy-tls.ts, lazy-http2.ts: about 1-5 MB of RSS each); the
 * first TLS connection loads node:tls and is served (with the generated default certificate).
 * The real binary is asked, by a preload given through NODE_OPTIONS, which builtins it loaded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { get } from '../helpers/http-client.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor, within } from '../helpers/wait.js';

/** On SIGUSR2: one stderr line with the lazily loaded builtins this process has loaded. */
const PRELOAD = `process.on('SIGUSR2', () => {
  const names = process.moduleLoadList.filter((m) => /^NativeModule (tls|https|http2)$/.test(m)).map((m) => m.slice(13));
  process.stderr.write('LOADED ' + JSON.stringify(names) + '\\n');
});
`;

describe('builtins loaded on first use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-lazy-'));
  let up: Upstream;
  let tp: TurnpikeProcess;
  let port = 0;

  /** The builtins the process says it loaded, from a fresh SIGUSR2. */
  async function loaded(): Promise<string[]> {
    const before = tp.stderr.length;
    tp.child.kill('SIGUSR2');
    const line = await waitFor('the preload answering SIGUSR2', () => tp.stderr.slice(before).find((l) => l.startsWith('LOADED ')), 10_000);
    return JSON.parse(line.slice('LOADED '.length)) as string[];
  }

  before(async () => {
    up = await startUpstream((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`up ${req.url ?? ''}`);
    });
    const preload = join(dir, 'preload.cjs');
    writeFileSync(preload, PRELOAD);
    const dynamic = join(dir, 'dynamic.yml');
    writeFileSync(
      dynamic,
      `http:
  routers:
    app:
      rule: "Host(\`app.test\`)"
      service: app
  services:
    app:
      loadBalancer:
        healthCheck:
          path: /health
          interval: 1s
        servers:
          - url: "${up.url}"
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dynamic}`, '--log.format=json', '--log.level=INFO'], {
      env: { NODE_OPTIONS: `--require=${preload}` },
    });
    port = (await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening', 20_000)).port as number;
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied', 20_000);
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plain HTTP through a health-checked service loads none of node:tls, node:https, node:http2', async () => {
    const r = await get(port, '/x', { host: 'app.test' });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'up /x');
    assert.deepEqual(await loaded(), []);
  });

  it('the first TLS connection loads node:tls and gets its handshake (the generated default certificate)', async () => {
    const subject = await within(
      'a TLS handshake with the plain entry point',
      new Promise<string | undefined>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'app.test', rejectUnauthorized: false }, () => {
          const cn = socket.getPeerCertificate().subject?.CN;
          socket.destroy();
          resolve(typeof cn === 'string' ? cn : undefined);
        });
        socket.on('error', reject);
      }),
      30_000,
    );
    assert.equal(subject, 'TRAEFIK DEFAULT CERT');
    assert.ok((await loaded()).includes('tls'));
  });
});
