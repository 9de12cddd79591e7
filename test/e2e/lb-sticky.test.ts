/**
 * Sticky sessions end to end: client -> HttpEntryPoint -> load balancer with sticky.cookie ->
 * real upstreams. Cookie name and value as Traefik derives them, requests with a valid cookie kept
 * on their server, absent/unknown/legacy/DOWN-server cookies (re)written.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ServersTransportConfig, StickyCookieConfig } from '../../src/config/dynamic/types.js';
import { compileDeps } from '../../src/cli/compile-deps.js';
import { DEFAULT_TRANSPORT_DEFAULTS, createTransportResolver } from '../../src/proxy/transport.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { createLoadBalancer, type LoadBalancerService } from '../../src/services/loadbalancer/load-balancer.js';
import { fnv64Hex, stickyValue } from '../../src/services/loadbalancer/sticky.js';
import { countingUpstream, send, startProxy, type CountingUpstream, type Proxy } from './forward-helpers.js';
import { healthCheck, lbConfig, serverTurns } from './lb-helpers.js';

const COOKIE: StickyCookieConfig = { name: undefined, secure: false, httpOnly: false, sameSite: '', maxAge: 0, path: '/', domain: '' };

void describe('load balancer sticky sessions', () => {
  const ups: CountingUpstream[] = [];
  const healthy = new Map<string, boolean>();
  const pools = new UpstreamPools();
  const resolve = createTransportResolver();
  const deps = { pools, resolveTransport: () => resolve(DEFAULT_TRANSPORT_DEFAULTS), noShuffle: true, serviceName: 'svc@file' };
  let proxy: Proxy;
  let lb: LoadBalancerService | undefined;
  let urls: string[] = [];

  before(async () => {
    for (const name of ['a', 'b']) {
      const up = await countingUpstream((req, res) => {
        if (req.url === '/health') res.writeHead(healthy.get(name) === false ? 503 : 200).end();
        else res.end(name);
      });
      ups.push(up);
    }
    urls = ups.map((u) => u.url);
    proxy = await startProxy(null);
  });

  afterEach(() => {
    lb?.dispose();
    lb = undefined;
    healthy.clear();
  });

  after(async () => {
    await proxy.close();
    pools.close();
    for (const u of ups) await u.close();
  });

  function use(cookie: Partial<StickyCookieConfig> = {}, withHealth = false): void {
    lb = createLoadBalancer(
      lbConfig(urls, { sticky: { cookie: { ...COOKIE, ...cookie } }, ...(withHealth ? { healthCheck: healthCheck() } : {}) }),
      deps,
    );
    proxy.ep.setHandler(lb.handler);
  }

  async function get(cookie?: string): Promise<{ body: string; setCookie: string[] }> {
    const r = await send(proxy.port, '/', cookie === undefined ? {} : { headers: { cookie } });
    assert.equal(r.status, 200);
    return { body: r.body.toString(), setCookie: r.headers['set-cookie'] ?? [] };
  }

  void it('no cookie: round robin, and a cookie named as Traefik derives it (_ + sha1) holding sha256(url)', async () => {
    use();
    const first = await get();
    const second = await get();
    assert.deepEqual([first.body, second.body], ['a', 'b']);
    assert.deepEqual(first.setCookie, [`_b2112=${stickyValue(urls[0] as string)}; Path=/`]);
    assert.deepEqual(second.setCookie, [`_b2112=${stickyValue(urls[1] as string)}; Path=/`]);
  });

  void it('a valid cookie keeps every request on its server, and is not rewritten', async () => {
    use();
    const cookie = `other=1; _b2112=${stickyValue(urls[1] as string)}`;
    for (let i = 0; i < 5; i++) {
      const r = await get(cookie);
      assert.equal(r.body, 'b');
      assert.deepEqual(r.setCookie, []);
    }
  });

  void it('an unknown value: round robin and the cookie is rewritten', async () => {
    use();
    const r = await get('_b2112=0123456789abcdef');
    assert.equal(r.body, 'a');
    assert.deepEqual(r.setCookie, [`_b2112=${stickyValue(urls[0] as string)}; Path=/`]);
  });

  void it('a legacy FNV-64 value is honoured and rewritten with the SHA-256 value', async () => {
    use();
    const r = await get(`_b2112=${fnv64Hex(urls[1] as string)}`);
    assert.equal(r.body, 'b');
    assert.deepEqual(r.setCookie, [`_b2112=${stickyValue(urls[1] as string)}; Path=/`]);
  });

  void it('a server that is gone from the configuration: picked anew, cookie rewritten', async () => {
    lb = createLoadBalancer(lbConfig([urls[0] as string], { sticky: { cookie: COOKIE } }), deps);
    proxy.ep.setHandler(lb.handler);
    const r = await get(`_b2112=${stickyValue(urls[1] as string)}`);
    assert.equal(r.body, 'a');
    assert.deepEqual(r.setCookie, [`_b2112=${stickyValue(urls[0] as string)}; Path=/`]);
  });

  void it('a server that is DOWN (active health check): picked anew, cookie rewritten; back UP: sticky again', async () => {
    use({}, true);
    healthy.set('b', false);
    await serverTurns(lb?.health, urls[1] as string, 'DOWN');
    const bCookie = `_b2112=${stickyValue(urls[1] as string)}`;
    const r = await get(bCookie);
    assert.equal(r.body, 'a');
    assert.deepEqual(r.setCookie, [`_b2112=${stickyValue(urls[0] as string)}; Path=/`]);
    healthy.set('b', true);
    await serverTurns(lb?.health, urls[1] as string, 'UP');
    assert.equal((await get(bCookie)).body, 'b');
  });

  void it('built by the compiler wiring (compileDeps): the qualified service name gives the cookie name', async () => {
    const transport: ServersTransportConfig = {
      ...DEFAULT_TRANSPORT_DEFAULTS,
      serverName: undefined,
      certificates: [],
      cipherSuites: [],
      minVersion: undefined,
      maxVersion: undefined,
      disableHTTP2: false,
    };
    const built = compileDeps(pools).buildLoadBalancer('svc@file', lbConfig(urls, { sticky: { cookie: COOKIE } }), transport, 'default@internal');
    lb = built as LoadBalancerService;
    proxy.ep.setHandler(built.handler);
    const r = await get();
    assert.match(r.setCookie[0] ?? '', /^_b2112=[0-9a-f]{16}; Path=\/$/);
  });

  void it('a configured name and every attribute', async () => {
    use({ name: 'session', secure: true, httpOnly: true, sameSite: 'lax', maxAge: 3600, path: '/app', domain: 'example.com' });
    const r = await get();
    assert.deepEqual(r.setCookie, [`session=${stickyValue(urls[0] as string)}; Path=/app; Domain=example.com; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`]);
    assert.equal((await get(`session=${stickyValue(urls[0] as string)}`)).body, 'a');
  });

  void it('the cookie is also set on an error answer (server unreachable: 502)', async () => {
    // Traefik writes the cookie before forwarding, so it is on whatever answer comes back.
    const gone = await countingUpstream((_q, s) => s.end());
    const url = gone.url;
    await gone.close();
    lb = createLoadBalancer(lbConfig([url], { sticky: { cookie: COOKIE } }), deps);
    proxy.ep.setHandler(lb.handler);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 502);
    assert.deepEqual(r.headers['set-cookie'], [`_b2112=${stickyValue(url)}; Path=/`]);
  });
});
