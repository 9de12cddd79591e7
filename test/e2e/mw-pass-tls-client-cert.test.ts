/**
 * passTLSClientCert over real mutual TLS: a node:https client presenting openssl-made client
 * certificates (a leaf alone, and a leaf plus its intermediate) -> a real HttpEntryPoint
 * terminating TLS (TlsManager, clientAuthType RequestClientCert) -> the middleware -> a handler
 * that echoes the two headers. The peer is trusted (forwardedHeaders.trustedIPs) so that forged
 * headers pass the entry point and the middleware itself must drop them.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TLS_OPTIONS } from '../../src/config/dynamic/schema/tls.js';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import { passTLSClientCert } from '../../src/middlewares/pass-tls-client-cert/pass-tls-client-cert.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { type TestCerts, makeTestCerts } from '../unit/middlewares/pass-tls-client-cert/certs.js';
import { entryPointConfig, within } from './entrypoint-helpers.js';
import { CertDir, type CertFiles } from './tls-helpers.js';

function echo(ex: Exchange): void {
  const body = JSON.stringify({ cert: ex.headers.get('x-forwarded-tls-client-cert') ?? null, info: ex.headers.get('x-forwarded-tls-client-cert-info') ?? null });
  ex.response.sendText(200, body);
}

function cleanPem(pem: string): string {
  return pem.replace('-----BEGIN CERTIFICATE-----', '').replace('-----END CERTIFICATE-----', '').replaceAll('\n', '');
}

interface Echoed {
  cert: string | null;
  info: string | null;
}

describe('passTLSClientCert over mutual TLS', () => {
  const dir = new CertDir();
  let certs: TestCerts;
  let server: CertFiles;
  let manager: TlsManager;
  let ep: HttpEntryPoint;
  let port = 0;

  before(async () => {
    certs = await makeTestCerts();
    server = dir.leaf('mtls.test', { sans: ['mtls.test'] });
    manager = new TlsManager({ watch: false });
    const diagnostics = manager.update({
      certificates: [{ certFile: server.cert, keyFile: server.key }],
      options: { default: { ...DEFAULT_TLS_OPTIONS, clientAuth: { caFiles: [], clientAuthType: 'RequestClientCert' } } },
      stores: {},
    });
    assert.deepEqual(
      diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const mw = passTLSClientCert.create(
      {
        pem: true,
        info: {
          notAfter: true,
          notBefore: true,
          sans: true,
          serialNumber: true,
          subject: { country: false, province: false, locality: false, organization: true, organizationalUnit: true, commonName: true, serialNumber: false, domainComponent: false },
          issuer: { country: false, province: false, locality: false, organization: false, organizationalUnit: false, commonName: true, serialNumber: false, domainComponent: false },
        },
      },
      { name: 'certs@file', middleware: () => assert.fail(), service: () => assert.fail() },
    );
    ep = new HttpEntryPoint(entryPointConfig({ trustedIPs: ['127.0.0.1'] }), { hostname: 'test', tls: manager });
    ep.setHandler(mw(echo));
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(0);
    manager.close();
    dir.remove();
    await rm(certs.dir, { recursive: true, force: true });
  });

  function call(client: { cert: string; key: string } | undefined, headers: Record<string, string> = {}): Promise<Echoed> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          servername: 'mtls.test',
          path: '/',
          headers: { host: 'mtls.test', ...headers },
          ca: dir.read(server.cert),
          agent: false,
          ...(client ?? {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            try {
              resolve(JSON.parse(text) as Echoed);
            } catch (err) {
              reject(new Error(`status ${res.statusCode ?? 0}: ${text}: ${String(err)}`));
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  const key = (name: string): string => dir.read(join(certs.dir, `${name}.key`));

  it('a client certificate: its PEM body and info reach the backend', async () => {
    const r = await within(call({ cert: certs.pem.complete, key: key('complete') }), 5000, 'the answer');
    assert.equal(r.cert, cleanPem(certs.pem.complete));
    assert.equal(
      decodeURIComponent((r.info ?? '').replaceAll('+', ' ')),
      'Subject="O=Cheese,O=Cheese 2,OU=Simple Signing Section,OU=Simple Signing Section 2,CN=*.cheese.com";Issuer="CN=Simple Signing CA 2";SerialNumber="1";NB="1544094616";NA="1607166616";SAN="*.cheese.org,*.cheese.net,*.cheese.com,test@cheese.org,test@cheese.net,10.0.1.0,10.0.1.2"',
    );
  });

  // Guards the front end's order of calls: in Node 20 a getPeerX509Certificate() before
  // getPeerCertificate(true) makes the detailed peer certificate lose its issuer chain.
  it('a chain the client sends (leaf + intermediate): both certificates, leaf first', async () => {
    const r = await within(call({ cert: certs.pem.chained + certs.pem.intermediate, key: key('chained') }), 5000, 'the answer');
    assert.equal(r.cert, `${cleanPem(certs.pem.chained)},${cleanPem(certs.pem.intermediate)}`);
    const info = decodeURIComponent((r.info ?? '').replaceAll('+', ' '));
    const [leaf, intermediate] = info.split(',Subject=');
    assert.match(leaf ?? '', /^Subject="O=Cheese,OU=Clients,CN=chained-client";Issuer="CN=Cheese Intermediate CA";SerialNumber="17";NB="1577836800";NA="2208988800";SAN="client.cheese.org"$/);
    assert.match(intermediate ?? '', /^"O=Cheese,CN=Cheese Intermediate CA";Issuer="CN=Simple Signing CA 2";SerialNumber="16";/);
  });

  it('no client certificate: forged headers from a trusted peer are removed', async () => {
    const r = await within(call(undefined, { 'X-Forwarded-Tls-Client-Cert': 'forged', 'X-Forwarded-Tls-Client-Cert-Info': 'Subject%3D%22CN%3Dadmin%22' }), 5000, 'the answer');
    assert.deepEqual(r, { cert: null, info: null });
  });

  it('with a client certificate: forged headers are replaced', async () => {
    const r = await within(call({ cert: certs.pem.minimal, key: key('minimal') }, { 'X-Forwarded-Tls-Client-Cert': 'forged' }), 5000, 'the answer');
    assert.equal(r.cert, cleanPem(certs.pem.minimal));
  });
});
