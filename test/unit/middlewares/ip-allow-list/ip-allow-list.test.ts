/** The host part of a picked client IP, as Go's net.SplitHostPort gives it to Traefik's checker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostOf } from '../../../../src/middlewares/ip-allow-list/ip-allow-list.js';

void describe('ipAllowList hostOf', () => {
  const cases: { desc: string; input: string; want: string }[] = [
    { desc: 'a plain IPv4', input: '10.0.0.1', want: '10.0.0.1' },
    { desc: 'IPv4 with a port', input: '10.0.0.1:8080', want: '10.0.0.1' },
    { desc: 'a plain IPv6 (colons are not a port)', input: '2001:db8::1', want: '2001:db8::1' },
    { desc: 'bracketed IPv6 with a port', input: '[2001:db8::1]:443', want: '2001:db8::1' },
    { desc: 'bracketed IPv6 without a port stays as is (and will not parse)', input: '[::1]', want: '[::1]' },
    { desc: 'empty', input: '', want: '' },
  ];
  for (const c of cases) void it(c.desc, () => assert.equal(hostOf(c.input), c.want));
});
