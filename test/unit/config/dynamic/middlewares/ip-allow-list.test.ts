/**
 * The ipAllowList / ipWhiteList readers: defaults (remote address, 403), the deprecated v2 name
 * read into the same middleware with a warning, and every bad option reported with its key path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../../../src/config/diagnostics.js';
import type { MiddlewareConfig } from '../../../../../src/config/dynamic/types.js';
import { validateDynamic } from '../../../../../src/config/dynamic/validate.js';

function read(middleware: unknown): { config: MiddlewareConfig | undefined; diagnostics: readonly Diagnostic[] } {
  const r = validateDynamic({ http: { middlewares: { m: middleware } } }, { source: 'dyn.yml' });
  return { config: r.config.http.middlewares['m'], diagnostics: r.diagnostics };
}

const REMOTE = { depth: 0, excludedIPs: [], ipv6Subnet: undefined };

void describe('ipAllowList reader: accepted', () => {
  const accepted: { desc: string; input: unknown; want: Record<string, unknown> }[] = [
    {
      desc: 'the documentation example: remote address, 403',
      input: { ipAllowList: { sourceRange: ['127.0.0.1/32', '192.168.1.7'] } },
      want: { sourceRange: ['127.0.0.1/32', '192.168.1.7'], ipStrategy: REMOTE, rejectStatusCode: 403 },
    },
    {
      desc: 'IPv6 blocks, depth strategy and a custom status',
      input: { ipAllowList: { sourceRange: ['::1', '2001:db8::/32'], ipStrategy: { depth: 2 }, rejectStatusCode: 404 } },
      want: { sourceRange: ['::1', '2001:db8::/32'], ipStrategy: { depth: 2, excludedIPs: [], ipv6Subnet: undefined }, rejectStatusCode: 404 },
    },
    {
      desc: 'excludedIPs and ipv6Subnet',
      input: { ipAllowList: { sourceRange: ['10.0.0.0/8'], ipStrategy: { excludedIPs: ['10.0.0.1', 'fd00::/8'], ipv6Subnet: 64 } } },
      want: { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 0, excludedIPs: ['10.0.0.1', 'fd00::/8'], ipv6Subnet: 64 }, rejectStatusCode: 403 },
    },
    {
      desc: 'an empty ipStrategy section (the remote address) and rejectStatusCode 0 (403)',
      input: { ipAllowList: { sourceRange: ['10.0.0.0/8'], ipStrategy: null, rejectStatusCode: 0 } },
      want: { sourceRange: ['10.0.0.0/8'], ipStrategy: REMOTE, rejectStatusCode: 403 },
    },
    {
      desc: 'a single range written as a scalar, keys in any case (labels)',
      input: { ipAllowList: { SOURCERANGE: '10.0.0.0/8', rejectstatuscode: '418' } },
      want: { sourceRange: ['10.0.0.0/8'], ipStrategy: REMOTE, rejectStatusCode: 418 },
    },
  ];
  for (const c of accepted) {
    void it(`accepts ${c.desc}`, () => {
      const r = read(c.input);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.config, { kind: 'ipAllowList', options: c.want });
    });
  }

  void it('reads the deprecated ipWhiteList into the same middleware, with a warning', () => {
    const r = read({ ipWhiteList: { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 1 } } });
    assert.deepEqual(r.config, { kind: 'ipAllowList', options: { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 1, excludedIPs: [], ipv6Subnet: undefined }, rejectStatusCode: 403 } });
    assert.equal(r.diagnostics.length, 1);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
    assert.equal(r.diagnostics[0]?.path, 'http.middlewares.m.ipWhiteList');
    assert.match(r.diagnostics[0]?.message ?? '', /deprecated; use ipAllowList/);
  });
});

void describe('ipAllowList reader: rejected', () => {
  const rejected: { desc: string; input: unknown; path: string; message: RegExp }[] = [
    { desc: 'no sourceRange', input: { ipAllowList: {} }, path: 'http.middlewares.m.ipAllowList.sourceRange', message: /"sourceRange" is required/ },
    { desc: 'an empty sourceRange (Traefik: sourceRange is empty)', input: { ipAllowList: { sourceRange: [] } }, path: 'http.middlewares.m.ipAllowList.sourceRange', message: /sourceRange is empty/ },
    { desc: 'a range that is not an IP nor a CIDR', input: { ipAllowList: { sourceRange: ['10.0.0.0/8', 'foobar'] } }, path: 'http.middlewares.m.ipAllowList.sourceRange[1]', message: /"foobar" is not an IP address or CIDR block/ },
    { desc: 'a CIDR with too many bits', input: { ipAllowList: { sourceRange: ['10.0.0.0/33'] } }, path: 'http.middlewares.m.ipAllowList.sourceRange[0]', message: /not an IP address or CIDR/ },
    { desc: 'an IPv6 CIDR with too many bits', input: { ipAllowList: { sourceRange: ['2001:db8::/129'] } }, path: 'http.middlewares.m.ipAllowList.sourceRange[0]', message: /not an IP address or CIDR/ },
    { desc: 'a status Go does not know (Traefik: invalid HTTP status code)', input: { ipAllowList: { sourceRange: ['::1'], rejectStatusCode: 42 } }, path: 'http.middlewares.m.ipAllowList.rejectStatusCode', message: /42 is not an HTTP status code/ },
    { desc: 'a status that is not a number', input: { ipAllowList: { sourceRange: ['::1'], rejectStatusCode: 'nope' } }, path: 'http.middlewares.m.ipAllowList.rejectStatusCode', message: /an integer/ },
    { desc: 'a bad excludedIPs entry', input: { ipAllowList: { sourceRange: ['::1'], ipStrategy: { excludedIPs: ['1.2.3'] } } }, path: 'http.middlewares.m.ipAllowList.ipStrategy.excludedIPs[0]', message: /not an IP address or CIDR/ },
    { desc: 'a negative depth', input: { ipAllowList: { sourceRange: ['::1'], ipStrategy: { depth: -1 } } }, path: 'http.middlewares.m.ipAllowList.ipStrategy.depth', message: /an integer >= 0/ },
    { desc: 'an ipv6Subnet beyond 128', input: { ipAllowList: { sourceRange: ['::1'], ipStrategy: { ipv6Subnet: 129 } } }, path: 'http.middlewares.m.ipAllowList.ipStrategy.ipv6Subnet', message: /<= 128/ },
    { desc: 'rejectStatusCode on ipWhiteList, which Traefik does not have', input: { ipWhiteList: { sourceRange: ['::1'], rejectStatusCode: 404 } }, path: 'http.middlewares.m.ipWhiteList.rejectStatusCode', message: /unknown key/ },
    { desc: 'a bad range on ipWhiteList', input: { ipWhiteList: { sourceRange: ['nope'] } }, path: 'http.middlewares.m.ipWhiteList.sourceRange[0]', message: /not an IP address/ },
  ];
  for (const c of rejected) {
    void it(`rejects ${c.desc}`, () => {
      const r = read(c.input);
      assert.equal(r.config, undefined, 'the middleware is left out');
      const d = r.diagnostics.find((x) => x.severity === 'error' && x.path === c.path);
      assert.ok(d, `expected an error at ${c.path}, got ${JSON.stringify(r.diagnostics)}`);
      assert.match(d.message, c.message);
      assert.equal(d.object, 'm');
    });
  }
});
