/**
 * The Docker provider against a real Docker Engine (test/helpers/dockerd.ts: Debian's dockerd in a
 * temp dir, a busybox image, containers on the host network or publishing on 127.0.0.1) and the
 * real binary: labelled containers are routed, a started one serves within 1 s of its start event,
 * a stopped one leaves with no failed request, label errors stay with their container, health
 * events gate routes, TLS endpoints work, no label routes to the engine's API, and a daemon
 * restart ends in a reconnect and resync.
 * One dockerd for the whole file (the restart test runs last).
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { parseEventLine } from '../../src/providers/docker/client.js';
import { DOCKER_ENDPOINT_SERVER } from '../../src/providers/docker/endpoint-guard.js';
import { createDockerProvider, DOCKER_UNREACHABLE } from '../../src/providers/docker/provider.js';
import type { ProviderMessage } from '../../src/providers/provider.js';
import { Dockerd, dockerProviderConfig, dockerdSkipReason, freePort } from '../helpers/dockerd.js';
import { get } from '../helpers/http-client.js';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { waitFor, within } from '../helpers/wait.js';
import { makeTestCerts, type TestCerts } from './upstream-h2-certs.js';

const THROTTLE_MS = 50;

/** The test's own view of the engine's events: when each container got each action (engine clock, ms). */
class EventLog {
  readonly #seen = new Map<string, number>();
  readonly #waiters = new Map<string, ((ms: number) => void)[]>();
  #stream: Readable | undefined;

  async open(d: Dockerd): Promise<void> {
    this.#stream = (await d.api.getEvents({ filters: { type: ['container'] } })) as Readable;
    let rest = '';
    this.#stream.setEncoding('utf8');
    this.#stream.on('data', (chunk: string) => {
      rest += chunk;
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const e = parseEventLine(line);
        if (e === undefined) continue;
        const key = `${e.containerId}/${e.action}`;
        const ms = Number(e.timeNano / 1_000_000n);
        if (!this.#seen.has(key)) this.#seen.set(key, ms);
        for (const w of this.#waiters.get(key) ?? []) w(ms);
        this.#waiters.delete(key);
      }
    });
    this.#stream.on('error', () => undefined);
  }

  /** Resolves with the time of `action` on container `id` (past or future). */
  wait(id: string, action: string, ms = 10_000): Promise<number> {
    const key = `${id}/${action}`;
    const seen = this.#seen.get(key);
    if (seen !== undefined) return Promise.resolve(seen);
    return within(`event ${action} of ${id.slice(0, 12)}`, new Promise<number>((resolve) => this.#waiters.set(key, [...(this.#waiters.get(key) ?? []), resolve])), ms);
  }

  close(): void {
    this.#stream?.destroy();
  }
}

function labels(router: string, host: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'traefik.enable': 'true',
    [`traefik.http.routers.${router}.rule`]: `Host(\`${host}\`)`,
    [`traefik.http.routers.${router}.service`]: router,
    [`traefik.http.services.${router}.loadbalancer.server.port`]: String(port),
    ...extra,
  };
}

const skip = dockerdSkipReason();

void describe('Docker provider against a real Docker Engine', { skip }, () => {
  let certs: TestCerts;
  let d: Dockerd;
  let tp: TurnpikeProcess;
  let port: number;
  const events = new EventLog();

  const status = async (host: string): Promise<{ status: number; body: string }> => {
    const r = await get(port, '/', { host });
    return { status: r.status, body: r.body };
  };
  /** Resolves when `host` answers 200 through Turnpike, with the body. */
  const served = (host: string, ms = 10_000): Promise<string> =>
    waitFor(`${host} served`, async () => {
      const r = await status(host);
      return r.status === 200 ? r.body : undefined;
    }, ms);

  before(async () => {
    certs = makeTestCerts();
    d = await Dockerd.start({ tls: { caFile: certs.caFile, certFile: join(certs.dir, 'srv.pem'), keyFile: join(certs.dir, 'srv.key') } });
    await events.open(d);
    tp = new TurnpikeProcess([
      '--entryPoints.web.address=127.0.0.1:0',
      '--providers.docker',
      `--providers.docker.endpoint=${d.endpoint}`,
      '--providers.docker.exposedByDefault=false',
      '--providers.docker.useBindPortIP=true',
      `--providers.providersThrottleDuration=${THROTTLE_MS}ms`,
      '--log.format=json',
      '--log.level=INFO',
    ]);
    port = (await tp.waitForLog('entry point listening', (r) => r.msg === 'entryPoint listening')).port as number;
    await tp.waitForLog('docker provider connected', (r) => r.msg === 'docker provider connected', 20_000);
  });

  after(async () => {
    events.close();
    await tp?.stop();
    await d?.stop();
    certs?.remove();
  });

  void it('routes labelled containers: host network, and a published port with useBindPortIP; unlabelled ones stay out', async () => {
    const pa = await freePort();
    await d.run({ name: 'hidden', port: await freePort() }); // exposedByDefault=false and no traefik.enable
    await d.run({ name: 'web-a', port: pa, labels: labels('a', 'a.test', pa) });
    assert.equal(await served('a.test'), 'web-a');
    const published = await freePort();
    await d.run({ name: 'pub', network: 'bridge', port: 8080, publish: { 8080: published }, labels: { 'traefik.enable': 'true' } });
    // Default rule Host(`pub`); the single exposed port 8080, published on 127.0.0.1:<published>.
    assert.equal(await served('pub'), 'pub');
    assert.equal((await status('hidden')).status, 404);
  });

  void it('a started container serves through Turnpike within 1 s of its start event', async (t) => {
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await freePort();
      const c = await d.create({ name: `quick-${i}`, port: p, labels: labels(`quick${i}`, `quick${i}.test`, p) });
      await c.start();
      const startedAt = await events.wait(c.id, 'start');
      await served(`quick${i}.test`, 5000);
      delays.push(Date.now() - startedAt);
    }
    t.diagnostic(`start event -> first 200 through Turnpike (throttle ${THROTTLE_MS} ms): ${delays.join(', ')} ms`);
    for (const ms of delays) assert.ok(ms < 1000, `served ${ms} ms after the start event`);
  });

  void it('a stopped container leaves its service with no failed request while the other keeps answering', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const s1 = await d.run({ name: 'scaled-1', port: p1, stopTimeout: 2, labels: labels('scaled', 'scaled.test', p1) });
    await d.run({ name: 'scaled-2', port: p2, labels: labels('scaled', 'scaled.test', p2) });
    await waitFor('both servers answer', async () => {
      const bodies = new Set<string>();
      for (let i = 0; i < 6; i++) bodies.add((await status('scaled.test')).body);
      return bodies.has('scaled-1') && bodies.has('scaled-2') ? true : undefined;
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const results: { status: number; body: string; after: boolean }[] = [];
    let stopped = false;
    let running = true;
    const loop = async (): Promise<void> => {
      while (running) {
        try {
          const r = await get(port, '/', { host: 'scaled.test', agent });
          results.push({ status: r.status, body: r.body, after: stopped });
        } catch (err) {
          results.push({ status: 0, body: String(err), after: stopped });
        }
      }
    };
    const loops = [loop(), loop(), loop()];
    try {
      await d.api.getContainer(s1).stop({ t: 2 }); // httpd ignores TERM: killed 2 s later
      stopped = true;
      await waitFor('traffic after the stop', () => (results.filter((r) => r.after).length >= 50 ? true : undefined));
    } finally {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    }
    const failed = results.filter((r) => r.status !== 200);
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${results.length} requests failed`);
    assert.ok(results.length > 100, `only ${results.length} requests`);
    assert.deepEqual(new Set(results.filter((r) => r.after).map((r) => r.body)), new Set(['scaled-2']));
  });

  void it('a container with a wrong label is reported, by container and label, while the others serve', async () => {
    const [pb, pg] = [await freePort(), await freePort()];
    await d.run({ name: 'broken', port: pb, labels: labels('broken', 'broken.test', pb, { 'traefik.http.services.broken.loadbalancer.server.port': 'eighty' }) });
    await d.run({ name: 'fine', port: pg, labels: labels('fine', 'fine.test', pg) });
    assert.equal(await served('fine.test'), 'fine');
    const reported = await tp.waitForLog('label error', (r: LogRecord) => typeof r['error'] === 'string' && r['error'].includes('broken') && /server\.port/i.test(r['error']));
    assert.match(String(reported['error']), /eighty/);
    assert.equal((await status('broken.test')).status, 404);
    assert.equal(await served('a.test'), 'web-a');
  });

  void it('a health-checked container is routed once healthy (health_status events), not before', async () => {
    const p = await freePort();
    const script = `mkdir -p /tmp/www; echo -n healthy > /tmp/www/index.html; (sleep 1; echo ok > /tmp/ok) & exec httpd -f -p 127.0.0.1:${p} -h /tmp/www`;
    const c = await d.create({ name: 'checked', cmd: ['sh', '-c', script], healthCmd: '[ -f /tmp/ok ]', labels: labels('checked', 'checked.test', p) });
    await c.start();
    await events.wait(c.id, 'start');
    const early = await status('checked.test');
    const healthyAt = events.wait(c.id, 'health_status: healthy', 15_000);
    assert.equal(await served('checked.test', 15_000), 'healthy');
    const routedAt = Date.now();
    assert.equal(early.status, 404, 'not routed while starting');
    assert.ok(routedAt >= (await healthyAt), 'routed only after the healthy event');
  });

  void it('reads a TLS tcp:// endpoint with a client certificate; watch=false lists once; abort stops a watching provider', async () => {
    const tls = { ca: certs.caFile, cert: certs.clientCertFile, key: certs.clientKeyFile, insecureSkipVerify: false };
    const cfg = dockerProviderConfig(d.tlsEndpoint ?? '', { exposedByDefault: false, watch: false, httpClientTimeout: 5000, tls });
    // A label pointing a service at the engine's own API is refused, not routed.
    const endpointPort = new URL(cfg.endpoint).port;
    await d.run({
      name: 'sneaky',
      cmd: ['sleep', '600'],
      labels: { 'traefik.enable': 'true', 'traefik.http.routers.sneaky.rule': 'Host(`sneaky.test`)', 'traefik.http.services.sneaky.loadbalancer.server.url': `https://localhost:${endpointPort}` },
    });
    const messages: ProviderMessage[] = [];
    await within('one listing', createDockerProvider(cfg).start(new AbortController().signal, (m) => messages.push(m)), 15_000);
    assert.equal(messages.length, 1);
    assert.ok(Object.keys(messages[0]?.config.http.routers ?? {}).includes('a'), 'router of web-a');
    assert.equal(messages[0]?.config.http.services['sneaky'], undefined);
    assert.ok(messages[0]?.diagnostics.some((x) => x.code === DOCKER_ENDPOINT_SERVER && x.object === 'sneaky'));

    // Watching: the first message once the stream is open; abort closes everything and settles the promise.
    const live: ProviderMessage[] = [];
    const watchStop = new AbortController();
    const watching = createDockerProvider({ ...cfg, watch: true }).start(watchStop.signal, (m) => live.push(m));
    try {
      await waitFor('first message while watching', () => (live.length > 0 ? true : undefined));
    } finally {
      watchStop.abort(); // also when the wait failed: a provider left running keeps the process alive
      await within('watching provider stops on abort', watching, 5000);
    }

    // Without a client certificate the engine refuses: reported once as a warning, retried until aborted.
    const refused: ProviderMessage[] = [];
    const ac = new AbortController();
    const running = createDockerProvider({ ...cfg, watch: true, tls: { ...tls, cert: undefined, key: undefined } }, { backoff: { initialMs: 50, maxMs: 100 } }).start(ac.signal, (m) => refused.push(m));
    try {
      await waitFor('unreachable reported', () => (refused.length > 0 ? true : undefined));
      assert.equal(refused[0]?.diagnostics[0]?.code, DOCKER_UNREACHABLE);
      assert.deepEqual(refused[0]?.config.http.routers, {});
    } finally {
      ac.abort();
      await within('provider stops on abort', running, 5000);
    }
    assert.equal(refused.length, 1);
  });

  void it('after a dockerd restart it reconnects, resyncs, and routes containers started since', async () => {
    await d.removeAll(); // dockerd stops each live container at shutdown, waiting its stop timeout
    const keep = await freePort();
    await d.run({ name: 'before-restart', port: keep, stopTimeout: 1, labels: labels('before', 'before.test', keep) });
    await served('before.test');
    await d.stopDaemon(); // its containers stop with it
    await tp.waitForLog('stream lost', (r) => r.msg === 'docker event stream lost, reconnecting', 20_000);
    await d.startDaemon();
    await tp.waitForLog('resync', (r) => r.msg === 'docker provider reconnected, full resync done', 20_000);
    await waitFor('before.test gone after the resync', async () => ((await status('before.test')).status === 404 ? true : undefined));
    const p = await freePort();
    await d.run({ name: 'after-restart', port: p, labels: labels('after', 'after.test', p) });
    assert.equal(await served('after.test'), 'after-restart');
  });
});
