/**
 * Bad TLS input (issue 5 item 8): garbage after a handshake byte, a truncated ClientHello, an
 * unknown SNI with sniStrict, an expired client certificate, and a client that completes the
 * handshake and then says nothing. Each is refused or closed within its bound while a steady load
 * of plain and TLS requests runs on the same port with zero failures.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect, createServer, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TlsOptionsConfig } from '../../src/config/dynamic/types.js';
import { DEFAULT_TLS_OPTIONS } from '../../src/config/dynamic/schema/tls.js';
import { HttpEntryPoint } from '../../src/entrypoints/http-entrypoint.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { entryPointConfig } from './entrypoint-helpers.js';
import { CertDir, handshake, type CertFiles } from './tls-helpers.js';

/** A real ClientHello, as node:tls sends it for `servername`. */
async function captureClientHello(servername: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const srv = createServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        srv.close();
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as { port: number };
      const c = tlsConnect({ host: '127.0.0.1', port: addr.port, servername, rejectUnauthorized: false });
      c.on('error', () => {});
    });
    srv.on('error', reject);
  });
}

/** Sends `bytes` and resolves with ms until the server closed the connection (or -1 after `boundMs`). */
function closedWithin(port: number, bytes: Buffer, boundMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const s: Socket = connect(port, '127.0.0.1', () => s.write(bytes));
    const timer = setTimeout(() => {
      s.destroy();
      resolve(-1);
    }, boundMs);
    s.on('error', () => {});
    s.on('data', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('bad TLS input is refused while a steady load runs', () => {
  const certs = new CertDir();
  let ca: CertFiles;
  let expired: CertFiles;
  let manager: TlsManager;
  let ep: HttpEntryPoint;
  let port: number;
  let stop = false;
  let ok = 0;
  const failures: string[] = [];
  let load: Promise<void>[] = [];
  const plainAgent = new HttpAgent({ keepAlive: true, maxSockets: 2 });
  const tlsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: false, servername: 'a.test' });

  before(async () => {
    ca = certs.ca();
    // Made before the load starts: node-forge's RSA key generation blocks this process a while.
    expired = certs.expiredClient('old', ca);
    const server = certs.leaf('a.test', { sans: ['a.test', 'verify.test'] });
    manager = new TlsManager({ watch: false });
    const strict: TlsOptionsConfig = { ...DEFAULT_TLS_OPTIONS, sniStrict: true };
    const verify: TlsOptionsConfig = { ...DEFAULT_TLS_OPTIONS, clientAuth: { caFiles: [ca.cert], clientAuthType: 'RequireAndVerifyClientCert' } };
    manager.update(
      { certificates: [{ certFile: server.cert, keyFile: server.key }], options: { default: strict, 'verify@file': verify }, stores: {} },
      new Map([['web', [{ router: 'v@file', options: 'verify@file', hosts: ['verify.test'], known: true }]]]),
    );
    await manager.generatedDefault(); // made before the load starts (an RSA key: seconds on a busy box)
    ep = new HttpEntryPoint(entryPointConfig({ timeouts: { readTimeout: 1000, idleTimeout: 1000 } }), { hostname: 'test', tls: manager });
    ep.setHandler((ex) => ex.response.sendText(200, 'ok'));
    port = (await ep.listen()).port;

    const one = (secure: boolean): Promise<void> =>
      new Promise((resolve) => {
        const opts = { host: '127.0.0.1', port, path: '/', headers: { host: 'a.test' } };
        const done = (err?: string): void => {
          if (err !== undefined) failures.push(`${secure ? 'tls' : 'plain'}: ${err}`);
          else ok++;
          resolve();
        };
        const req = secure ? httpsRequest({ ...opts, agent: tlsAgent, servername: 'a.test' }) : httpRequest({ ...opts, agent: plainAgent });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode === 200 ? undefined : `status ${res.statusCode}`));
        });
        req.on('error', (e) => done(e.message));
        req.end();
      });
    const loop = async (secure: boolean): Promise<void> => {
      while (!stop) await one(secure);
    };
    load = [loop(false), loop(false), loop(true), loop(true)];
  });

  after(async () => {
    stop = true;
    await Promise.all(load);
    plainAgent.destroy();
    tlsAgent.destroy();
    await ep.close(0);
    manager.close();
    certs.remove();
  });

  it('garbage after the handshake byte: closed at once', async () => {
    const ms = await closedWithin(port, Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x20, 0x07]), Buffer.alloc(40, 0xab)]), 3000);
    assert.ok(ms >= 0 && ms < 1000, `closed after ${ms} ms`);
    const ms2 = await closedWithin(port, Buffer.concat([Buffer.from([0x16]), Buffer.from('GET / HTTP/1.1\r\n\r\n')]), 3000);
    assert.ok(ms2 >= 0 && ms2 < 1000, `closed after ${ms2} ms`);
  });

  it('a truncated ClientHello: closed within the head timeout', async () => {
    const hello = await captureClientHello('a.test');
    const ms = await closedWithin(port, hello.subarray(0, Math.floor(hello.length / 2)), 4000);
    assert.ok(ms >= 900 && ms < 3000, `closed after ${ms} ms`);
  });

  it('an unknown SNI with sniStrict: handshake refused', async () => {
    assert.equal((await handshake(port, { servername: 'unknown.test' })).ok, false);
    assert.equal((await handshake(port, { servername: 'a.test' })).ok, true);
  });

  it('an expired client certificate: refused', async () => {
    const h = await handshake(port, { servername: 'verify.test', cert: certs.read(expired.cert), key: certs.read(expired.key), waitClose: true });
    assert.equal(h.ok, false);
  });

  it('a client that handshakes and says nothing: closed within the bound', async () => {
    const h = await handshake(port, { servername: 'a.test', keep: true });
    assert.ok(h.ok);
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 4000);
      h.socket?.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const ms = Date.now() - started;
    h.socket?.destroy();
    assert.ok(ms < 3000, `still open after ${ms} ms`);
  });

  it('the steady load saw no failure', () => {
    assert.deepEqual(failures, []);
    assert.ok(ok > 20, `only ${ok} requests`);
  });
});
