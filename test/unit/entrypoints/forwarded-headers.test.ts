import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ForwardedHeaders, hasToken, hostPort } from '../../../src/entrypoints/forwarded-headers.js';
import { HeaderList } from '../../../src/exchange/headers.js';

/** The parts of an exchange the step reads: headers, peer, host. */
function request(peer: string, host: string, raw: string[]): { headers: HeaderList; peer: { address: string; port: number }; host: string } {
  return { headers: new HeaderList(raw), peer: { address: peer, port: 40000 }, host };
}

const SPOOFED = [
  'X-Forwarded-For', '6.6.6.6',
  'X-Forwarded-Proto', 'https',
  'X-Forwarded-Host', 'evil.example',
  'X-Forwarded-Port', '8443',
  'X-Forwarded-Server', 'evil',
  'X-Forwarded-Uri', '/admin',
  'X-Forwarded-Method', 'DELETE',
  'X-Forwarded-Prefix', '/p',
  'X-Forwarded-Tls-Client-Cert', 'CERT',
  'X-Forwarded-Tls-Client-Cert-Info', 'INFO',
  'X-Forwarded-Scheme', 'https',
  'X-Scheme', 'https',
  'X-Real-Ip', '6.6.6.6',
  'X_Forwarded_For', '7.7.7.7',
  'x_real_ip', '7.7.7.7',
];

void describe('ForwardedHeaders', () => {
  const untrusting = new ForwardedHeaders({ trustedIPs: ['10.0.0.0/8'], insecure: false, hostname: 'proxy-1' });

  void it('untrusted peer: every managed header and underscore variant is replaced or removed', () => {
    const r = request('192.0.2.1', 'app.example:8080', ['Host', 'app.example:8080', ...SPOOFED, 'Accept', '*/*']);
    untrusting.apply(r, false);
    assert.deepEqual(r.headers.raw, [
      'Host', 'app.example:8080',
      'Accept', '*/*',
      'X-Real-Ip', '192.0.2.1',
      'X-Forwarded-Proto', 'http',
      'X-Forwarded-Port', '8080',
      'X-Forwarded-Host', 'app.example:8080',
      'X-Forwarded-Server', 'proxy-1',
    ]);
  });

  void it('trusted peer (CIDR): incoming values are kept, X-Forwarded-Server is overwritten', () => {
    const r = request('10.1.2.3', 'app.example', ['Host', 'app.example', ...SPOOFED]);
    untrusting.apply(r, false);
    const h = r.headers;
    assert.equal(h.get('x-forwarded-proto'), 'https');
    assert.equal(h.get('x-forwarded-host'), 'evil.example');
    assert.equal(h.get('x-forwarded-port'), '8443');
    assert.equal(h.get('x-real-ip'), '6.6.6.6');
    assert.equal(h.get('x-forwarded-for'), '6.6.6.6');
    assert.equal(h.get('x_forwarded_for'), '7.7.7.7');
    assert.equal(h.get('x-forwarded-uri'), '/admin');
    assert.deepEqual(h.getAll('x-forwarded-server'), ['proxy-1']);
  });

  void it('insecure: everyone is trusted', () => {
    const fh = new ForwardedHeaders({ trustedIPs: [], insecure: true, hostname: 'p' });
    const r = request('192.0.2.1', 'h', ['X-Forwarded-Proto', 'https', 'X-Real-Ip', '1.1.1.1']);
    fh.apply(r, false);
    assert.equal(r.headers.get('x-forwarded-proto'), 'https');
    assert.equal(r.headers.get('x-real-ip'), '1.1.1.1');
    assert.equal(r.headers.get('x-forwarded-port'), '443', 'port follows a trusted https proto');
  });

  void it('no trustedIPs and not insecure: nobody is trusted', () => {
    const fh = new ForwardedHeaders({ trustedIPs: [], insecure: false, hostname: 'p' });
    assert.equal(fh.trusts('127.0.0.1'), false);
  });

  void it('several X-Forwarded-For lines from a trusted peer are joined with ", "', () => {
    const r = request('10.0.0.1', 'h', ['X-Forwarded-For', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2, 3.3.3.3']);
    untrusting.apply(r, false);
    assert.deepEqual(r.headers.getAll('x-forwarded-for'), ['1.1.1.1, 2.2.2.2, 3.3.3.3']);
  });

  const protoCases: { desc: string; raw: string[]; tls: boolean; host: string; proto: string; port: string }[] = [
    { desc: 'plain http, no port in Host', raw: [], tls: false, host: 'h', proto: 'http', port: '80' },
    { desc: 'TLS, no port in Host', raw: [], tls: true, host: 'h', proto: 'https', port: '443' },
    { desc: 'port from Host wins', raw: [], tls: true, host: 'h:8443', proto: 'https', port: '8443' },
    { desc: 'IPv6 Host with port', raw: [], tls: false, host: '[::1]:81', proto: 'http', port: '81' },
    {
      desc: 'websocket upgrade -> ws',
      raw: ['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket'],
      tls: false,
      host: 'h',
      proto: 'ws',
      port: '80',
    },
    {
      desc: 'websocket upgrade over TLS -> wss',
      raw: ['Connection', 'Upgrade', 'Upgrade', 'WebSocket'],
      tls: true,
      host: 'h',
      proto: 'wss',
      port: '443',
    },
    { desc: 'Upgrade without Connection: upgrade is not websocket', raw: ['Upgrade', 'websocket'], tls: false, host: 'h', proto: 'http', port: '80' },
  ];
  for (const c of protoCases) {
    void it(`X-Forwarded-Proto/Port: ${c.desc}`, () => {
      const r = request('192.0.2.1', c.host, c.raw.slice());
      untrusting.apply(r, c.tls);
      assert.equal(r.headers.get('x-forwarded-proto'), c.proto);
      assert.equal(r.headers.get('x-forwarded-port'), c.port);
    });
  }

  void it('no host: X-Forwarded-Host is not set', () => {
    const r = request('192.0.2.1', '', []);
    untrusting.apply(r, false);
    assert.equal(r.headers.has('x-forwarded-host'), false);
  });

  void it('Connection-listed headers are removed, managed X headers are not, Connection goes', () => {
    const r = request('10.0.0.1', 'h', [
      'Connection', 'keep-alive, X-Secret, X-Forwarded-For',
      'Keep-Alive', 'timeout=5',
      'X-Secret', 's',
      'X-Forwarded-For', '1.1.1.1',
      'X-Other', 'o',
    ]);
    untrusting.apply(r, false);
    const h = r.headers;
    assert.equal(h.has('connection'), false);
    assert.equal(h.has('keep-alive'), false);
    assert.equal(h.has('x-secret'), false);
    assert.equal(h.get('x-forwarded-for'), '1.1.1.1');
    assert.equal(h.get('x-other'), 'o');
  });

  void it('upgrade: Connection becomes "Upgrade" and Upgrade is kept', () => {
    const r = request('192.0.2.1', 'h', ['Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k']);
    untrusting.apply(r, false);
    assert.equal(r.headers.get('connection'), 'Upgrade');
    assert.equal(r.headers.get('upgrade'), 'websocket');
    assert.equal(r.headers.get('sec-websocket-key'), 'k');
  });

  void it('Connection: upgrade with an empty Upgrade header drops both', () => {
    const r = request('192.0.2.1', 'h', ['Connection', 'Upgrade', 'Upgrade', '']);
    untrusting.apply(r, false);
    assert.equal(r.headers.has('connection'), false);
    assert.equal(r.headers.has('upgrade'), false);
  });

  void it('X-Real-Ip carries the IPv6 peer as given (zone already stripped by the front end)', () => {
    const r = request('2001:db8::5', 'h', []);
    untrusting.apply(r, false);
    assert.equal(r.headers.get('x-real-ip'), '2001:db8::5');
  });
});

void describe('hasToken / hostPort', () => {
  void it('hasToken is case-insensitive and trims', () => {
    assert.equal(hasToken('keep-alive ,  UPGRADE', 'upgrade'), true);
    assert.equal(hasToken('upgrades', 'upgrade'), false);
    assert.equal(hasToken(undefined, 'upgrade'), false);
  });
  const cases: { desc: string; host: string; want: string }[] = [
    { desc: 'name:port', host: 'a:81', want: '81' },
    { desc: 'name only', host: 'a', want: '' },
    { desc: 'bracketed v6 with port', host: '[::1]:82', want: '82' },
    { desc: 'bracketed v6 without port', host: '[::1]', want: '' },
    { desc: 'bare v6 (too many colons)', host: '::1', want: '' },
  ];
  for (const c of cases) void it(`hostPort: ${c.desc}`, () => assert.equal(hostPort(c.host), c.want));
});
