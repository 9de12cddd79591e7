import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IpSet } from '../../../src/net/ip.js';

void describe('IpSet', () => {
  const set = new IpSet(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '::ffff:172.16.0.0/108']);
  const cases: { desc: string; ip: string; want: boolean }[] = [
    { desc: 'inside an IPv4 CIDR', ip: '10.20.30.40', want: true },
    { desc: 'outside an IPv4 CIDR', ip: '11.0.0.1', want: false },
    { desc: 'exact IPv4', ip: '192.168.1.7', want: true },
    { desc: 'neighbour of an exact IPv4', ip: '192.168.1.8', want: false },
    { desc: 'inside an IPv6 CIDR', ip: '2001:db8:1::5', want: true },
    { desc: 'outside an IPv6 CIDR', ip: '2001:db9::1', want: false },
    { desc: 'exact IPv6', ip: '::1', want: true },
    { desc: 'IPv6 with a zone', ip: '::1%lo', want: true },
    { desc: 'IPv4-mapped peer matches an IPv4 entry', ip: '::ffff:10.1.1.1', want: true },
    { desc: 'IPv4 peer matches an IPv4-mapped CIDR entry', ip: '172.16.5.5', want: true },
    { desc: 'garbage', ip: 'nope', want: false },
    { desc: 'empty', ip: '', want: false },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(set.has(c.ip), c.want));

  void it('0.0.0.0/0 trusts every IPv4', () => {
    assert.equal(new IpSet(['0.0.0.0/0']).has('8.8.8.8'), true);
  });
  void it('rejects an invalid entry with its text in the message', () => {
    assert.throws(() => new IpSet(['10.0.0.0/33']), /10\.0\.0\.0\/33/);
    assert.throws(() => new IpSet(['example.com']), /example\.com/);
  });
});
