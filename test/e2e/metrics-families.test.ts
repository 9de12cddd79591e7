/**
 * The request metric families through the real binary, read with a plain GET of /metrics, with
 * Traefik's names and exact label sets (entry point, router and service labels all on):
 * - `traefik_service_retries_total`: one per retry (Traefik's retry listener adds 1 for each try
 *   after the first), behind a `retry` middleware (attempts: 3) in front of a closed port and a
 *   good server (checked against the access log's RetryAttempts), and in front of a closed port
 *   alone (two retries per request);
 * - request and response byte counters (body bytes, as Traefik's capture) for a POST with a known
 *   body, with a Content-Length and chunked, and a known answer size;
 * - TLS: `*_requests_tls_total` with `tls_version` and Go's `tls_cipher` name for TLS 1.3 and 1.2
 *   requests, and `traefik_tls_certs_not_after` for the served certificate;
 * - `protocol="websocket"` (code 101) for a WebSocket handshake, `protocol="sse"` for an
 *   event-stream subscription, and `protocol="grpc"` with the gRPC status as code for gRPC calls
 *   to an h2c upstream, over h2c (prior knowledge) and over HTTP/2 with TLS.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as h2Connect, createServer as createH2Server, type ClientHttp2Session, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { get } from '../helpers/http-client.js';
import { TurnpikeProcess, type LogRecord } from '../helpers/turnpike-process.js';
import { namedUpstream, startUpstream, type Upstream } from '../helpers/upstream.js';
import { waitFor, within } from '../helpers/wait.js';
import { closedPort } from '../helpers/ports.js';

const REQUEST_SIZE = 3000;
const RESPONSE_SIZE = 5000;

/** The exact sample line prefix Go's client writes: `name{a="1",b="2"}` with labels in alphabetical order. */
function seriesKey(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}{${pairs.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** The value of the series with exactly these labels, or undefined when it is not there. */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const key = `${seriesKey(name, labels)} `;
  const line = text.split('\n').find((l) => l.startsWith(key));
  return line === undefined ? undefined : Number(line.slice(key.length));
}

/** Sends `size` bytes in a POST (with a Content-Length, or chunked in three writes). */
function post(port: number, host: string, size: number, chunked: boolean): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const body = Buffer.alloc(size, 'b');
    const headers: Record<string, string> = { host, 'content-type': 'application/octet-stream' };
    if (!chunked) headers['content-length'] = String(size);
    const req = httpRequest({ host: '127.0.0.1', port, path: '/upload', method: 'POST', headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (chunked) {
      const third = Math.floor(size / 3);
      req.write(body.subarray(0, third));
      req.write(body.subarray(third, 2 * third));
      req.end(body.subarray(2 * third));
    } else {
      req.end(body);
    }
  });
}

/** A GET over HTTPS; resolves with the status and the TLS version and cipher (IANA name) the client saw. */
function httpsGet(port: number, host: string, ca: Buffer, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ status: number; version: string; cipher: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/', servername: host, headers: { host }, ca, maxVersion, agent: false }, (res) => {
      const socket = res.socket as TLSSocket;
      const version = socket.getProtocol() ?? '';
      const cipher = socket.getCipher().standardName;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, version, cipher }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One gRPC-shaped unary call on an HTTP/2 session; resolves with the grpc-status it ended with. */
function grpcCall(session: ClientHttp2Session, path: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, ':authority': 'grpc.test', 'content-type': 'application/grpc', te: 'trailers' });
    let status: string | undefined;
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    stream.on('trailers', (t) => {
      if (t['grpc-status'] !== undefined) status = String(t['grpc-status']);
    });
    stream.resume();
    stream.on('end', () => resolve(status));
    stream.on('error', reject);
    stream.end(Buffer.from([0, 0, 0, 0, 2, 0x68, 0x69]));
  });
}

/** An h2c upstream answering gRPC calls: `/test.Svc/Fail` ends with grpc-status 5, the rest with 0. */
async function grpcUpstream(): Promise<{ server: Http2Server; url: string; close(): Promise<void> }> {
  const server = createH2Server();
  const streams = new Set<ServerHttp2Stream>();
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    streams.add(stream);
    stream.on('close', () => streams.delete(stream));
    const path = headers[':path'];
    stream.resume();
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': path === '/test.Svc/Fail' ? '5' : '0' }));
      // One length-prefixed message of 3 bytes.
      stream.end(Buffer.from([0, 0, 0, 0, 3, 0x61, 0x62, 0x63]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `h2c://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.close();
        server.close(() => resolve());
      }),
  };
}

describe('metrics: request families through the real binary', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let web: number;
  let websecure: number;
  let metricsPort: number;
  let good: Upstream;
  let echo: Upstream;
  let secureUp: Upstream;
  let wsServer: WebSocketServer;
  let grpcUp: Awaited<ReturnType<typeof grpcUpstream>>;
  let dead: number;
  let certPem: Buffer;
  let cert: X509Certificate;
  let accessLog: string;
  const received: number[] = [];

  const scrape = async (): Promise<string> => {
    const r = await get(metricsPort, '/metrics');
    assert.equal(r.status, 200);
    return r.body;
  };

  /** Scrapes until `name{labels}` reaches at least `min`; returns that scrape. */
  const scrapeUntil = (name: string, labels: Record<string, string>, min: number): Promise<string> =>
    waitFor(`${seriesKey(name, labels)} >= ${min}`, async () => {
      const text = await scrape();
      const v = valueOf(text, name, labels);
      return v !== undefined && v >= min ? text : undefined;
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-metrics-families-'));
    dead = await closedPort();
    good = await namedUpstream('good');
    secureUp = await namedUpstream('secure');
    const answer = Buffer.alloc(RESPONSE_SIZE, 'r');
    echo = await startUpstream((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => {
        received.push(n);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(answer.length) });
        res.end(answer);
      });
    });
    wsServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wsServer, 'listening');
    wsServer.on('connection', (sock) => sock.on('message', (m: Buffer) => sock.send(`echo:${m.toString()}`)));
    grpcUp = await grpcUpstream();

    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '5', '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test,DNS:grpc.test'], { stdio: 'ignore' });
    certPem = readFileSync(certFile);
    cert = new X509Certificate(certPem);
    const wsPort = (wsServer.address() as AddressInfo).port;
    const file = join(dir, 'dynamic.yml');
    writeFileSync(
      file,
      `http:
  routers:
    flaky:
      rule: "Host(\`flaky.test\`)"
      entryPoints: [web]
      middlewares: [retry3]
      service: flaky
    down:
      rule: "Host(\`down.test\`)"
      entryPoints: [web]
      middlewares: [retry3]
      service: down
    bytes:
      rule: "Host(\`bytes.test\`)"
      entryPoints: [web]
      service: echo
    secure:
      rule: "Host(\`secure.test\`)"
      entryPoints: [websecure]
      service: secure-svc
      tls: {}
    ws:
      rule: "Host(\`ws.test\`)"
      entryPoints: [web]
      service: ws
    grpc:
      rule: "Host(\`grpc.test\`)"
      entryPoints: [web]
      service: grpc
    grpcs:
      rule: "Host(\`grpc.test\`)"
      entryPoints: [websecure]
      service: grpc
      tls: {}
    sse:
      rule: "Host(\`sse.test\`)"
      entryPoints: [web]
      service: sse
  middlewares:
    retry3:
      retry:
        attempts: 3
  services:
    flaky:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${dead}"
          - url: "${good.url}"
    down:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${dead}"
    echo:
      loadBalancer:
        servers:
          - url: "${echo.url}"
    secure-svc:
      loadBalancer:
        servers:
          - url: "${secureUp.url}"
    ws:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:${wsPort}"
    grpc:
      loadBalancer:
        servers:
          - url: "${grpcUp.url}"
    sse:
      loadBalancer:
        servers:
          - url: "${good.url}"
tls:
  certificates:
    - certFile: ${certFile}
      keyFile: ${keyFile}
`,
    );
    accessLog = join(dir, 'access.log');
    tp = new TurnpikeProcess([
      `--providers.file.filename=${file}`,
      '--providers.file.watch=false',
      '--log.format=json',
      '--log.level=INFO',
      '--entryPoints.web.address=127.0.0.1:0',
      '--entryPoints.websecure.address=127.0.0.1:0',
      '--entryPoints.metrics.address=127.0.0.1:0',
      '--metrics.prometheus.entryPoint=metrics',
      '--metrics.prometheus.addEntryPointsLabels=true',
      '--metrics.prometheus.addRoutersLabels=true',
      '--metrics.prometheus.addServicesLabels=true',
      `--accessLog.filePath=${accessLog}`,
      '--accessLog.format=json',
    ]);
    await tp.waitForLog('first configuration', (r: LogRecord) => r.msg === 'configuration applied', 20_000);
    const port = (ep: string): number => {
      const p = tp.logs.find((r) => r.msg === 'entryPoint listening' && r.entryPoint === ep)?.port;
      assert.equal(typeof p, 'number', `port of ${ep}`);
      return p as number;
    };
    web = port('web');
    websecure = port('websecure');
    metricsPort = port('metrics');
  });

  after(async () => {
    await tp?.stop();
    for (const c of wsServer?.clients ?? []) c.terminate();
    await new Promise<void>((resolve) => (wsServer ? wsServer.close(() => resolve()) : resolve()));
    await grpcUp?.close();
    await good?.close();
    await echo?.close();
    await secureUp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts one traefik_service_retries_total per retry that happened', async () => {
    const n = 6;
    for (let i = 0; i < n; i++) {
      const r = await get(web, '/', { host: 'flaky.test' });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'good');
    }
    // The access log says how many retries each request took (RetryAttempts: the tries after the first).
    const lines = await waitFor('access log lines of flaky@file', () => {
      let text: string;
      try {
        text = readFileSync(accessLog, 'utf8');
      } catch {
        return undefined;
      }
      const recs = text
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r['RouterName'] === 'flaky@file');
      return recs.length >= n ? recs : undefined;
    });
    const retried = lines.reduce((sum, r) => sum + Number(r['RetryAttempts'] ?? 0), 0);
    assert.ok(retried >= 1 && retried <= n, `retries in the access log: ${retried}`);
    const text = await scrapeUntil('traefik_service_retries_total', { service: 'flaky@file' }, retried);
    assert.equal(valueOf(text, 'traefik_service_retries_total', { service: 'flaky@file' }), retried);
    assert.match(text, /^# TYPE traefik_service_retries_total counter$/m);
    assert.equal(valueOf(text, 'traefik_service_requests_total', { code: '200', method: 'GET', protocol: 'http', service: 'flaky@file' }), n);

    // A closed port alone: attempts 3 is two retries per request, then the 502.
    for (let i = 0; i < 2; i++) assert.equal((await get(web, '/', { host: 'down.test' })).status, 502);
    const down = await scrapeUntil('traefik_service_retries_total', { service: 'down@file' }, 4);
    assert.equal(valueOf(down, 'traefik_service_retries_total', { service: 'down@file' }), 4);
    assert.equal(valueOf(down, 'traefik_service_requests_total', { code: '502', method: 'GET', protocol: 'http', service: 'down@file' }), 2);
    assert.equal(valueOf(down, 'traefik_router_requests_total', { code: '502', method: 'GET', protocol: 'http', router: 'down@file', service: 'down@file' }), 2);
  });

  for (const { desc, chunked } of [
    { desc: 'a POST with a Content-Length', chunked: false },
    { desc: 'a chunked POST', chunked: true },
  ]) {
    it(`adds the body sizes to the request and response byte counters: ${desc}`, async () => {
      const ep = { code: '200', entrypoint: 'web', method: 'POST', protocol: 'http' };
      const router = { code: '200', method: 'POST', protocol: 'http', router: 'bytes@file', service: 'echo@file' };
      const service = { code: '200', method: 'POST', protocol: 'http', service: 'echo@file' };
      const families: [string, Record<string, string>, number][] = [
        ['traefik_entrypoint_requests_bytes_total', ep, REQUEST_SIZE],
        ['traefik_entrypoint_responses_bytes_total', ep, RESPONSE_SIZE],
        ['traefik_router_requests_bytes_total', router, REQUEST_SIZE],
        ['traefik_router_responses_bytes_total', router, RESPONSE_SIZE],
        ['traefik_service_requests_bytes_total', service, REQUEST_SIZE],
        ['traefik_service_responses_bytes_total', service, RESPONSE_SIZE],
      ];
      const beforeText = await scrape();
      const start = families.map(([name, labels]) => valueOf(beforeText, name, labels) ?? 0);
      const startCount = valueOf(beforeText, 'traefik_entrypoint_requests_total', ep) ?? 0;

      const r = await post(web, 'bytes.test', REQUEST_SIZE, chunked);
      assert.equal(r.status, 200);
      assert.equal(r.bytes, RESPONSE_SIZE);
      assert.equal(received.at(-1), REQUEST_SIZE);

      const text = await scrapeUntil('traefik_entrypoint_requests_total', ep, startCount + 1);
      families.forEach(([name, labels, size], i) => {
        const grown = (valueOf(text, name, labels) ?? 0) - (start[i] as number);
        assert.equal(grown, size, `${seriesKey(name, labels)} grew by ${grown}, want ${size}`);
      });
      for (const name of ['traefik_entrypoint_requests_bytes_total', 'traefik_router_responses_bytes_total', 'traefik_service_requests_bytes_total']) {
        assert.match(text, new RegExp(`^# TYPE ${name} counter$`, 'm'));
      }
    });
  }

  for (const { desc, maxVersion, label } of [
    { desc: 'TLS 1.3', maxVersion: 'TLSv1.3' as const, label: '1.3' },
    { desc: 'TLS 1.2', maxVersion: 'TLSv1.2' as const, label: '1.2' },
  ]) {
    it(`counts HTTPS requests by tls_version and Go cipher name: ${desc}`, async () => {
      const r = await httpsGet(websecure, 'secure.test', certPem, maxVersion);
      assert.equal(r.status, 200);
      assert.equal(r.version, maxVersion);
      const tls = { tls_cipher: r.cipher, tls_version: label };
      const text = await scrapeUntil('traefik_entrypoint_requests_tls_total', { entrypoint: 'websecure', ...tls }, 1);
      assert.equal(valueOf(text, 'traefik_entrypoint_requests_tls_total', { entrypoint: 'websecure', ...tls }), 1);
      assert.equal(valueOf(text, 'traefik_router_requests_tls_total', { router: 'secure@file', service: 'secure-svc@file', ...tls }), 1);
      assert.equal(valueOf(text, 'traefik_service_requests_tls_total', { service: 'secure-svc@file', ...tls }), 1);
      assert.match(text, /^# TYPE traefik_entrypoint_requests_tls_total counter$/m);
      // The plain entry point has no TLS series.
      assert.doesNotMatch(text, /^traefik_entrypoint_requests_tls_total\{entrypoint="web",/m);
    });
  }

  it('shows the served certificate in traefik_tls_certs_not_after', async () => {
    const text = await scrape();
    const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
    const notAfter = Math.floor(Date.parse(cert.validTo) / 1000);
    assert.equal(valueOf(text, 'traefik_tls_certs_not_after', { cn: 'secure.test', sans: 'secure.test,grpc.test', serial }), notAfter);
  });

  it('labels a WebSocket handshake protocol="websocket" with code 101', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${web}/chat`, { headers: { host: 'ws.test' } });
    try {
      await within('websocket open', once(client, 'open'));
      const reply = within('websocket echo', once(client, 'message'));
      client.send('hello');
      const [m] = (await reply) as [Buffer];
      assert.equal(m.toString(), 'echo:hello');
      client.close(1000);
      await within('websocket close', once(client, 'close'));
    } finally {
      client.terminate();
    }
    const ep = { code: '101', entrypoint: 'web', method: 'GET', protocol: 'websocket' };
    const text = await scrapeUntil('traefik_entrypoint_requests_total', ep, 1);
    assert.equal(valueOf(text, 'traefik_entrypoint_requests_total', ep), 1);
    assert.equal(valueOf(text, 'traefik_router_requests_total', { code: '101', method: 'GET', protocol: 'websocket', router: 'ws@file', service: 'ws@file' }), 1);
    assert.equal(valueOf(text, 'traefik_service_requests_total', { code: '101', method: 'GET', protocol: 'websocket', service: 'ws@file' }), 1);
    assert.equal(valueOf(text, 'traefik_entrypoint_request_duration_seconds_count', ep), 1);
  });

  it('labels gRPC calls over h2c protocol="grpc" with the gRPC status as code', async () => {
    const session = h2Connect(`http://127.0.0.1:${web}`);
    session.on('error', () => undefined);
    try {
      assert.equal(await within('grpc Ok call', grpcCall(session, '/test.Svc/Ok')), '0');
      assert.equal(await within('grpc Fail call', grpcCall(session, '/test.Svc/Fail')), '5');
    } finally {
      session.destroy();
    }
    const ok = { code: '0', entrypoint: 'web', method: 'POST', protocol: 'grpc' };
    const text = await scrapeUntil('traefik_entrypoint_requests_total', { ...ok, code: '5' }, 1);
    assert.equal(valueOf(text, 'traefik_entrypoint_requests_total', ok), 1);
    assert.equal(valueOf(text, 'traefik_entrypoint_requests_total', { ...ok, code: '5' }), 1);
    for (const code of ['0', '5']) {
      assert.equal(valueOf(text, 'traefik_router_requests_total', { code, method: 'POST', protocol: 'grpc', router: 'grpc@file', service: 'grpc@file' }), 1);
      assert.equal(valueOf(text, 'traefik_service_requests_total', { code, method: 'POST', protocol: 'grpc', service: 'grpc@file' }), 1);
    }
    // Never counted as plain HTTP 200.
    assert.equal(valueOf(text, 'traefik_entrypoint_requests_total', { ...ok, code: '200' }), undefined);
  });

  it('labels a gRPC call over HTTP/2 with TLS protocol="grpc" and counts it by TLS version', async () => {
    const session = h2Connect(`https://127.0.0.1:${websecure}`, { ca: certPem, servername: 'grpc.test' });
    session.on('error', () => undefined);
    let cipher: string;
    try {
      assert.equal(await within('grpc over TLS', grpcCall(session, '/test.Svc/Ok')), '0');
      assert.equal(session.alpnProtocol, 'h2');
      cipher = (session.socket as TLSSocket).getCipher().standardName;
    } finally {
      session.destroy();
    }
    const ep = { code: '0', entrypoint: 'websecure', method: 'POST', protocol: 'grpc' };
    const text = await scrapeUntil('traefik_entrypoint_requests_total', ep, 1);
    assert.equal(valueOf(text, 'traefik_entrypoint_requests_total', ep), 1);
    assert.equal(valueOf(text, 'traefik_router_requests_total', { code: '0', method: 'POST', protocol: 'grpc', router: 'grpcs@file', service: 'grpc@file' }), 1);
    assert.equal(valueOf(text, 'traefik_router_requests_tls_total', { router: 'grpcs@file', service: 'grpc@file', tls_cipher: cipher, tls_version: '1.3' }), 1);
    assert.equal(valueOf(text, 'traefik_service_requests_tls_total', { service: 'grpc@file', tls_cipher: cipher, tls_version: '1.3' }), 1);
  });

  it('labels an event-stream subscription protocol="sse"', async () => {
    const r = await get(web, '/events', { host: 'sse.test', headers: { accept: 'text/event-stream' } });
    assert.equal(r.status, 200);
    const ep = { code: '200', entrypoint: 'web', method: 'GET', protocol: 'sse' };
    const text = await scrapeUntil('traefik_entrypoint_requests_total', ep, 1);
    assert.equal(valueOf(text, 'traefik_entrypoint_requests_total', ep), 1);
    assert.equal(valueOf(text, 'traefik_service_requests_total', { code: '200', method: 'GET', protocol: 'sse', service: 'sse@file' }), 1);
  });
});
