import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../../../src/config/dynamic/types.js';
import { DOCKER_ENDPOINT_SERVER, endpointGuard, withoutEndpointServers } from '../../../../src/providers/docker/endpoint-guard.js';
import type { ProviderMessage } from '../../../../src/providers/provider.js';

function lb(...urls: string[]): ServiceConfig {
  return {
    kind: 'loadBalancer',
    loadBalancer: {
      servers: urls.map((url) => ({ url, weight: 1, preservePath: false })),
      passHostHeader: true,
      serversTransport: undefined,
      flushInterval: 100,
      sticky: undefined,
      healthCheck: undefined,
      passiveHealthCheck: undefined,
    },
  };
}

function message(services: Record<string, ServiceConfig>): ProviderMessage {
  return {
    provider: 'docker',
    config: { http: { routers: {}, services, middlewares: {}, serversTransports: {} } },
    origins: new Map(Object.keys(services).map((n) => [`http.services.${n}`, { source: `container "${n}"` }])),
    diagnostics: [],
  };
}

void describe('endpoint guard', () => {
  void it('no guard for a unix socket', async () => {
    assert.equal(await endpointGuard('unix:///var/run/docker.sock'), undefined);
  });

  void it('a loopback endpoint also guards localhost and ::1; tcp defaults to 2375', async () => {
    const g = await endpointGuard('tcp://127.0.0.1');
    assert.equal(g?.port, 2375);
    assert.deepEqual([...(g?.hosts ?? [])].sort(), ['127.0.0.1', '::1', 'localhost']);
  });

  const cases: { desc: string; endpoint: string; urls: string[]; dropped: boolean }[] = [
    { desc: 'same host and port', endpoint: 'tcp://socket-proxy:2375', urls: ['http://socket-proxy:2375'], dropped: true },
    { desc: 'host case and one bad server among good ones', endpoint: 'tcp://socket-proxy:2375', urls: ['http://10.0.0.2:80', 'http://Socket-Proxy:2375/v1.41'], dropped: true },
    { desc: 'localhost for a loopback endpoint', endpoint: 'https://127.0.0.1:2376', urls: ['https://localhost:2376'], dropped: true },
    { desc: 'another port of the same host', endpoint: 'tcp://socket-proxy:2375', urls: ['http://socket-proxy:8080'], dropped: false },
    { desc: 'default port 80 vs endpoint on 80', endpoint: 'http://docker.internal', urls: ['http://docker.internal'], dropped: true },
    { desc: 'another host', endpoint: 'tcp://socket-proxy:2375', urls: ['http://web:2375'], dropped: false },
  ];
  for (const c of cases) {
    void it(c.desc, async () => {
      const guard = await endpointGuard(c.endpoint);
      const out = withoutEndpointServers(message({ api: lb(...c.urls), web: lb('http://10.0.0.9:80') }), guard);
      assert.equal('api' in out.config.http.services, !c.dropped);
      assert.ok('web' in out.config.http.services);
      assert.equal(out.origins.has('http.services.api'), !c.dropped);
      assert.deepEqual(
        out.diagnostics.map((d) => [d.code, d.object, d.source]),
        c.dropped ? [[DOCKER_ENDPOINT_SERVER, 'api', 'container "api"']] : [],
      );
    });
  }
});
