import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TrustedIps, parseIPv4, parseIPv6 } from '../../../src/entrypoints/trusted-ips.js';

void describe('parseIPv4', () => {
  const cases: { desc: string; s: string; want: number }[] = [
    { desc: 'loopback', s: '127.0.0.1', want: 0x7f000001 },
    { desc: 'max', s: '255.255.255.255', want: 0xffffffff },
    { desc: 'octet too big', s: '256.0.0.1', want: -1 },
    { desc: 'too few parts', s: '1.2.3', want: -1 },
    { desc: 'too many parts', s: '1.2.3.4.5', want: -1 },
    { desc: 'leading zero refused', s: '01.2.3.4', want: -1 },
    { desc: 'empty part', s: '1..3.4', want: -1 },
    { desc: 'not a number', s: 'a.b.c.d', want: -1 },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(parseIPv4(c.s), c.want));
});

void describe('parseIPv6', () => {
  const cases: { desc: string; s: string; want: number[] | null }[] = [
    { desc: 'loopback', s: '::1', want: [0, 0, 0, 0, 0, 0, 0, 1] },
    { desc: 'all zero', s: '::', want: [0, 0, 0, 0, 0, 0, 0, 0] },
    { desc: 'full', s: '2001:db8:0:0:0:0:0:1', want: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] },
    { desc: 'compressed middle', s: '2001:db8::1', want: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1] },
    { desc: 'trailing compression', s: 'fe80::', want: [0xfe80, 0, 0, 0, 0, 0, 0, 0] },
    { desc: 'IPv4-mapped', s: '::ffff:10.0.0.1', want: [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001] },
    { desc: 'two compressions', s: '1::2::3', want: null },
    { desc: 'too many groups', s: '1:2:3:4:5:6:7:8:9', want: null },
    { desc: 'group too long', s: '12345::1', want: null },
    { desc: 'not hex', s: 'g::1', want: null },
    { desc: 'IPv4 only', s: '1.2.3.4', want: null },
  ];
  for (const c of cases) {
    void it(c.desc, () => {
      const got = parseIPv6(c.s);
      assert.deepEqual(got === null ? null : Array.from(got), c.want);
    });
  }
});

void describe('TrustedIps', () => {
  const set = new TrustedIps(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1', '::ffff:172.16.0.0/108']);
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
    assert.equal(new TrustedIps(['0.0.0.0/0']).has('8.8.8.8'), true);
  });
  void it('rejects an invalid entry with its text in the message', () => {
    assert.throws(() => new TrustedIps(['10.0.0.0/33']), /10\.0\.0\.0\/33/);
    assert.throws(() => new TrustedIps(['example.com']), /example\.com/);
  });
});
