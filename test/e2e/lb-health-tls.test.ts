/**
 * Health probes of https servers use the service transport's TLS settings (rootCAs,
 * insecureSkipVerify, serverName), in http and grpc mode. Certificates are made with the openssl
 * CLI in a temp dir: one self-signed certificate for `backend.test` only (no IP SAN).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import type { HealthCheckConfig } from '../../src/config/dynamic/types.js';
import type { ResolvedTransport } from '../../src/proxy/transport.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { encodeHealthCheckResponse, HEALTH_CHECK_PATH } from '../../src/services/loadbalancer/grpc-health.js';
import { createLoadBalancer, type LoadBalancerService } from '../../src/services/loadbalancer/load-balancer.js';
import { transportWith } from './forward-helpers.js';
import { healthCheck, lbConfig, serverTurns } from './lb-helpers.js';

void describe('health probes over TLS', () => {
  let dir = '';
  let cert = '';
  let key = '';
  let https: HttpsServer;
  let httpsUrl = '';
  let grpc: Server;
  let grpcUrl = '';
  let grpcStatus = 1;
  /** Resolvers waiting for the n-th probe (counted per server). */
  const probeCount = { https: 0, grpc: 0 };
  const waiters: { kind: 'https' | 'grpc'; n: number; resolve: () => void }[] = [];
  const pools = new UpstreamPools();
  let lb: LoadBalancerService | undefined;

  function probed(kind: 'https' | 'grpc'): void {
    probeCount[kind]++;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w !== undefined && w.kind === kind && probeCount[kind] >= w.n) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Resolves once `kind` received `more` further probes; rejects after 3 s. */
  function probes(kind: 'https' | 'grpc', more: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${more} ${kind} probes within 3s`)), 3000);
      waiters.push({
        kind,
        n: probeCount[kind] + more,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tpk-lb-tls-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=backend.test', '-addext', 'subjectAltName=DNS:backend.test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');

    https = createServer({ cert, key }, (req, res) => {
      if (req.url === '/health') probed('https');
      res.end('ok');
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;

    grpc = new Server();
    const service: ServiceDefinition = {
      Check: {
        path: HEALTH_CHECK_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: () => Buffer.alloc(0),
        requestDeserialize: () => ({}),
        responseSerialize: (v: { status: number }) => encodeHealthCheckResponse(v.status),
        responseDeserialize: () => ({ status: 0 }),
      },
    };
    grpc.addService(service, {
      Check: (_call: unknown, cb: (err: null, v: { status: number }) => void) => {
        probed('grpc');
        cb(null, { status: grpcStatus });
      },
    });
    const creds = ServerCredentials.createSsl(null, [{ private_key: Buffer.from(key), cert_chain: Buffer.from(cert) }]);
    const port = await new Promise<number>((res, rej) => grpc.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? rej(err) : res(p))));
    grpcUrl = `https://127.0.0.1:${port}`;
  });

  afterEach(() => {
    lb?.dispose();
    lb = undefined;
    grpcStatus = 1;
  });

  after(async () => {
    pools.close();
    https.closeAllConnections();
    await new Promise<void>((r) => https.close(() => r()));
    await new Promise<void>((r) => grpc.tryShutdown(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  function use(url: string, transport: ResolvedTransport, hc: Partial<HealthCheckConfig> = {}): LoadBalancerService {
    lb = createLoadBalancer(lbConfig([url], { healthCheck: healthCheck({ interval: 60, ...hc }) }), { pools, resolveTransport: () => transport });
    return lb;
  }

  const cases: { desc: string; transport: () => ResolvedTransport; up: boolean }[] = [
    { desc: 'rootCAs + serverName matching the certificate: UP', transport: () => transportWith({ rootCAs: [cert], serverName: 'backend.test' }), up: true },
    { desc: 'insecureSkipVerify: UP', transport: () => transportWith({ insecureSkipVerify: true }), up: true },
    { desc: 'default trust store (self-signed certificate): DOWN', transport: () => transportWith({}), up: false },
    { desc: 'rootCAs but no serverName (the IP is not in the certificate): DOWN', transport: () => transportWith({ rootCAs: [cert] }), up: false },
    { desc: 'rootCAs + a serverName the certificate does not name: DOWN', transport: () => transportWith({ rootCAs: [cert], serverName: 'other.test' }), up: false },
  ];
  for (const c of cases) {
    void it(`http mode: ${c.desc}`, async () => {
      const built = use(httpsUrl, c.transport());
      if (c.up) {
        // The second probe is sent only after the first one's result was taken.
        await probes('https', 2);
        assert.equal(built.health?.serverStatus?.get(httpsUrl), 'UP');
      } else {
        await serverTurns(built.health, httpsUrl, 'DOWN');
      }
    });
  }

  void it('grpc mode over TLS: SERVING is UP, NOT_SERVING DOWN', async () => {
    const built = use(grpcUrl, transportWith({ rootCAs: [cert], serverName: 'backend.test' }), { mode: 'grpc' });
    await probes('grpc', 2);
    assert.equal(built.health?.serverStatus?.get(grpcUrl), 'UP');
    grpcStatus = 2;
    await serverTurns(built.health, grpcUrl, 'DOWN');
  });

  void it('grpc mode over TLS with an untrusted certificate: DOWN', async () => {
    const built = use(grpcUrl, transportWith({}), { mode: 'grpc' });
    await serverTurns(built.health, grpcUrl, 'DOWN');
  });
});
