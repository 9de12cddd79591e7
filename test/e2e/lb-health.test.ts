/**
 * Active HTTP health checks end to end, with real upstreams answering the probes: a failing server
 * leaves rotation within an interval and comes back when it recovers, no server up = 503, and
 * every option of the probe request (path with query, method, headers, hostname, port, scheme,
 * status, followRedirects, timeout) seen by a real server.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createH2cServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { HealthCheckConfig } from '../../src/config/dynamic/types.js';
import { DEFAULT_TRANSPORT_DEFAULTS, createTransportResolver } from '../../src/proxy/transport.js';
import { UpstreamPools } from '../../src/proxy/upstream-pools.js';
import { createLoadBalancer, type LoadBalancerService } from '../../src/services/loadbalancer/load-balancer.js';
import { countingUpstream, send, startProxy, type CountingUpstream, type Proxy } from './forward-helpers.js';
import { healthCheck, lbConfig, serverTurns, serviceTurns } from './lb-helpers.js';

interface Probe {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

void describe('load balancer active health checks (http)', () => {
  const ups: CountingUpstream[] = [];
  /** Status each upstream answers on /health (default 200). */
  const healthStatus = new Map<string, number>();
  const probes: Probe[] = [];
  let probeWaiter: ((p: Probe) => void) | undefined;
  const pools = new UpstreamPools();
  const resolve = createTransportResolver();
  const deps = { pools, resolveTransport: () => resolve(DEFAULT_TRANSPORT_DEFAULTS), noShuffle: true, serviceName: 'svc@file' };
  let proxy: Proxy;
  let lb: LoadBalancerService | undefined;
  let urls: string[] = [];

  before(async () => {
    for (const name of ['a', 'b', 'probe-port']) {
      const up = await countingUpstream((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        if (path === '/health' || path === '/hc' || path === '/moved' || path === '/slow') {
          const p = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
          probes.push(p);
          probeWaiter?.(p);
          if (path === '/slow') return; // never answers: the probe times out
          if (path === '/moved') {
            res.writeHead(302, { location: '/health' }).end();
            return;
          }
          res.writeHead(healthStatus.get(name) ?? 200).end();
          return;
        }
        res.end(name);
      });
      ups.push(up);
    }
    urls = ups.slice(0, 2).map((u) => u.url);
    proxy = await startProxy(null);
  });

  afterEach(() => {
    lb?.dispose();
    lb = undefined;
    healthStatus.clear();
    probes.length = 0;
    probeWaiter = undefined;
  });

  after(async () => {
    await proxy.close();
    pools.close();
    for (const u of ups) await u.close();
  });

  function use(hc: Partial<HealthCheckConfig>, servers = urls): LoadBalancerService {
    const built = createLoadBalancer(lbConfig(servers, { healthCheck: healthCheck(hc) }), deps);
    lb = built;
    proxy.ep.setHandler(built.handler);
    return built;
  }

  /** The next probe a server receives (bounded). */
  function nextProbe(ms = 3000): Promise<Probe> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no probe within ${ms}ms`)), ms);
      probeWaiter = (p) => {
        clearTimeout(timer);
        probeWaiter = undefined;
        resolvePromise(p);
      };
    });
  }

  async function bodies(n: number): Promise<string> {
    let out = '';
    for (let i = 0; i < n; i++) out += (await send(proxy.port, '/')).body.toString();
    return out;
  }

  void it('exposes health: every server UP at start, serverStatus per URL', () => {
    const built = use({});
    assert.ok(built.health);
    assert.equal(built.health.up, true);
    assert.deepEqual([...(built.health.serverStatus ?? new Map()).entries()], urls.map((u) => [u, 'UP']));
  });

  void it('a failing server leaves rotation within one interval and comes back when it recovers', async () => {
    const built = use({ interval: 150 });
    assert.equal(await bodies(4), 'abab');
    const t0 = performance.now();
    healthStatus.set('b', 500);
    await serverTurns(built.health, urls[1] as string, 'DOWN', 2000);
    assert.ok(performance.now() - t0 < 150 * 2 + 200, 'DOWN within about one interval');
    assert.equal(await bodies(4), 'aaaa');
    healthStatus.set('b', 200);
    await serverTurns(built.health, urls[1] as string, 'UP', 2000);
    assert.match(await bodies(4), /^(abab|baba)$/);
  });

  void it('unhealthyInterval paces the checks of a DOWN server', async () => {
    const built = use({ interval: 400, unhealthyInterval: 40 });
    healthStatus.set('b', 503);
    await serverTurns(built.health, urls[1] as string, 'DOWN');
    healthStatus.set('b', 200);
    const t0 = performance.now();
    await serverTurns(built.health, urls[1] as string, 'UP');
    // Paced by the healthy interval (400ms) it would take up to 400ms.
    assert.ok(performance.now() - t0 < 250, `back within the unhealthy interval (${Math.round(performance.now() - t0)}ms)`);
  });

  void it('no server up: 503 "no available server", service health flips down then up', async () => {
    const built = use({ interval: 100 });
    healthStatus.set('a', 500).set('b', 500);
    await serviceTurns(built.health, false);
    const r = await send(proxy.port, '/');
    assert.equal(r.status, 503);
    assert.equal(r.body.toString(), 'no available server\n');
    healthStatus.set('a', 200);
    await serviceTurns(built.health, true);
    assert.equal(await bodies(2), 'aa');
  });

  void it('the probe request: path with query, method, headers, hostname as Host', async () => {
    use({ path: '/hc?deep=1', method: 'HEAD', headers: { 'X-Probe': 'yes' }, hostname: 'app.test' }, [urls[0] as string]);
    const p = await nextProbe();
    assert.equal(p.method, 'HEAD');
    assert.equal(p.url, '/hc?deep=1');
    assert.equal(p.headers['x-probe'], 'yes');
    assert.equal(p.headers.host, 'app.test');
  });

  void it('port replaces the server port (the probe goes to another listener)', async () => {
    const probePort = ups[2] as CountingUpstream;
    const built = use({ port: probePort.port }, [urls[0] as string]);
    healthStatus.set('probe-port', 500);
    await serverTurns(built.health, urls[0] as string, 'DOWN');
    assert.ok(probes.length > 0);
  });

  void it('status: only that code is healthy', async () => {
    const built = use({ status: 204 }, [urls[0] as string]);
    await serverTurns(built.health, urls[0] as string, 'DOWN');
    healthStatus.set('a', 204);
    await serverTurns(built.health, urls[0] as string, 'UP');
  });

  void it('followRedirects true: the redirect is followed and its target judged', async () => {
    const built = use({ path: '/moved' }, [urls[0] as string]);
    healthStatus.set('a', 500);
    await serverTurns(built.health, urls[0] as string, 'DOWN');
    assert.ok(probes.some((p) => p.url === '/health'), 'the Location was asked for');
  });

  void it('followRedirects false: the 302 itself is judged (3xx is healthy)', async () => {
    const built = use({ path: '/moved', followRedirects: false, interval: 50 }, [urls[0] as string]);
    healthStatus.set('a', 500);
    // Several probes in, the server must still be UP and /health never asked for.
    for (let i = 0; i < 3; i++) await nextProbe();
    assert.equal(built.health?.serverStatus?.get(urls[0] as string), 'UP');
    assert.ok(probes.every((p) => p.url === '/moved'));
  });

  void it('timeout: a probe that gets no answer in time counts as unhealthy', async () => {
    const built = use({ path: '/slow', timeout: 100, interval: 50 }, [urls[0] as string]);
    await serverTurns(built.health, urls[0] as string, 'DOWN');
  });

  void it('scheme https on a plain server fails the probe (scheme replaces the server scheme)', async () => {
    const built = use({ scheme: 'https', interval: 50 }, [urls[0] as string]);
    await serverTurns(built.health, urls[0] as string, 'DOWN');
  });

  void it('h2c:// servers are probed over cleartext HTTP/2', async () => {
    let status = 200;
    const seen: IncomingHttpHeaders[] = [];
    const h2 = createH2cServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
    const url = `h2c://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    try {
      const built = use({ interval: 50, hostname: 'grpc.test' }, [url]);
      status = 503;
      await serverTurns(built.health, url, 'DOWN');
      status = 200;
      await serverTurns(built.health, url, 'UP');
      assert.equal(seen[0]?.[':authority'], 'grpc.test');
      assert.equal(seen[0]?.[':path'], '/health');
    } finally {
      lb?.dispose();
      lb = undefined;
      await new Promise<void>((r) => h2.close(() => r()));
    }
  });

  void it('an unreachable server goes DOWN', async () => {
    const gone = await countingUpstream((_q, s) => s.end());
    const url = gone.url;
    await gone.close();
    const built = use({ interval: 50 }, [url]);
    await serverTurns(built.health, url, 'DOWN');
  });
});
