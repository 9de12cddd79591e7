/**
 * Reloading TLS without a restart (issue 5 item 4): a new configuration swaps the certificates for
 * new connections, and a certificate file replaced on disk (atomic rename, as deploy tools do, or
 * rewritten in place) is picked up with no configuration change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, writeFileSync, readFileSync } from 'node:fs';
import type { TlsConfig } from '../../src/config/dynamic/types.js';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { waitFor } from '../helpers/wait.js';
import { entryPointConfig } from './entrypoint-helpers.js';
import { CertDir, handshake, type CertFiles } from './tls-helpers.js';

describe('TLS reload', () => {
  const certs = new CertDir();
  let first: CertFiles;
  let second: CertFiles;
  let manager: TlsManager;
  let ep: HttpEntryPoint;
  let port: number;
  const reloads: number[] = [];

  before(async () => {
    first = certs.leaf('r.test', { name: 'first' });
    second = certs.leaf('r.test', { sans: ['r.test', 'second.test'], name: 'second' });
    // The file the configuration names: a copy of `first`, replaced later.
    copyFileSync(first.cert, certs.path('live.pem'));
    copyFileSync(first.key, certs.path('live.key'));
    manager = new TlsManager({ onReload: (d) => reloads.push(d.length), settleMs: 20 });
    manager.update({ certificates: [{ certFile: certs.path('live.pem'), keyFile: certs.path('live.key') }], options: {}, stores: {} });
    await manager.generatedDefault();
    ep = new HttpEntryPoint(entryPointConfig(), { hostname: 'test', tls: manager });
    ep.setHandler((ex) => ex.response.sendText(200, 'ok'));
    port = (await ep.listen()).port;
  });

  after(async () => {
    await ep.close(0);
    manager.close();
    certs.remove();
  });

  const fingerprint = async (servername: string): Promise<string | undefined> => (await handshake(port, { servername })).peer?.fingerprint256;

  it('a certificate file replaced on disk (atomic rename) is served without a configuration change', async () => {
    const before = await fingerprint('r.test');
    assert.ok(before !== undefined);
    // Key first, then the certificate, each written aside and renamed over the live file.
    writeFileSync(certs.path('live.key.tmp'), readFileSync(second.key));
    renameSync(certs.path('live.key.tmp'), certs.path('live.key'));
    writeFileSync(certs.path('live.pem.tmp'), readFileSync(second.cert));
    renameSync(certs.path('live.pem.tmp'), certs.path('live.pem'));
    const after = await waitFor('the new certificate', async () => {
      const f = await fingerprint('r.test');
      return f !== undefined && f !== before ? f : undefined;
    }, 10_000);
    assert.notEqual(after, before);
    // The new certificate's other name is served by it too.
    assert.equal(await fingerprint('second.test'), after);
    assert.ok(reloads.length > 0);
  });

  it('a certificate file rewritten in place is served too', async () => {
    const current = await fingerprint('r.test');
    writeFileSync(certs.path('live.key'), readFileSync(first.key));
    writeFileSync(certs.path('live.pem'), readFileSync(first.cert));
    const next = await waitFor('the first certificate again', async () => {
      const f = await fingerprint('r.test');
      return f !== undefined && f !== current ? f : undefined;
    }, 10_000);
    assert.notEqual(next, current);
    // second.test is gone with the second certificate: the default one answers.
    const h = await handshake(port, { servername: 'second.test' });
    assert.equal(h.peer?.subject?.CN, 'TRAEFIK DEFAULT CERT');
  });

  it('a reload that changed nothing TLS keeps the state, and its diagnostics; a new object rebuilds it', () => {
    const broken: TlsConfig = { certificates: [{ certFile: certs.path('missing.pem'), keyFile: certs.path('missing.key') }], options: {}, stores: {} };
    const m = new TlsManager({ watch: false });
    try {
      const uses = new Map();
      const first = m.update(broken, uses);
      assert.ok(first.length > 0, 'an unreadable certificate is reported');
      const { generation, state } = m;
      // The same section and TLS routers (a reload of a non-TLS router): nothing is rebuilt.
      assert.deepEqual(m.update(broken, uses), first);
      assert.equal(m.generation, generation);
      assert.equal(m.state, state);
      // An equal section in a new object, or new TLS routers: rebuilt.
      assert.deepEqual(m.update({ ...broken }, uses), first);
      assert.equal(m.generation, generation + 1);
      m.update({ ...broken }, new Map());
      assert.equal(m.generation, generation + 2);
      assert.deepEqual(m.update(undefined), []);
      assert.equal(m.generation, generation + 3);
    } finally {
      m.close();
    }
  });

  it('a new configuration swaps the certificates for new connections; established ones keep theirs', async () => {
    const open = await handshake(port, { servername: 'r.test', keep: true });
    assert.ok(open.ok);
    const tls: TlsConfig = { certificates: [{ certFile: second.cert, keyFile: second.key }], options: {}, stores: {} };
    manager.update(tls);
    const h = await handshake(port, { servername: 'second.test' });
    assert.equal(h.peer?.subject?.CN, 'r.test');
    assert.match(h.peer?.subjectaltname ?? '', /second\.test/);
    // The connection made before still works.
    const answer = await new Promise<string>((resolve) => {
      open.socket?.once('data', (d: Buffer) => resolve(d.toString('latin1')));
      open.socket?.write('GET / HTTP/1.1\r\nHost: r.test\r\n\r\n');
    });
    open.socket?.destroy();
    assert.match(answer, /^HTTP\/1\.1 200 /);
  });
});
