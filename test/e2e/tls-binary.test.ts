/**
 * TLS through the real binary and a YAML dynamic file (issue 5 item 4): routers with `tls` serve
 * only TLS requests and routers without it only plain ones; an entry point with `http.tls` makes
 * every router on it a TLS router; an unknown options name is a router error; a certificate that
 * cannot be read is a configuration error naming the file. With `--workers 2` every worker serves
 * TLS from the snapshot it gets, with one generated default certificate for all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { writeFileSync } from 'node:fs';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { CertDir, handshake, type CertFiles } from './tls-helpers.js';

function get(port: number, host: string, secure: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port, path: '/', headers: { host }, agent: false as const };
    const req = secure ? httpsRequest({ ...opts, servername: host, rejectUnauthorized: false }) : httpRequest(opts);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function dynamicYaml(up: Upstream, sec: Upstream, a: CertFiles, missing: string): string {
  return `http:
  routers:
    plain:
      rule: "Host(\`app.test\`)"
      service: app
      entryPoints: [web]
    secure:
      rule: "Host(\`app.test\`)"
      service: secure
      entryPoints: [web]
      tls: {}
    strictly:
      rule: "Host(\`mtls.test\`)"
      service: app
      entryPoints: [web]
      tls:
        options: nope
    onsecure:
      rule: "Host(\`app.test\`)"
      service: app
      entryPoints: [websecure]
  services:
    app:
      loadBalancer:
        servers:
          - url: "${up.url}"
    secure:
      loadBalancer:
        servers:
          - url: "${sec.url}"
tls:
  certificates:
    - certFile: ${a.cert}
      keyFile: ${a.key}
    - certFile: ${missing}
      keyFile: ${a.key}
`;
}

const isApplied = (r: LogRecord): boolean => r.msg === 'configuration applied';

for (const workers of [1, 2]) {
  describe(`TLS through the binary (workers: ${workers})`, () => {
    const certs = new CertDir();
    let up: Upstream;
    let sec: Upstream;
    let tp: TurnpikeProcess;
    const ports = new Map<string, number>();

    before(async () => {
      up = await namedUpstream('app');
      sec = await namedUpstream('secure');
      const a = certs.leaf('app.test');
      const file = certs.path('dynamic.yml');
      writeFileSync(file, dynamicYaml(up, sec, a, certs.path('missing.pem')));
      tp = new TurnpikeProcess([
        `--workers=${workers}`,
        '--entryPoints.web.address=127.0.0.1:0',
        '--entryPoints.websecure.address=127.0.0.1:0',
        '--entryPoints.websecure.http.tls=true',
        `--providers.file.filename=${file}`,
        '--providers.providersThrottleDuration=20ms',
        '--log.format=json',
        '--log.level=INFO',
      ]);
      for (const name of ['web', 'websecure']) {
        const rec = await tp.waitForLog(`${name} listening`, (r) => r.msg === 'entryPoint listening' && r.entryPoint === name, 20_000);
        ports.set(name, rec.port as number);
      }
      await tp.waitForLog('configuration applied', isApplied, 20_000);
    });

    after(async () => {
      await tp?.stop();
      await up?.close();
      await sec?.close();
      certs.remove();
    });

    it('a router with tls serves TLS requests only; one without, plain requests only', async () => {
      const web = ports.get('web') as number;
      const plain = await get(web, 'app.test', false);
      assert.equal(plain.status, 200);
      assert.equal(plain.body, 'app');
      const secure = await get(web, 'app.test', true);
      assert.equal(secure.status, 200);
      assert.equal(secure.body, 'secure');
      const h = await handshake(web, { servername: 'app.test' });
      assert.equal(h.peer?.subject?.CN, 'app.test');
    });

    it('an entry point with http.tls makes its routers TLS routers', async () => {
      const ws = ports.get('websecure') as number;
      assert.equal((await get(ws, 'app.test', true)).status, 200);
      assert.equal((await get(ws, 'app.test', false)).status, 404);
    });

    it('an unknown options name disables the router with an error naming it, and its host refuses handshakes', async () => {
      await tp.waitForLog('unknown TLS options', (r) => typeof r.error === 'string' && r.error.includes('unknown TLS options: nope@file'));
      const h = await handshake(ports.get('web') as number, { servername: 'mtls.test' });
      assert.equal(h.ok, false);
    });

    it('a certificate file that cannot be read is a configuration error naming it; the others serve', async () => {
      await tp.waitForLog('certificate error', (r) => r.code === 'TPK_CFG_TLS_CERTIFICATE' && typeof r.error === 'string' && r.error.includes('missing.pem'));
    });

    it('one generated default certificate for the whole instance', async () => {
      const web = ports.get('web') as number;
      const seen = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const h = await handshake(web, { servername: `unknown${i}.test` });
        assert.equal(h.peer?.subject?.CN, 'TRAEFIK DEFAULT CERT');
        seen.add(h.peer?.fingerprint256 ?? '');
      }
      assert.equal(seen.size, 1);
    });
  });
}
