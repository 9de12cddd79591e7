/**
 * The gauges read at scrape time, through the real binary: `traefik_service_server_up` from the
 * load balancer's health check (one server up, one down) and `traefik_tls_certs_not_after` of a
 * certificate of the dynamic configuration (Traefik's cn, sans and decimal serial labels).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { get } from '../helpers/http-client.js';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

describe('metrics: server up and certificate expiry gauges', () => {
  let dir: string;
  let up: Upstream;
  let tp: TurnpikeProcess;
  let metrics: number;
  let dead: string;
  let cert: X509Certificate;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-gauges-'));
    up = await namedUpstream('up');
    dead = `http://127.0.0.1:${await closedPort()}`;
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '3', '-subj', '/CN=gauge.test', '-addext', 'subjectAltName=DNS:gauge.test,DNS:alt.test'], { stdio: 'ignore' });
    cert = new X509Certificate(readFileSync(certFile));
    const file = join(dir, 'dynamic.yml');
    writeFileSync(
      file,
      `http:
  routers:
    app:
      rule: "Host(\`app.test\`)"
      service: svc
  services:
    svc:
      loadBalancer:
        healthCheck:
          path: /
          interval: 100ms
          timeout: 1s
        servers:
          - url: "${up.url}"
          - url: "${dead}"
tls:
  certificates:
    - certFile: ${certFile}
      keyFile: ${keyFile}
`,
    );
    tp = new TurnpikeProcess([`--providers.file.filename=${file}`, '--providers.file.watch=false', '--log.format=json', '--log.level=INFO', '--entryPoints.web.address=127.0.0.1:0', '--entryPoints.metrics.address=127.0.0.1:0', '--metrics.prometheus.entryPoint=metrics']);
    await tp.waitForLog('first configuration', (r: LogRecord) => r.msg === 'configuration applied', 20_000);
    metrics = tp.logs.find((r) => r.msg === 'entryPoint listening' && r.entryPoint === 'metrics')?.port as number;
  });

  after(async () => {
    await tp?.stop();
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows each server of a health-checked service as 1 (up) or 0 (down)', async () => {
    const body = await waitFor('the dead server seen down', async () => {
      const r = await get(metrics, '/metrics');
      return r.body.includes(`traefik_service_server_up{service="svc@file",url="${dead}"} 0`) ? r.body : undefined;
    });
    assert.match(body, new RegExp(`^traefik_service_server_up\\{service="svc@file",url="${up.url.replace(/[.]/g, '\\.')}"\\} 1$`, 'm'));
    assert.match(body, /^# TYPE traefik_service_server_up gauge$/m);
  });

  it('shows the certificate expiry in Unix seconds with Traefik labels', async () => {
    const body = (await get(metrics, '/metrics')).body;
    const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
    const notAfter = Math.floor(Date.parse(cert.validTo) / 1000);
    assert.match(body, /^# TYPE traefik_tls_certs_not_after gauge$/m);
    assert.ok(body.includes(`traefik_tls_certs_not_after{cn="gauge.test",sans="gauge.test,alt.test",serial="${serial}"} ${notAfter}`), body);
  });
});
