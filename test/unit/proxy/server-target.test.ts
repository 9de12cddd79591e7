import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinPath, parseServerUrl } from '../../../src/proxy/server-target.js';

void describe('parseServerUrl', () => {
  const ok = [
    { desc: 'http with port', url: 'http://10.0.0.1:8080', want: { scheme: 'http', host: '10.0.0.1', port: 8080, hostHeader: '10.0.0.1:8080', pathPrefix: null, origin: 'http://10.0.0.1:8080' } },
    { desc: 'http default port', url: 'http://svc', want: { scheme: 'http', host: 'svc', port: 80, hostHeader: 'svc', pathPrefix: null, origin: 'http://svc:80' } },
    { desc: 'https default port', url: 'https://svc.example/', want: { scheme: 'https', host: 'svc.example', port: 443, hostHeader: 'svc.example', pathPrefix: null, origin: 'https://svc.example:443' } },
    { desc: 'IPv6 literal', url: 'http://[::1]:9000', want: { scheme: 'http', host: '::1', port: 9000, hostHeader: '[::1]:9000', pathPrefix: null, origin: 'http://[::1]:9000' } },
    { desc: 'path ignored without preservePath', url: 'http://a:1/base/x?q=1', want: { scheme: 'http', host: 'a', port: 1, hostHeader: 'a:1', pathPrefix: null, origin: 'http://a:1' } },
    { desc: 'upper-case host is lowered', url: 'http://SVC:1', want: { scheme: 'http', host: 'svc', port: 1, hostHeader: 'svc:1', pathPrefix: null, origin: 'http://svc:1' } },
    { desc: 'h2c with port', url: 'h2c://10.0.0.1:50051', want: { scheme: 'h2c', host: '10.0.0.1', port: 50051, hostHeader: '10.0.0.1:50051', pathPrefix: null, origin: 'h2c://10.0.0.1:50051' } },
    { desc: 'h2c default port, host lowered', url: 'h2c://GRPC.svc', want: { scheme: 'h2c', host: 'grpc.svc', port: 80, hostHeader: 'grpc.svc', pathPrefix: null, origin: 'h2c://grpc.svc:80' } },
    { desc: 'h2c IPv6', url: 'h2c://[::1]:9', want: { scheme: 'h2c', host: '::1', port: 9, hostHeader: '[::1]:9', pathPrefix: null, origin: 'h2c://[::1]:9' } },
  ];
  for (const c of ok) {
    void it(c.desc, () => {
      const t = parseServerUrl(c.url);
      assert.deepEqual({ scheme: t.scheme, host: t.host, port: t.port, hostHeader: t.hostHeader, pathPrefix: t.pathPrefix, origin: t.origin }, c.want);
      assert.equal(t.url, c.url);
    });
  }

  void it('preservePath keeps the path as prefix', () => {
    assert.equal(parseServerUrl('http://a:1/base', true).pathPrefix, '/base');
    assert.equal(parseServerUrl('http://a:1/', true).pathPrefix, null);
  });

  const bad = [
    { desc: 'not a URL', url: 'a:b:c', want: /invalid server URL|unsupported scheme/ },
    { desc: 'relative', url: '/x', want: /invalid server URL/ },
    { desc: 'another scheme', url: 'ws://a:1', want: /unsupported scheme "ws"/ },
    { desc: 'credentials', url: 'http://u:p@a:1', want: /credentials/ },
  ];
  for (const c of bad) {
    void it(`rejects: ${c.desc}`, () => assert.throws(() => parseServerUrl(c.url), c.want));
  }
});

void describe('joinPath', () => {
  const table = [
    { desc: 'both slashes', a: '/base/', b: '/p', want: '/base/p' },
    { desc: 'no slashes', a: '/base', b: 'p', want: '/base/p' },
    { desc: 'one slash', a: '/base', b: '/p', want: '/base/p' },
    { desc: 'root request', a: '/base', b: '/', want: '/base/' },
  ];
  for (const c of table) void it(c.desc, () => assert.equal(joinPath(c.a, c.b), c.want));
});
