import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { DockerClient, INSPECT_CONCURRENCY, dockerodeOptions, parseEventLine, toContainerInfo, type DockerClientConfig } from '../../../../src/providers/docker/client.js';
import { within } from '../../../helpers/wait.js';
import { engine } from './engine-stand-in.js';

const base: DockerClientConfig = { endpoint: 'unix:///var/run/docker.sock', httpClientTimeout: 0, username: undefined, password: undefined, tls: undefined };

/** A trimmed `GET /containers/{id}/json` of Docker 20.10 (API 1.41). */
function inspectDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: 'abc123',
    Name: '/web-1',
    State: { Status: 'running', Running: true },
    Config: { Labels: { 'traefik.enable': 'true', 'com.docker.compose.service': 'web' }, ExposedPorts: { '8080/tcp': {}, '53/udp': {} } },
    HostConfig: { NetworkMode: 'default', PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    NetworkSettings: {
      Ports: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }], '53/udp': null },
      Networks: { bridge: { IPAddress: '172.17.0.2', GlobalIPv6Address: '' }, proj_default: { IPAddress: '172.18.0.3', GlobalIPv6Address: 'fd00::3' } },
    },
    ...over,
  };
}

void describe('toContainerInfo (inspect document -> ContainerInfo)', () => {
  const cases: { desc: string; raw: unknown; want: unknown }[] = [
    {
      desc: 'a running container on two networks with a published port',
      raw: inspectDoc(),
      want: {
        id: 'abc123',
        name: 'web-1',
        labels: { 'traefik.enable': 'true', 'com.docker.compose.service': 'web' },
        state: 'running',
        health: undefined,
        networkMode: 'default',
        networks: [
          { name: 'bridge', ipAddress: '172.17.0.2', globalIPv6Address: '' },
          { name: 'proj_default', ipAddress: '172.18.0.3', globalIPv6Address: 'fd00::3' },
        ],
        ports: [
          { port: 53, protocol: 'udp', bindings: [] },
          { port: 8080, protocol: 'tcp', bindings: [{ hostIp: '127.0.0.1', hostPort: 49153 }] },
        ],
      },
    },
    {
      desc: 'a stopped container: bindings from HostConfig (a random host port is none)',
      raw: inspectDoc({
        State: { Status: 'exited', Health: { Status: 'unhealthy' } },
        HostConfig: { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8000' }] } },
        Config: { Labels: null, ExposedPorts: null },
        NetworkSettings: { Ports: {}, Networks: {} },
      }),
      want: {
        id: 'abc123',
        name: 'web-1',
        labels: {},
        state: 'exited',
        health: 'unhealthy',
        networkMode: 'host',
        networks: [],
        ports: [{ port: 80, protocol: 'tcp', bindings: [{ hostIp: '', hostPort: 8000 }] }],
      },
    },
    { desc: 'not a container', raw: { message: 'No such container' }, want: undefined },
    { desc: 'not an object', raw: 'x', want: undefined },
    {
      desc: 'odd values are dropped, not trusted',
      raw: { Id: 'x', State: { Health: { Status: 'weird' } }, Config: { Labels: { a: 1, b: 'ok' }, ExposedPorts: { 'http/tcp': {}, '70/icmp': {}, '81': {} } } },
      want: { id: 'x', name: '', labels: { b: 'ok' }, state: '', health: undefined, networkMode: '', networks: [], ports: [{ port: 81, protocol: 'tcp', bindings: [] }] },
    },
  ];
  for (const c of cases) void it(c.desc, () => assert.deepEqual(toContainerInfo(c.raw), c.want));
});

void describe('parseEventLine', () => {
  const cases: { desc: string; line: string; want: unknown }[] = [
    {
      desc: 'a container start',
      line: JSON.stringify({ status: 'start', id: 'c1', Type: 'container', Action: 'start', Actor: { ID: 'c1', Attributes: { name: 'web', image: 'local/busybox' } }, time: 1, timeNano: 1700000000123456768 }),
      want: { type: 'container', action: 'start', containerId: 'c1', attributes: { name: 'web', image: 'local/busybox' }, timeNano: 1700000000123456768n },
    },
    {
      desc: 'a health status',
      line: JSON.stringify({ Type: 'container', Action: 'health_status: healthy', Actor: { ID: 'c2', Attributes: {} } }),
      want: { type: 'container', action: 'health_status: healthy', containerId: 'c2', attributes: {}, timeNano: 0n },
    },
    {
      desc: 'a network connect names the container',
      line: JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'net1', Attributes: { container: 'c3', name: 'bridge', type: 'bridge' } } }),
      want: { type: 'network', action: 'connect', containerId: 'c3', attributes: { container: 'c3', name: 'bridge', type: 'bridge' }, timeNano: 0n },
    },
    { desc: 'a network event without container', line: JSON.stringify({ Type: 'network', Action: 'create', Actor: { ID: 'n', Attributes: {} } }), want: undefined },
    { desc: 'not JSON', line: '{"Type":', want: undefined },
  ];
  for (const c of cases) void it(c.desc, () => assert.deepEqual(parseEventLine(c.line), c.want));
});

void describe('dockerodeOptions', () => {
  const restore = (name: string, value: string | undefined): void => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  const cases: { desc: string; cfg: Partial<DockerClientConfig>; want: Record<string, unknown> }[] = [
    { desc: 'unix socket', cfg: {}, want: { socketPath: '/var/run/docker.sock', host: undefined, protocol: undefined } },
    { desc: 'tcp without TLS is plain HTTP, port 2375 by default', cfg: { endpoint: 'tcp://socket-proxy' }, want: { host: 'socket-proxy', port: 2375, protocol: 'http', socketPath: undefined } },
    { desc: 'tcp with tls section is HTTPS, port 2376 by default', cfg: { endpoint: 'tcp://10.0.0.1', tls: { ca: undefined, cert: undefined, key: undefined, insecureSkipVerify: true } }, want: { host: '10.0.0.1', port: 2376, protocol: 'https' } },
    { desc: 'https with port', cfg: { endpoint: 'https://[::1]:9999' }, want: { host: '::1', port: 9999, protocol: 'https' } },
    { desc: 'basic auth needs both username and password', cfg: { endpoint: 'http://h:1', username: 'u' }, want: { headers: {} } },
    { desc: 'basic auth header', cfg: { endpoint: 'http://h:1', username: 'u', password: 'p w' }, want: { headers: { Authorization: `Basic ${Buffer.from('u:p w').toString('base64')}` } } },
  ];
  for (const c of cases) {
    void it(`${c.desc}, whatever DOCKER_* says`, () => {
      const saved = [process.env['DOCKER_HOST'], process.env['DOCKER_CLIENT_TIMEOUT']] as const;
      process.env['DOCKER_HOST'] = 'tcp://evil.example:2376';
      process.env['DOCKER_CLIENT_TIMEOUT'] = '1';
      try {
        const opts = dockerodeOptions({ ...base, ...c.cfg }) as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(c.want)) assert.deepEqual(opts[k], v, `${c.desc}: ${k}`);
        assert.equal(opts['timeout'], undefined);
      } finally {
        restore('DOCKER_HOST', saved[0]);
        restore('DOCKER_CLIENT_TIMEOUT', saved[1]);
      }
    });
  }
});

void describe('DockerClient over http:// (real HTTP peer)', () => {
  void it('sends basic authentication, uses unversioned paths, lists all containers', async () => {
    const seen: { url: string; auth: string | undefined }[] = [];
    const e = await engine((req, res) => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/version') res.end(JSON.stringify({ Version: '20.10.24', ApiVersion: '1.41' }));
      else if (req.url?.startsWith('/containers/json')) res.end(JSON.stringify([{ Id: 'a' }, { Id: 'b' }]));
      else res.writeHead(404).end('{}');
    });
    try {
      const client = new DockerClient({ ...base, endpoint: e.url.replace('http:', 'tcp:'), username: 'admin', password: 'secret' });
      const signal = new AbortController().signal;
      assert.deepEqual(await client.version(signal), { version: '20.10.24', apiVersion: '1.41' });
      assert.deepEqual(await client.listIds(signal), ['a', 'b']);
      assert.equal(await client.inspect('gone', signal), undefined, '404 = the container no longer exists');
      assert.deepEqual(
        seen.map((s) => s.url),
        ['/version', '/containers/json?all=true', '/containers/gone/json'],
      );
      for (const s of seen) assert.equal(s.auth, `Basic ${Buffer.from('admin:secret').toString('base64')}`);
    } finally {
      await e.close();
    }
  });

  void it('httpClientTimeout bounds a request the engine never answers', async () => {
    const e = await engine(() => {
      // never answers
    });
    try {
      const client = new DockerClient({ ...base, endpoint: e.url, httpClientTimeout: 150 });
      const started = performance.now();
      await within('timeout', assert.rejects(client.listIds(new AbortController().signal)), 5000);
      const took = performance.now() - started;
      assert.ok(took >= 140 && took < 3000, `took ${took} ms`);
    } finally {
      await e.close();
    }
  });

  void it('the event stream is not bounded by httpClientTimeout, parses split lines, and ends on abort', async () => {
    let stream: ServerResponse | undefined;
    const e = await engine((req, res) => {
      if (req.url?.startsWith('/containers/json')) return; // never answered: the client's timeout ends it
      if (!req.url?.startsWith('/events')) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      stream = res;
    });
    try {
      const client = new DockerClient({ ...base, endpoint: e.url, httpClientTimeout: 50 });
      const ac = new AbortController();
      const got: string[] = [];
      let notify: () => void = () => undefined;
      const two = new Promise<void>((resolve) => (notify = resolve));
      const s = await client.events(100, ac.signal, (ev) => {
        got.push(`${ev.action}:${ev.containerId}`);
        if (got.length === 2) notify();
      });
      const line = (action: string, id: string): string => JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: {} } }) + '\n';
      const text = line('start', 'c1') + line('die', 'c2');
      // A request sent after the stream opened times out; the stream, opened before it, is still open.
      await within('a later request times out', assert.rejects(client.listIds(ac.signal)), 5000);
      assert.equal(stream?.destroyed, false);
      stream?.write(text.slice(0, 25));
      stream?.write(text.slice(25));
      await within('two events', two, 5000);
      assert.deepEqual(got, ['start:c1', 'die:c2']);
      ac.abort();
      await within('stream end', s.ended, 5000);
    } finally {
      await e.close();
    }
  });
});

void describe('DockerClient.inspectAll (real HTTP peer)', () => {
  void it(`inspects many containers at most ${INSPECT_CONCURRENCY} at a time, in order, a gone one as undefined`, async () => {
    let inFlight = 0;
    let most = 0;
    const e = await engine((req, res) => {
      const id = /^\/containers\/([^/]+)\/json/.exec(req.url ?? '')?.[1] ?? '';
      inFlight++;
      most = Math.max(most, inFlight);
      // Answer on a later turn, so that the client has the chance to open more requests meanwhile.
      setImmediate(() => {
        inFlight--;
        res.setHeader('content-type', 'application/json');
        if (id.startsWith('gone')) res.writeHead(404).end('{"message":"No such container"}');
        else res.end(JSON.stringify(inspectDoc({ Id: id, Name: `/${id}` })));
      });
    });
    try {
      const client = new DockerClient({ ...base, endpoint: e.url });
      const ids = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? `gone${i}` : `c${i}`));
      const found = await within('inspectAll', client.inspectAll(ids, new AbortController().signal), 10_000);
      assert.deepEqual(
        found.map((c) => c?.id),
        ids.map((id) => (id.startsWith('gone') ? undefined : id)),
      );
      assert.ok(most <= INSPECT_CONCURRENCY, `${most} requests at once`);
      assert.ok(most > 1, 'requests overlap');
    } finally {
      await e.close();
    }
  });

  void it('stops at the first failure', async () => {
    let requests = 0;
    const e = await engine((req, res) => {
      requests++;
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/containers/bad/')) res.writeHead(500).end('{"message":"engine trouble"}');
      else setImmediate(() => res.end(JSON.stringify(inspectDoc())));
    });
    try {
      const client = new DockerClient({ ...base, endpoint: e.url });
      const ids = ['bad', ...Array.from({ length: 40 }, (_, i) => `c${i}`)];
      await within('rejects', assert.rejects(client.inspectAll(ids, new AbortController().signal), /engine trouble/), 10_000);
      assert.ok(requests < ids.length, `${requests} requests after a failure`);
    } finally {
      await e.close();
    }
  });
});
