/**
 * Path normalisation before routing AND forwarding (Traefik's entry point: normalizePath, then
 * sanitizePath). A real entry point routes with the real rule engine and forwards with the real
 * forwarder to a node:http upstream that echoes the path it received: the path a router matched
 * and the path the backend sees must be the same, so `PathPrefix(/public)` can never be used to
 * reach `/admin` with `/public/%2e%2e/admin`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Handler } from '../../src/exchange/exchange.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { compileRule, createScanTable, defaultPriority } from '../../src/rules/index.js';
import { countingUpstream, forwardTo, send, startProxy, type CountingUpstream, type Proxy } from './forward-helpers.js';

/** Two routers: `PathPrefix(/public)` and a catch-all; the matched router's name goes back in `X-Router`. */
function routed(forward: Handler): Handler {
  const table = createScanTable(
    ['PathPrefix(`/public`)', 'PathPrefix(`/`)'].map((rule, i) => ({
      name: i === 0 ? 'public' : 'catch-all',
      rule: compileRule(rule),
      priority: defaultPriority(rule),
      value: forward,
    })),
  );
  return (ex) => {
    const entry = table.match(ex);
    if (entry === undefined) {
      ex.response.sendText(404, '404 page not found');
      return;
    }
    ex.response.onHead((_status, headers) => headers.set('X-Router', entry.name));
    return entry.value(ex);
  };
}

void describe('entry point: path normalisation reaches routing and the upstream alike', () => {
  let up: CountingUpstream;
  let pools: UpstreamPools;
  let proxy: Proxy;
  let unsanitized: Proxy;

  before(async () => {
    up = await countingUpstream((req, res) => {
      const url = req.url ?? '';
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(url) });
      res.end(url);
    });
    pools = new UpstreamPools();
    const forward = forwardTo(up.url, { pools }).handler;
    proxy = await startProxy(routed(forward));
    unsanitized = await startProxy(routed(forward), { http: { sanitizePath: false } });
  });

  after(async () => {
    await proxy.close();
    await unsanitized.close();
    pools.close();
    await up.close();
  });

  const cases: { desc: string; path: string; router: string; upstream: string; sanitize?: false }[] = [
    { desc: 'escaped dot-dot cannot climb out of a PathPrefix router', path: '/public/%2e%2e/admin', router: 'catch-all', upstream: '/admin' },
    { desc: 'upper-case escaped dot-dot', path: '/public/%2E%2E/admin', router: 'catch-all', upstream: '/admin' },
    { desc: 'half-escaped dot-dot', path: '/public/.%2e/admin?x=1', router: 'catch-all', upstream: '/admin?x=1' },
    { desc: 'escaped single dot and duplicate slashes', path: '/public/%2e//x', router: 'public', upstream: '/public/x' },
    { desc: 'escaped unreserved letter decoded for the upstream', path: '/%41bc', router: 'catch-all', upstream: '/Abc' },
    { desc: 'escaped letters of the prefix itself', path: '/%70ublic/x', router: 'public', upstream: '/public/x' },
    { desc: 'reserved escape upper-cased, kept encoded', path: '/public/a%2fb', router: 'public', upstream: '/public/a%2Fb' },
    { desc: 'UTF-8 escape upper-cased', path: '/public/caf%c3%a9', router: 'public', upstream: '/public/caf%C3%A9' },
    { desc: 'escaped slash is not a separator for sanitizing', path: '/public/..%2f..%2fadmin', router: 'public', upstream: '/public/..%2F..%2Fadmin' },
    {
      desc: 'sanitizePath false: normalised, dot segments kept (routed and sent alike)',
      path: '/public/%2e%2e/admin',
      router: 'public',
      upstream: '/public/../admin',
      sanitize: false,
    },
  ];
  for (const c of cases) {
    void it(`${c.desc}: ${c.path} -> router ${c.router}, upstream ${c.upstream}`, async () => {
      const r = await send((c.sanitize === false ? unsanitized : proxy).port, c.path);
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-router'], c.router);
      assert.equal(r.body.toString(), c.upstream);
    });
  }
});
