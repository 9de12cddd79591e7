/**
 * The HTTP/2 front end plugged into the entry point's connection listener (connection-listener.ts)
 * next to the HTTP/1.1 socket front end: one plain port serving HTTP/1.1 and h2c (prior
 * knowledge), the preface sent whole or byte by byte, and a graceful stop that sends GOAWAY.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConnectionListener } from '../../src/entrypoints/connection-listener.js';
import type { ExchangeSink } from '../../src/entrypoints/front-end.js';
import { Http2FrontEnd, http2Options } from '../../src/entrypoints/h2/h2-front-end.js';
import { HTTP2_PREFACE, isHttp2Preface } from '../../src/entrypoints/h2/preface.js';
import { frontEndOptions } from '../../src/entrypoints/http-entrypoint.js';
import { SocketFrontEnd } from '../../src/entrypoints/socket/socket-front-end.js';
import { TlsManager } from '../../src/tls/tls-manager.js';
import { entryPointConfig, httpRequest, within } from './entrypoint-helpers.js';
import { clientSession, h2request, makeCert, type TestCert } from './h2-helpers.js';

const run = promisify(execFile);

describe('HTTP/2 front end behind the connection listener (one port: HTTP/1.1, h2c, TLS with ALPN h2)', () => {
  let listener: ConnectionListener;
  let h2: Http2FrontEnd;
  let port = 0;
  let cert: TestCert;
  let manager: TlsManager;
  const sink: ExchangeSink & { draining: boolean } = {
    draining: false,
    dispatch: (ex) => ex.response.sendText(200, `${ex.httpVersion} ${ex.path} ${ex.tls?.alpn ?? 'plain'}`),
    finished: () => {},
  };

  before(async () => {
    cert = makeCert();
    manager = new TlsManager({ watch: false });
    manager.update({ certificates: [], options: {}, stores: { default: { defaultCertificate: { certFile: cert.certFile, keyFile: cert.keyFile } } } });
    const cfg = entryPointConfig();
    const fe = frontEndOptions(cfg, {});
    h2 = new Http2FrontEnd(fe, sink, http2Options(cfg));
    listener = new ConnectionListener({
      entryPoint: 'web',
      http1: new SocketFrontEnd(fe, sink),
      http2: { frontEnd: h2, isPreface: isHttp2Preface },
      tls: manager,
      firstByteTimeout: 5000,
      handshakeTimeout: 5000,
    });
    port = (await listener.listen('127.0.0.1', 0)).port;
  });

  after(async () => {
    sink.draining = true;
    listener.stopAccepting();
    listener.destroyAll();
    await within(listener.closed(), 5000, 'listener closed');
    manager.close();
    cert.dispose();
  });

  it('serves HTTP/1.1 and h2c on the same port', async () => {
    const r1 = await within(httpRequest(port, { path: '/one' }), 5000, 'HTTP/1.1');
    assert.equal(r1.body, '1.1 /one plain');
    const s = clientSession(port);
    try {
      const r2 = await within(h2request(s, { ':path': '/two' }), 5000, 'h2c');
      assert.equal(r2.body.toString(), '2.0 /two plain');
    } finally {
      s.close();
    }
  });

  it('TLS: ALPN h2 goes to the HTTP/2 front end, http/1.1 to the HTTP/1.1 one', async () => {
    const s = clientSession(port, true);
    try {
      const r = await within(h2request(s, { ':path': '/tls' }), 5000, 'h2 over TLS');
      assert.equal(r.body.toString(), '2.0 /tls h2');
    } finally {
      s.close();
    }
    const curl = await run('curl', ['-s', '-k', '--http2', '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/curl`], { timeout: 10_000 });
    assert.equal(curl.stdout, '2.0 /curl h2');
    const curl1 = await run('curl', ['-s', '-k', '--http1.1', '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/one`], { timeout: 10_000 });
    assert.equal(curl1.stdout, '1.1 /one http/1.1');
  });

  it('takes a preface that arrives in small pieces (the first chunk only a prefix)', async () => {
    // A raw client: preface in 3 writes, then SETTINGS, then HEADERS for GET / (HPACK: indexed
    // :method GET (2), :scheme http (6), :path / (4), literal :authority "x").
    const frames = Buffer.concat([
      Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), // SETTINGS, empty
      Buffer.from([0, 0, 6, 1, 5, 0, 0, 0, 1, 0x82, 0x86, 0x84, 0x41, 0x01, 0x78]), // HEADERS END_STREAM|END_HEADERS, stream 1
    ]);
    const sock = connect(port, '127.0.0.1');
    try {
      const got = new Promise<Buffer>((resolve) => {
        let all = Buffer.alloc(0);
        sock.on('data', (d: Buffer) => {
          all = Buffer.concat([all, d]);
          if (all.includes('2.0 /')) resolve(all);
        });
      });
      await new Promise((r) => sock.once('connect', r));
      sock.write(HTTP2_PREFACE.subarray(0, 3));
      await new Promise((r) => setImmediate(r));
      sock.write(HTTP2_PREFACE.subarray(3, 10));
      await new Promise((r) => setImmediate(r));
      sock.write(Buffer.concat([HTTP2_PREFACE.subarray(10), frames]));
      const data = await within(got, 5000, 'an HTTP/2 answer');
      assert.ok(data.includes('2.0 /'));
    } finally {
      sock.destroy();
    }
  });

  it('a graceful stop sends GOAWAY to an idle h2c session', async () => {
    const s = clientSession(port);
    try {
      await within(h2request(s, { ':path': '/warm' }), 5000, 'warm-up');
      const goaway = new Promise((r) => s.once('goaway', r));
      sink.draining = true;
      listener.closeIdle();
      await within(goaway, 5000, 'GOAWAY');
      await within(new Promise((r) => s.once('close', r)), 5000, 'session closed');
    } finally {
      sink.draining = false;
      s.close();
    }
  });
});
