import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHost, parseQuery } from '../../../src/rules/index.js';
import { parseIp, parseIpBlock } from '../../../src/net/ip.js';

void describe('canonicalHost', () => {
  const cases: [string, string, string][] = [
    ['plain', 'example.com', 'example.com'],
    ['upper-case', 'EXAMPLE.Com', 'example.com'],
    ['port', 'example.com:8080', 'example.com'],
    ['empty port', 'example.com:', 'example.com'],
    ['IPv6 with port', '[::1]:80', '::1'],
    ['IPv6 without port', '[::1]', '::1'],
    ['IPv6 upper-case', '[FE80::1]', 'fe80::1'],
    ['bare IPv6 kept', 'fe80::1', 'fe80::1'],
    ['bracket garbage kept', '[::1]x', '[::1]x'],
    ['spaces trimmed', ' example.com ', 'example.com'],
    ['trailing dot kept', 'example.com.', 'example.com.'],
    ['empty', '', ''],
  ];
  for (const [desc, raw, want] of cases) void it(desc, () => assert.equal(canonicalHost(raw), want));
});

void describe('parseQuery (Go url.ParseQuery)', () => {
  const cases: { desc: string; raw: string | null; want: Record<string, string[]> }[] = [
    { desc: 'null', raw: null, want: {} },
    { desc: 'empty', raw: '', want: {} },
    { desc: 'pairs', raw: 'a=1&b=2&a=3', want: { a: ['1', '3'], b: ['2'] } },
    { desc: 'bare key', raw: 'flag', want: { flag: [''] } },
    { desc: 'empty pairs skipped', raw: '&&a=1&', want: { a: ['1'] } },
    { desc: 'first = splits', raw: 'a=b=c', want: { a: ['b=c'] } },
    { desc: 'plus and percent', raw: 'q=a+b%2Bc', want: { q: ['a b+c'] } },
    { desc: 'semicolon pair dropped', raw: 'a=1;b=2&c=3', want: { c: ['3'] } },
    { desc: 'bad escapes dropped', raw: 'a=%&b=%4&c=%zz&%g=1&d=ok', want: { d: ['ok'] } },
    { desc: 'invalid utf-8 becomes U+FFFD', raw: 'a=%FF', want: { a: ['\uFFFD'] } },
    { desc: 'non-ASCII raw char kept', raw: 'a=é', want: { a: ['é'] } },
  ];
  for (const c of cases) {
    void it(c.desc, () => assert.deepEqual(Object.fromEntries(parseQuery(c.raw)), c.want));
  }
});

void describe('IP parsing (Go netip syntax)', () => {
  const words = new Uint32Array(4);
  const cases: [string, number][] = [
    ['1.2.3.4', 4],
    ['255.255.255.255', 4],
    ['256.1.1.1', 0],
    ['1.2.3', 0],
    ['1.2.3.4.5', 0],
    ['01.2.3.4', 0],
    ['1.2.3.4 ', 0],
    ['::', 6],
    ['::1', 6],
    ['1::', 6],
    ['2001:db8::1', 6],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:7:8:9', 0],
    ['1:2:3:4:5:6:7::8', 0],
    ['1::2::3', 0],
    ['12345::', 0],
    [':1', 0],
    ['1:', 0],
    ['::ffff:1.2.3.4', 5],
    ['::1.2.3.4', 6],
    ['1:2:3:4:5:6:1.2.3.4', 6],
    ['1:2:3:4:5:6:7:1.2.3.4', 0],
    ['fe80::1%eth0', 6],
    ['fe80::1%', 0],
    ['1.2.3.4%eth0', 0],
    ['', 0],
    ['x', 0],
  ];
  for (const [s, fam] of cases) void it(`${JSON.stringify(s)} -> ${fam}`, () => assert.equal(parseIp(s, words), fam));

  void it('unmaps IPv4-mapped addresses', () => {
    assert.equal(parseIp('::ffff:10.1.2.3', words), 5);
    assert.equal(words[0], 0x0a010203);
  });

  void it('parses CIDR blocks into masks', () => {
    assert.deepEqual(parseIpBlock('10.1.2.3/8'), { family: 4, net: [0x0a000000, 0, 0, 0], mask: [0xff000000, 0, 0, 0] });
    assert.deepEqual(parseIpBlock('2001:db8::/33')?.mask, [0xffffffff, 0x80000000, 0, 0]);
    assert.deepEqual(parseIpBlock('::ffff:10.0.0.0/104'), { family: 4, net: [0x0a000000, 0, 0, 0], mask: [0xff000000, 0, 0, 0] });
    assert.equal(parseIpBlock('10.0.0.0/-1'), null);
    assert.equal(parseIpBlock('10.0.0.0/'), null);
    assert.equal(parseIpBlock('::/129'), null);
  });
});
