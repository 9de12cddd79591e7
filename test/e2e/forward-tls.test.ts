/**
 * HTTPS upstreams through a serversTransport: a throwaway CA and a server certificate for
 * `upstream.test` (only) made with the openssl CLI; the upstream is a real node:https server.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { forwardTo, send, startProxy, transportWith, type Proxy } from './forward-helpers.js';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

void describe('forwarder: https upstreams', () => {
  let dir: string;
  let caFile: string;
  let server: Server;
  let port: number;
  let connections = 0;
  const servernames: (string | false | null)[] = [];
  const proxies: Proxy[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tpk-fwd-tls-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Turnpike Test CA'], dir);
    openssl(['req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=upstream.test'], dir);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:upstream.test\n');
    openssl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf'], dir);
    caFile = join(dir, 'ca.pem');
    server = createServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) }, (req, res) => {
      servernames.push((req.socket as TLSSocket).servername);
      res.end(`secure ${req.url ?? ''}`);
    });
    server.on('secureConnection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    for (const p of proxies) await p.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function through(transport: Parameters<typeof transportWith>[0]) {
    const fwd = forwardTo(`https://127.0.0.1:${port}`, { transport: transportWith(transport) });
    const proxy = await startProxy(fwd.handler);
    proxies.push(proxy);
    return { proxy, fwd };
  }

  void it('rootCAs (file) + serverName: verified, SNI sent, connection reused', async () => {
    const { proxy } = await through({ rootCAs: [caFile], serverName: 'upstream.test' });
    const before = connections;
    for (let i = 0; i < 3; i++) {
      const r = await send(proxy.port, `/f${i}`);
      assert.equal(r.status, 200);
      assert.equal(r.body.toString(), `secure /f${i}`);
    }
    assert.equal(connections - before, 1, 'one TLS connection for three requests');
    assert.equal(servernames.at(-1), 'upstream.test');
  });

  void it('rootCAs as inline PEM', async () => {
    const { proxy } = await through({ rootCAs: [readFileSync(caFile, 'utf8')], serverName: 'upstream.test' });
    assert.equal((await send(proxy.port, '/inline')).status, 200);
  });

  void it('without rootCAs the private CA is not trusted: 502', async () => {
    const { proxy, fwd } = await through({ serverName: 'upstream.test' });
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 502);
    assert.equal(fwd.errors[0]?.code, 'TPK_ERR_UPSTREAM_UNREACHABLE');
  });

  void it('rootCAs but the certificate does not name the host dialled (no serverName): 502', async () => {
    const { proxy } = await through({ rootCAs: [caFile] });
    assert.equal((await send(proxy.port, '/')).status, 502);
  });

  void it('insecureSkipVerify: accepted without any CA', async () => {
    const { proxy } = await through({ insecureSkipVerify: true });
    const r = await send(proxy.port, '/insecure');
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'secure /insecure');
  });
});
