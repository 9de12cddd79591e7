/** ipStrategy and sourceCriterion pickers (Traefik's pkg/ip strategies) on plain exchange data. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Exchange } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { IpSet } from '../../../../src/net/ip.js';
import { createIpStrategy, firstNotExcluded, ipv6Prefix, xffFromRight } from '../../../../src/middlewares/ip-strategy/ip-strategy.js';
import { createSourceOf } from '../../../../src/middlewares/source-criterion/source-criterion.js';

/** Only what the pickers read. */
function exchange(peer: string, headers: string[] = [], host = 'app.test:8080'): Exchange {
  return { peer: { address: peer, port: 40000 }, headers: new HeaderList(headers), host } as unknown as Exchange;
}

void describe('xffFromRight', () => {
  const cases: { desc: string; xff: string; depth: number; want: string }[] = [
    { desc: 'rightmost', xff: '1.1.1.1, 2.2.2.2, 3.3.3.3', depth: 1, want: '3.3.3.3' },
    { desc: 'second from the right', xff: '1.1.1.1, 2.2.2.2, 3.3.3.3', depth: 2, want: '2.2.2.2' },
    { desc: 'leftmost', xff: '1.1.1.1, 2.2.2.2, 3.3.3.3', depth: 3, want: '1.1.1.1' },
    { desc: 'too deep', xff: '1.1.1.1, 2.2.2.2, 3.3.3.3', depth: 4, want: '' },
    { desc: 'no header', xff: '', depth: 1, want: '' },
    { desc: 'no header, depth 2', xff: '', depth: 2, want: '' },
    { desc: 'empty entry kept as empty', xff: ',5.5.5.5', depth: 2, want: '' },
    { desc: 'no spaces', xff: '1.1.1.1,2.2.2.2', depth: 2, want: '1.1.1.1' },
    { desc: 'not validated', xff: 'unknown, 2.2.2.2', depth: 2, want: 'unknown' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(xffFromRight(c.xff, c.depth), c.want));
});

void describe('firstNotExcluded', () => {
  const set = new IpSet(['10.0.0.0/8', '2001:db8::/32']);
  const cases: { desc: string; xff: string; want: string }[] = [
    { desc: 'skips excluded proxies from the right', xff: '1.1.1.1, 10.0.0.2, 10.0.0.1', want: '1.1.1.1' },
    { desc: 'the rightmost when not excluded', xff: '1.1.1.1, 2.2.2.2', want: '2.2.2.2' },
    { desc: 'IPv6 excluded', xff: '3.3.3.3,2001:db8::1', want: '3.3.3.3' },
    { desc: 'all excluded', xff: '10.1.1.1, 10.2.2.2', want: '' },
    { desc: 'empty entries skipped', xff: '4.4.4.4, , 10.0.0.1', want: '4.4.4.4' },
    { desc: 'no header', xff: '', want: '' },
    { desc: 'a non-IP entry is not excluded', xff: 'garbage, 10.0.0.1', want: 'garbage' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(firstNotExcluded(c.xff, set), c.want));
});

void describe('ipv6Prefix', () => {
  const cases: { desc: string; ip: string; bits: number; want: string }[] = [
    { desc: '/64', ip: '2001:db8:1:2:3:4:5:6', bits: 64, want: '2001:db8:1:2::' },
    { desc: '/48', ip: '2001:db8:abcd:12:ffff::1', bits: 48, want: '2001:db8:abcd::' },
    { desc: '/128 keeps it (canonical text)', ip: '2001:0db8:0000:0000:0000:0000:0000:0001', bits: 128, want: '2001:db8::1' },
    { desc: '/56 inside a group', ip: '2001:db8:1:2ff::9', bits: 56, want: '2001:db8:1:200::' },
    { desc: 'IPv4 unchanged', ip: '192.0.2.7', bits: 64, want: '192.0.2.7' },
    { desc: 'not an IP unchanged', ip: 'nope', bits: 64, want: 'nope' },
    { desc: 'longest zero run compressed', ip: '1:0:0:2:0:0:0:3', bits: 128, want: '1:0:0:2::3' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(ipv6Prefix(c.ip, c.bits), c.want));
});

void describe('createIpStrategy', () => {
  const xff = ['X-Forwarded-For', '9.9.9.9, 10.0.0.5'];
  void it('remote address by default (X-Forwarded-For ignored)', () => {
    assert.equal(createIpStrategy({ depth: 0, excludedIPs: [], ipv6Subnet: undefined })(exchange('127.0.0.1', xff)), '127.0.0.1');
  });
  void it('depth takes precedence over excludedIPs', () => {
    assert.equal(createIpStrategy({ depth: 1, excludedIPs: ['10.0.0.0/8'], ipv6Subnet: undefined })(exchange('127.0.0.1', xff)), '10.0.0.5');
  });
  void it('excludedIPs', () => {
    assert.equal(createIpStrategy({ depth: 0, excludedIPs: ['10.0.0.0/8'], ipv6Subnet: undefined })(exchange('127.0.0.1', xff)), '9.9.9.9');
  });
  void it('ipv6Subnet on the remote address', () => {
    assert.equal(createIpStrategy({ depth: 0, excludedIPs: [], ipv6Subnet: 64 })(exchange('2001:db8::1:2')), '2001:db8::');
  });
  void it('ipv6Subnet on a depth entry', () => {
    const ex = exchange('127.0.0.1', ['x-forwarded-for', '2001:db8:0:0:aaaa::1']);
    assert.equal(createIpStrategy({ depth: 1, excludedIPs: [], ipv6Subnet: 32 })(ex), '2001:db8::');
  });
});

void describe('createSourceOf', () => {
  void it('request header: first value, case-insensitive name, empty when absent', () => {
    const of = createSourceOf({ kind: 'requestHeaderName', headerName: 'X-Api-Key' });
    assert.equal(of(exchange('1.1.1.1', ['x-api-key', 'k1', 'X-API-KEY', 'k2'])), 'k1');
    assert.equal(of(exchange('1.1.1.1')), '');
  });
  void it('request host, port included', () => {
    assert.equal(createSourceOf({ kind: 'requestHost' })(exchange('1.1.1.1', [], 'a.test:81')), 'a.test:81');
  });
});
