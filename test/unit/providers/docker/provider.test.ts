/**
 * The Docker provider where a real engine cannot be made to misbehave on demand: an endpoint nobody
 * listens on (retried with doubling delays, reported once, settles on abort), and inspections that
 * fail (a node:http engine stand-in: retried without piling up listeners or timers). Everything
 * else runs against a real dockerd in test/e2e/docker-provider*.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { it } from 'node:test';
import { createDockerProvider, DOCKER_UNREACHABLE } from '../../../../src/providers/docker/provider.js';
import type { ProviderMessage } from '../../../../src/providers/provider.js';
import { dockerProviderConfig } from '../../../helpers/dockerd.js';
import { captureLogs } from '../../../helpers/log-capture.js';
import { waitFor, within } from '../../../helpers/wait.js';
import { engine } from './engine-stand-in.js';

void it('an unreachable engine: retried with doubling delays up to the maximum, reported once, stops on abort', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-docker-none-'));
  const cfg = dockerProviderConfig(`unix://${join(dir, 'docker.sock')}`); // nobody listens here
  const { logger, records } = captureLogs('warn');
  const messages: ProviderMessage[] = [];
  const ac = new AbortController();
  const running = createDockerProvider(cfg, { logger, backoff: { initialMs: 10, maxMs: 40 } }).start(ac.signal, (m) => messages.push(m));
  try {
    const attempts = (): unknown[] => records.filter((r) => r['msg'] === 'cannot reach the Docker engine').map((r) => r['retryInMs']);
    await waitFor('six attempts', () => (attempts().length >= 6 ? true : undefined), 10_000);
    assert.deepEqual(attempts().slice(0, 6), [10, 20, 40, 40, 40, 40]);
    assert.equal(messages.length, 1, 'the engine being unreachable is reported once');
    assert.equal(messages[0]?.diagnostics[0]?.code, DOCKER_UNREACHABLE);
    assert.deepEqual(messages[0]?.config.http.routers, {});
  } finally {
    ac.abort();
    await within('provider stops on abort', running, 5000);
    rmSync(dir, { recursive: true, force: true });
  }
});

void it('an inspection that keeps failing is retried until it succeeds, with no listener or timer piling up', async () => {
  const FAILS = 40;
  let failures = 0;
  let stream: ServerResponse | undefined;
  const e = await engine((req, res) => {
    const url = req.url ?? '';
    res.setHeader('content-type', 'application/json');
    if (url === '/version') return void res.end('{"Version":"20.10.24","ApiVersion":"1.41"}');
    if (url.startsWith('/events')) {
      res.writeHead(200).flushHeaders();
      stream = res;
      return;
    }
    if (url.startsWith('/containers/json')) return void res.end('[]');
    if (url.startsWith('/containers/c1/json') && failures++ < FAILS) return void res.writeHead(500).end('{"message":"engine busy"}');
    res.end(
      JSON.stringify({
        Id: 'c1',
        Name: '/web',
        State: { Status: 'running' },
        Config: { Labels: { 'traefik.http.services.web.loadbalancer.server.port': '80' } },
        HostConfig: { NetworkMode: 'bridge' },
        NetworkSettings: { Ports: {}, Networks: { bridge: { IPAddress: '172.17.0.5' } } },
      }),
    );
  });
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const { logger, records } = captureLogs('warn');
  const messages: ProviderMessage[] = [];
  const ac = new AbortController();
  const running = createDockerProvider(dockerProviderConfig(e.url), { logger, backoff: { initialMs: 2, maxMs: 10 } }).start(ac.signal, (m) => messages.push(m));
  try {
    await waitFor('first message', () => (messages.length > 0 ? true : undefined));
    stream?.write(JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'c1', Attributes: {} } }) + '\n');
    const routed = await waitFor('c1 routed', () => messages.find((m) => m.config.http.routers['web'] !== undefined));
    assert.deepEqual(routed.config.http.services['web']?.kind === 'loadBalancer' ? routed.config.http.services['web'].loadBalancer.servers.map((s) => s.url) : [], ['http://172.17.0.5:80']);
    assert.equal(records.filter((r) => r['msg'] === 'docker inspect failed').length, FAILS);
    assert.deepEqual(records.filter((r) => r['msg'] !== 'docker inspect failed'), [], 'no other warning (the stream stayed up)');
    assert.deepEqual(warnings, []);
  } finally {
    ac.abort();
    await within('provider stops on abort', running, 5000);
    process.off('warning', onWarning);
    await e.close();
  }
});
