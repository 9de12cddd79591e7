import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caddyfile } from '../../../../bench/load/caddy.js';
import { isBenchHost } from '../../../../bench/load/constants.js';
import { haproxyConfig } from '../../../../bench/load/haproxy.js';
import { bigBody, nginxTlsListen, versionAtLeast } from '../../../../bench/load/nginx.js';
import { peerArgs } from '../../../../bench/load/peers/peer-args.js';
import { shortReason } from '../../../../bench/load/render.js';
import { scenarios } from '../../../../bench/load/scenarios.js';
import { turnpikeDynamic, turnpikeStatic } from '../../../../bench/load/turnpike.js';

void describe('haproxyConfig', () => {
  void it('plain: one thread, reuse always, Host ACL ignoring a port, 404 otherwise, no log line', () => {
    const c = haproxyConfig(8080, 9000, undefined);
    assert.match(c, /nbthread 1\n/);
    assert.match(c, /http-reuse always/);
    assert.match(c, /bind 127\.0\.0\.1:8080\n/);
    assert.match(c, /req\.hdr\(host\),field\(1,:\) -m str -i h500\.test/);
    assert.match(c, /http-request return status 404 unless bench_host/);
    assert.match(c, /server upstream 127\.0\.0\.1:9000\n/);
    assert.doesNotMatch(c, /^\s*log /m);
    assert.ok(c.endsWith('\n'), 'HAProxy refuses a last line without LF');
  });
  void it('TLS: crt and ALPN h2 on the bind line', () => {
    assert.match(haproxyConfig(8443, 9000, '/d/combined.pem'), /bind 127\.0\.0\.1:8443 ssl crt \/d\/combined\.pem alpn h2,http\/1\.1\n/);
  });
});

void describe('caddyfile', () => {
  void it('plain site on http://', () => assert.match(caddyfile('/d', 8080, 9000, undefined), /^http:\/\/h500\.test:8080 \{$/m));
  void it('TLS site with the file certificate', () => {
    const c = caddyfile('/d', 8443, 9000, { cert: '/d/c.pem', key: '/d/k.pem' });
    assert.match(c, /^https:\/\/:8443 \{$/m);
    assert.match(c, /^\tdefault_sni h500\.test$/m);
    assert.match(c, /^\ttls \/d\/c\.pem \/d\/k\.pem$/m);
    assert.match(c, /reverse_proxy 127\.0\.0\.1:9000/);
  });
});

void describe('nginx helpers', () => {
  const versions = [
    { desc: 'older minor', version: '1.22.1', min: '1.25.1', want: false },
    { desc: 'equal', version: '1.25.1', min: '1.25.1', want: true },
    { desc: 'newer patch', version: '1.25.3', min: '1.25.1', want: true },
    { desc: 'newer major', version: '2.0', min: '1.25.1', want: true },
  ];
  for (const c of versions) void it(`versionAtLeast: ${c.desc}`, () => assert.equal(versionAtLeast(c.version, c.min), c.want));
  void it('HTTP/2 syntax: listen ... http2 before 1.25.1, `http2 on` after', () => {
    const cert = { cert: '/c', key: '/k' };
    assert.equal(nginxTlsListen('1.22.1', cert).listen, 'ssl http2');
    assert.doesNotMatch(nginxTlsListen('1.22.1', cert).http, /http2 on/);
    assert.equal(nginxTlsListen('1.26.0', cert).listen, 'ssl');
    assert.match(nginxTlsListen('1.26.0', cert).http, /http2 on;/);
  });
  void it('bigBody is 16,384 bytes', () => assert.equal(Buffer.byteLength(bigBody()), 16_384));
});

void describe('turnpike configs', () => {
  void it('1 router: routes h500.test', () => {
    const y = turnpikeDynamic(1, 9000);
    assert.match(y, /rule: "Host\(`h500\.test`\)"/);
    assert.equal(y.match(/rule:/g)?.length, 1);
    assert.match(y, /url: "http:\/\/127\.0\.0\.1:9000"/);
  });
  void it('1,000 routers, each with its own service; h500.test among them', () => {
    const y = turnpikeDynamic(1000, 9000);
    assert.equal(y.match(/rule:/g)?.length, 1000);
    assert.equal(y.match(/loadBalancer:/g)?.length, 1000);
    assert.match(y, /r1:\n/);
    assert.match(y, /r1000:\n/);
    assert.match(y, /Host\(`h500\.test`\)/);
  });
  void it('static file sets the workers', () => assert.match(turnpikeStatic(8080, '/d/dyn.yml', 2), /^workers: 2$/m));
});

void describe('isBenchHost', () => {
  const cases = [
    { desc: 'exact', host: 'h500.test', want: true },
    { desc: 'with a port', host: 'h500.test:8080', want: true },
    { desc: 'longer name', host: 'h500.tests', want: false },
    { desc: 'other host', host: 'h1.test', want: false },
    { desc: 'missing', host: undefined, want: false },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(isBenchHost(c.host), c.want));
});

void describe('peerArgs', () => {
  void it('reads flags', () => assert.deepEqual(peerArgs(['--port', '8080', '--upstream-port=9000'], {}), { port: 8080, upstreamPort: 9000 }));
  void it('falls back to the environment', () => assert.deepEqual(peerArgs([], { BENCH_PORT: '1', BENCH_UPSTREAM_PORT: '2' }), { port: 1, upstreamPort: 2 }));
  void it('rejects a missing port', () => assert.throws(() => peerArgs(['--port', '1'], {}), /--upstream-port/));
});

void describe('scenarios', () => {
  void it('HTTP/1.1 bodies, then HTTPS/1.1 and HTTP/2 bodies when wanted', () => {
    const opts = { bodies: ['small', '16k'], h2Bodies: ['small'] } as const;
    assert.deepEqual(
      scenarios(opts, true).map((s) => [s.id, s.path]),
      [
        ['h1-small', '/'],
        ['h1-16k', '/16k'],
        ['h1s-small', '/'],
        ['h2-small', '/'],
      ],
    );
    assert.equal(scenarios(opts, false).length, 2);
    assert.match(scenarios(opts, true)[1]?.title ?? '', /HTTP\/1\.1 \(wrk\), 16 KiB body, GET \/16k/);
  });
});

void describe('shortReason', () => {
  void it("adds the log's first alert to a message pointing at the log", () => {
    const err = new Error('haproxy exited (code 1) before it was ready:\n[NOTICE] version\n[ALERT] cannot bind\n[ALERT] fatal');
    assert.equal(shortReason(err), 'haproxy exited (code 1) before it was ready: [ALERT] cannot bind');
  });
  void it('keeps a one-line message and caps the length', () => {
    assert.equal(shortReason('boom'), 'boom');
    assert.equal(shortReason('x'.repeat(500)).length, 160);
  });
});
