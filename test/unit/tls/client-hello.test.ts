/** The ClientHello reader: SNI and ALPN off real node:tls ClientHellos, partial and bad input. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { parseClientHello } from '../../../src/tls/client-hello.js';

function capture(opts: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  return new Promise((resolve) => {
    const srv = createServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        srv.close();
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      const c = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts });
      c.on('error', () => {});
    });
  });
}

describe('parseClientHello', () => {
  it('reads the server name (lower-cased) and the ALPN list', async () => {
    const hello = await capture({ servername: 'Example.TEST', ALPNProtocols: ['h2', 'http/1.1'] });
    const r = parseClientHello(hello);
    assert.deepEqual(r, { kind: 'hello', serverName: 'example.test', alpn: ['h2', 'http/1.1'] });
  });

  it('no SNI, no ALPN', async () => {
    const r = parseClientHello(await capture({ servername: '' }));
    assert.deepEqual(r, { kind: 'hello', serverName: undefined, alpn: [] });
  });

  it('waits for the rest of a hello cut anywhere', async () => {
    const hello = await capture({ servername: 'a.test' });
    for (const cut of [1, 4, 5, 9, 40, hello.length - 1]) assert.equal(parseClientHello(hello.subarray(0, cut)).kind, 'incomplete', `cut ${cut}`);
  });

  it('joins a hello split over two records', async () => {
    const hello = await capture({ servername: 'split.test' });
    const body = hello.subarray(5);
    const half = 50;
    const rec = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0x16, 3, 1, b.length >> 8, b.length & 255]), b]);
    const r = parseClientHello(Buffer.concat([rec(body.subarray(0, half)), rec(body.subarray(half))]));
    assert.equal(r.kind === 'hello' && r.serverName, 'split.test');
  });

  const bad: { desc: string; bytes: number[] }[] = [
    { desc: 'not a handshake record', bytes: [0x17, 3, 1, 0, 5, 1, 0, 0, 1, 0] },
    { desc: 'unknown record version', bytes: [0x16, 9, 1, 0, 5, 1, 0, 0, 1, 0] },
    { desc: 'zero-length record', bytes: [0x16, 3, 1, 0, 0] },
    { desc: 'not a ClientHello', bytes: [0x16, 3, 1, 0, 4, 2, 0, 0, 0] },
    { desc: 'truncated body', bytes: [0x16, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0] },
  ];
  for (const c of bad) {
    it(`invalid: ${c.desc}`, () => assert.equal(parseClientHello(Buffer.from(c.bytes)).kind, 'invalid'));
  }
});
