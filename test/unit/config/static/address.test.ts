import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAddress } from '../../../../src/config/static/address.js';

void describe('parseAddress', () => {
  const ok: { desc: string; text: string; want: { host: string; port: number; protocol: 'tcp' | 'udp' } }[] = [
    { desc: 'port only', text: ':80', want: { host: '', port: 80, protocol: 'tcp' } },
    { desc: 'IPv4 host', text: '127.0.0.1:8080', want: { host: '127.0.0.1', port: 8080, protocol: 'tcp' } },
    { desc: 'explicit tcp', text: '0.0.0.0:443/tcp', want: { host: '0.0.0.0', port: 443, protocol: 'tcp' } },
    { desc: 'udp, any case', text: ':53/UDP', want: { host: '', port: 53, protocol: 'udp' } },
    { desc: 'IPv6 in brackets', text: '[::1]:8443', want: { host: '::1', port: 8443, protocol: 'tcp' } },
    { desc: 'host name', text: 'localhost:0', want: { host: 'localhost', port: 0, protocol: 'tcp' } },
  ];
  for (const c of ok) void it(c.desc, () => assert.deepEqual(parseAddress(c.text), c.want));

  const bad: { desc: string; text: string }[] = [
    { desc: 'no port', text: '80' },
    { desc: 'port too large', text: ':65536' },
    { desc: 'named port', text: ':http' },
    { desc: 'unknown protocol', text: ':80/sctp' },
    { desc: 'IPv6 without brackets', text: '::1:80' },
    { desc: 'unclosed bracket', text: '[::1:80' },
    { desc: 'empty', text: '' },
  ];
  for (const c of bad) void it(`rejects ${c.desc}`, () => assert.equal(typeof parseAddress(c.text), 'string'));
});
