import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasBody, normalizeAddress } from '../../../src/entrypoints/node-http-exchange.js';
import { HeaderList } from '../../../src/exchange/headers.js';

void describe('normalizeAddress', () => {
  const cases: { desc: string; address: string; want: string }[] = [
    { desc: 'IPv4 unchanged', address: '192.0.2.1', want: '192.0.2.1' },
    { desc: 'IPv4-mapped IPv6 unwrapped', address: '::ffff:192.0.2.1', want: '192.0.2.1' },
    { desc: 'IPv4-mapped, upper case', address: '::FFFF:10.0.0.1', want: '10.0.0.1' },
    { desc: 'IPv6 unchanged', address: '2001:db8::1', want: '2001:db8::1' },
    { desc: 'IPv6 zone stripped', address: 'fe80::1%eth0', want: 'fe80::1' },
    { desc: 'not IPv4-mapped: ::ffff alone', address: '::ffff', want: '::ffff' },
    { desc: 'empty (socket already gone)', address: '', want: '' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(normalizeAddress(c.address), c.want));
});

void describe('hasBody', () => {
  const cases: { desc: string; raw: string[]; want: boolean }[] = [
    { desc: 'no framing headers', raw: ['Host', 'a'], want: false },
    { desc: 'Content-Length: 0', raw: ['Content-Length', '0'], want: false },
    { desc: 'Content-Length > 0', raw: ['content-length', '12'], want: true },
    { desc: 'chunked', raw: ['Transfer-Encoding', 'chunked'], want: true },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(hasBody(new HeaderList(c.raw)), c.want));
});
