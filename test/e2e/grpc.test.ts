/**
 * gRPC end to end through the real binary: a @grpc/grpc-js client -> Turnpike (h2c with prior
 * knowledge on a plain entry point, and HTTP/2 over TLS on the same port) -> @grpc/grpc-js servers
 * on h2c:// URLs. Unary and bidirectional streaming calls, status codes and trailing metadata
 * intact, deadlines propagated (the server sees the client's deadline and is cancelled when it
 * passes), the load balancer's gRPC health-check mode, and clients that cancel calls mid-stream
 * while a steady load runs beside them with no failure.
 *
 * Messages are raw bytes (identity serializers): the proxy never looks inside them, so no
 * .proto file is needed; the health service's two tiny messages are encoded by hand.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TurnpikeProcess } from '../helpers/turnpike-process.js';
import { waitFor, within } from '../helpers/wait.js';

const identity = (b: Buffer): Buffer => b;

/** The test service: Echo (unary), Slow (answers only when cancelled), Chat (bidi echo). */
const ECHO_SERVICE = {
  Echo: { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  Slow: { path: '/test.Echo/Slow', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  Chat: { path: '/test.Echo/Chat', requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
} as const;

/** grpc.health.v1.Health/Check with hand-encoded messages (status: field 1, varint; SERVING = 1). */
const HEALTH_SERVICE = {
  Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
} as const;
const SERVING = 1;
const NOT_SERVING = 2;

type Unary = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void;

interface Backend {
  readonly server: grpc.Server;
  readonly port: number;
  /** Deadlines seen by Slow (ms from now when the call arrived), and Slow calls cancelled. */
  readonly slow: { deadlines: number[]; cancelled: number };
  /** Chat calls that ended by cancellation. */
  chatCancelled: number;
  health: number;
}

async function startBackend(name: string, health = SERVING): Promise<Backend> {
  const server = new grpc.Server();
  const backend: Backend = { server, port: 0, slow: { deadlines: [], cancelled: 0 }, chatCancelled: 0, health };
  const echo: Unary = (call, cb) => {
    const text = call.request.toString();
    if (text.startsWith('fail:')) {
      const md = new grpc.Metadata();
      md.set('x-reason', text.slice(5));
      md.set('x-bin-bin', Buffer.from([0, 1, 2, 255]));
      cb({ code: grpc.status.NOT_FOUND, details: `no such thing: ${text.slice(5)}`, metadata: md });
      return;
    }
    const md = new grpc.Metadata();
    md.set('x-served-by', name);
    call.sendMetadata(md);
    cb(null, Buffer.from(`${name}:${text}:${String(call.metadata.get('x-client')[0] ?? '')}`));
  };
  const slow: Unary = (call) => {
    const deadline = call.getDeadline();
    backend.slow.deadlines.push(deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now());
    call.on('cancelled', () => backend.slow.cancelled++);
  };
  const chat = (call: grpc.ServerDuplexStream<Buffer, Buffer>): void => {
    call.on('data', (m: Buffer) => call.write(Buffer.from(`${name}<${m.toString()}>`)));
    call.on('end', () => call.end());
    call.on('cancelled', () => backend.chatCancelled++);
    call.on('error', () => undefined);
  };
  server.addService(ECHO_SERVICE, { Echo: echo, Slow: slow, Chat: chat });
  const check: Unary = (_call, cb) => cb(null, Buffer.from([0x08, backend.health]));
  server.addService(HEALTH_SERVICE, { Check: check });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return Object.assign(backend, { port });
}

const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
type EchoClientT = InstanceType<typeof EchoClient>;

function unary(client: EchoClientT, method: 'Echo' | 'Slow', msg: string, opts: { deadlineMs?: number; metadata?: grpc.Metadata } = {}): Promise<{ value?: Buffer; error?: grpc.ServiceError; headers?: grpc.Metadata }> {
  return new Promise((resolve) => {
    const md = opts.metadata ?? new grpc.Metadata();
    const options: grpc.CallOptions = opts.deadlineMs === undefined ? {} : { deadline: Date.now() + opts.deadlineMs };
    let headers: grpc.Metadata | undefined;
    // makeGenericClientConstructor's methods take (request, metadata, options, callback).
    const fn = (client as unknown as Record<string, (...args: unknown[]) => grpc.ClientUnaryCall>)[method] as (...args: unknown[]) => grpc.ClientUnaryCall;
    const call = fn.call(client, Buffer.from(msg), md, options, (error: grpc.ServiceError | null, value?: Buffer) => {
      resolve(error ? { error, ...(headers ? { headers } : {}) } : { ...(value ? { value } : {}), ...(headers ? { headers } : {}) });
    });
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
  });
}

function chat(client: EchoClientT): grpc.ClientDuplexStream<Buffer, Buffer> {
  return (client as unknown as { Chat: () => grpc.ClientDuplexStream<Buffer, Buffer> }).Chat();
}

describe('gRPC through Turnpike', () => {
  let dir: string;
  let tp: TurnpikeProcess;
  let port: number;
  let a: Backend;
  let b: Backend;
  let sick: Backend;
  let plain: EchoClientT;
  let secure: EchoClientT;
  let balanced: EchoClientT;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-grpc-'));
    // A certificate for grpc.test, made here and removed in after().
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=grpc.test', '-addext', 'subjectAltName=DNS:grpc.test,DNS:lb.test'], { stdio: 'ignore' });
    a = await startBackend('a');
    b = await startBackend('b');
    sick = await startBackend('sick', NOT_SERVING);
    const dyn = join(dir, 'dyn.yml');
    writeFileSync(
      dyn,
      `http:
  routers:
    grpc:
      rule: "Host(\`grpc.test\`)"
      service: echo
    grpcs:
      rule: "Host(\`grpc.test\`)"
      service: echo
      tls: {}
    lb:
      rule: "Host(\`lb.test\`)"
      service: balanced
  services:
    echo:
      loadBalancer:
        servers:
          - url: "h2c://127.0.0.1:${a.port}"
    balanced:
      loadBalancer:
        servers:
          - url: "h2c://127.0.0.1:${b.port}"
          - url: "h2c://127.0.0.1:${sick.port}"
        healthCheck:
          mode: grpc
          path: /
          interval: 100ms
          timeout: 1s
tls:
  certificates:
    - certFile: ${JSON.stringify(join(dir, 'cert.pem'))}
      keyFile: ${JSON.stringify(join(dir, 'key.pem'))}
`,
    );
    tp = new TurnpikeProcess(['--entryPoints.web.address=127.0.0.1:0', `--providers.file.filename=${dyn}`, '--log.level=INFO', '--log.format=json']);
    const listening = await tp.waitForLog('listening', (r) => r.msg === 'entryPoint listening');
    port = Number(listening['port']);
    await tp.waitForLog('applied', (r) => r.msg === 'configuration applied');
    plain = new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'grpc.test' });
    secure = new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createSsl(readFileSync(join(dir, 'cert.pem'))), {
      'grpc.ssl_target_name_override': 'grpc.test',
      'grpc.default_authority': 'grpc.test',
    });
    balanced = new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'lb.test' });
  });

  after(async () => {
    for (const c of [plain, secure, balanced]) c?.close();
    await tp?.stop();
    for (const s of [a, b, sick]) s?.server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, client] of [
    ['h2c', (): EchoClientT => plain],
    ['TLS', (): EchoClientT => secure],
  ] as const) {
    it(`unary over ${label}: response, initial metadata and request metadata intact`, async () => {
      const md = new grpc.Metadata();
      md.set('x-client', label);
      const r = await within('unary', unary(client(), 'Echo', 'hello', { metadata: md }));
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.value?.toString(), `a:hello:${label}`);
      assert.deepEqual(r.headers?.get('x-served-by'), ['a']);
    });

    it(`an error status over ${label}: code, message and trailing metadata (text and -bin) intact`, async () => {
      const r = await within('unary error', unary(client(), 'Echo', 'fail:widget'));
      assert.equal(r.error?.code, grpc.status.NOT_FOUND);
      assert.equal(r.error?.details, 'no such thing: widget');
      assert.deepEqual(r.error?.metadata.get('x-reason'), ['widget']);
      assert.deepEqual(r.error?.metadata.get('x-bin-bin'), [Buffer.from([0, 1, 2, 255])]);
    });

    it(`bidirectional streaming over ${label}: messages interleave both ways, status OK at the end`, async () => {
      const call = chat(client());
      const got: string[] = [];
      const ended = new Promise<grpc.StatusObject>((resolve, reject) => {
        call.on('status', resolve);
        call.on('error', reject);
      });
      // Each answer arrives before the next message is sent: the stream is really bidirectional.
      for (const m of ['one', 'two', 'three']) {
        const answer = new Promise<string>((resolve) => call.once('data', (d: Buffer) => resolve(d.toString())));
        call.write(Buffer.from(m));
        got.push(await within(`answer to ${m}`, answer));
      }
      call.end();
      const status = await within('chat status', ended);
      assert.deepEqual(got, ['a<one>', 'a<two>', 'a<three>']);
      assert.equal(status.code, grpc.status.OK);
    });
  }

  it('deadlines propagate: the server sees the client deadline, and the call ends DEADLINE_EXCEEDED', async () => {
    const before = a.slow.cancelled;
    const r = await within('slow call', unary(plain, 'Slow', 'x', { deadlineMs: 400 }));
    assert.equal(r.error?.code, grpc.status.DEADLINE_EXCEEDED);
    const seen = a.slow.deadlines[a.slow.deadlines.length - 1];
    assert.ok(seen !== undefined && seen > 0 && seen <= 400, `server-side deadline ${String(seen)} ms`);
    // The upstream call is cancelled too (the server's own deadline, or the proxy's RST_STREAM).
    await waitFor('server-side cancel', () => (a.slow.cancelled > before ? true : undefined), 5000);
  });

  it('gRPC health-check mode: a NOT_SERVING server is out of rotation, SERVING again brings it back', async () => {
    // Within a few intervals of start-up the sick server is out: every call lands on b.
    await waitFor('sick server out of rotation', async () => {
      const served = await Promise.all(Array.from({ length: 6 }, () => unary(balanced, 'Echo', 'hc')));
      return served.every((r) => r.value?.toString().startsWith('b:')) ? true : undefined;
    });
    sick.health = SERVING;
    await waitFor('recovered server back in rotation', async () => {
      const served = await Promise.all(Array.from({ length: 6 }, () => unary(balanced, 'Echo', 'hc')));
      return served.some((r) => r.value?.toString().startsWith('sick:')) ? true : undefined;
    });
    sick.health = NOT_SERVING;
  });

  it('clients that cancel streams mid-call do not disturb a steady load beside them', async () => {
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const steady = (async () => {
      while (!stop) {
        const r = await unary(plain, 'Echo', 'steady');
        if (r.value?.toString() === 'a:steady:') ok++;
        else failures.push(r.error?.message ?? 'wrong answer');
      }
    })();
    const cancelledBefore = a.chatCancelled;
    for (let i = 0; i < 20; i++) {
      const call = chat(i % 2 === 0 ? plain : secure);
      call.on('error', () => undefined); // CANCELLED, expected
      const first = new Promise<void>((resolve) => call.once('data', () => resolve()));
      call.write(Buffer.from(`m${i}`));
      await within('first chat answer', first);
      call.write(Buffer.from('more'));
      call.cancel();
    }
    await waitFor('upstream streams cancelled', () => (a.chatCancelled >= cancelledBefore + 20 ? true : undefined), 10_000);
    stop = true;
    await within('steady load', steady);
    assert.deepEqual(failures, []);
    assert.ok(ok > 0);
  });
});
