/**
 * gRPC through the forwarder's HTTP/2 upstream side: @grpc/grpc-js client -> the HTTP/2 test front
 * end (h2c) -> createForwarder -> @grpc/grpc-js server on an h2c:// URL. Unary, server streaming
 * and bidirectional streaming calls; status codes, grpc-message and trailing metadata intact;
 * trailers-only errors; deadlines (grpc-timeout passes through: the server sees the deadline and
 * is cancelled when the client gives up). Messages are raw bytes (identity serializers).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { forwardTo } from './forward-helpers.js';
import { startH2Front, type H2Front } from './upstream-h2-harness.js';
import { waitFor, within } from '../helpers/wait.js';

const identity = (b: Buffer): Buffer => b;
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});
const SERVICE = {
  Echo: method('/test.Echo/Echo', false, false),
  Count: method('/test.Echo/Count', false, true),
  Chat: method('/test.Echo/Chat', true, true),
  Slow: method('/test.Echo/Slow', false, false),
} as const;

const Client = grpc.makeGenericClientConstructor(SERVICE, 'Echo');
type ClientT = InstanceType<typeof Client>;
type Fn = (...args: unknown[]) => grpc.ClientUnaryCall & grpc.ClientReadableStream<Buffer>;

void describe('gRPC through the forwarder (h2c upstream)', () => {
  let server: grpc.Server;
  let front: H2Front;
  let client: ClientT;
  let closePools: () => void;
  const slow = { deadlines: [] as number[], cancelled: 0 };

  before(async () => {
    server = new grpc.Server();
    server.addService(SERVICE, {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const text = call.request.toString();
        if (text.startsWith('fail:')) {
          const md = new grpc.Metadata();
          md.set('x-reason', text.slice(5));
          md.set('x-bin-bin', Buffer.from([0, 1, 255]));
          cb({ code: grpc.status.NOT_FOUND, details: `no such thing: ${text.slice(5)}`, metadata: md });
          return;
        }
        const head = new grpc.Metadata();
        head.set('x-head', 'h');
        call.sendMetadata(head);
        cb(null, Buffer.from(`echo:${text}:${String(call.metadata.get('x-client')[0] ?? '')}`));
      },
      Count: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        const n = Number(call.request.toString());
        for (let i = 1; i <= n; i++) call.write(Buffer.from(String(i)));
        const trailer = new grpc.Metadata();
        trailer.set('x-count', String(n));
        if (n > 3) call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'too many', metadata: trailer });
        else call.end(trailer);
      },
      Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', (m: Buffer) => call.write(Buffer.from(m.toString().toUpperCase())));
        call.on('end', () => call.end());
        call.on('error', () => undefined);
      },
      Slow: (call: grpc.ServerUnaryCall<Buffer, Buffer>) => {
        const d = call.getDeadline();
        slow.deadlines.push((d instanceof Date ? d.getTime() : Number(d)) - Date.now());
        call.on('cancelled', () => slow.cancelled++);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const fwd = forwardTo(`h2c://127.0.0.1:${port}`);
    closePools = () => fwd.pools.close();
    front = await startH2Front(fwd.handler);
    client = new Client(`127.0.0.1:${front.port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await front.close();
    closePools();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  function call(name: keyof typeof SERVICE): Fn {
    const fn = (client as unknown as Record<string, Fn>)[name] as Fn;
    return fn.bind(client);
  }

  function unary(name: 'Echo' | 'Slow', msg: string, o: { md?: grpc.Metadata; deadlineMs?: number } = {}) {
    return new Promise<{ value?: Buffer; error?: grpc.ServiceError; head?: grpc.Metadata }>((resolve) => {
      let head: grpc.Metadata | undefined;
      const c = call(name)(Buffer.from(msg), o.md ?? new grpc.Metadata(), o.deadlineMs === undefined ? {} : { deadline: Date.now() + o.deadlineMs }, (error: grpc.ServiceError | null, value?: Buffer) =>
        resolve({ ...(error === null ? {} : { error }), ...(value === undefined ? {} : { value }), ...(head === undefined ? {} : { head }) }),
      );
      c.on('metadata', (m: grpc.Metadata) => (head = m));
    });
  }

  void it('unary: the answer, request metadata up, response metadata down', async () => {
    const md = new grpc.Metadata();
    md.set('x-client', 'c1');
    const r = await within('unary', unary('Echo', 'hi', { md }));
    assert.equal(r.error, undefined);
    assert.equal(r.value?.toString(), 'echo:hi:c1');
    assert.equal(r.head?.get('x-head')[0], 'h');
  });

  void it('unary error: status code, grpc-message and trailing metadata (a trailers-only answer) intact', async () => {
    const r = await within('error', unary('Echo', 'fail:widget'));
    assert.equal(r.error?.code, grpc.status.NOT_FOUND);
    assert.equal(r.error?.details, 'no such thing: widget');
    assert.equal(r.error?.metadata.get('x-reason')[0], 'widget');
    assert.deepEqual([...(r.error?.metadata.get('x-bin-bin')[0] as Buffer)], [0, 1, 255]);
  });

  void it('server streaming: every message, then trailers with the status and metadata', async () => {
    const got: string[] = [];
    let trailer: grpc.Metadata | undefined;
    const stream = call('Count')(Buffer.from('3'), new grpc.Metadata(), {});
    stream.on('data', (m: Buffer) => got.push(m.toString()));
    stream.on('status', (s: grpc.StatusObject) => (trailer = s.metadata));
    await within('end of stream', new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('error', reject);
    }));
    await waitFor('status', () => trailer);
    assert.deepEqual(got, ['1', '2', '3']);
    assert.equal(trailer?.get('x-count')[0], '3');
  });

  void it('server streaming that fails after messages: the messages, then the error status from the trailers', async () => {
    const got: string[] = [];
    const stream = call('Count')(Buffer.from('5'), new grpc.Metadata(), {});
    stream.on('data', (m: Buffer) => got.push(m.toString()));
    const err = await within('error', new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve)));
    assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(err.details, 'too many');
    assert.equal(err.metadata.get('x-count')[0], '5');
    assert.deepEqual(got, ['1', '2', '3', '4', '5']);
  });

  void it('bidirectional streaming: messages both ways, interleaved', async () => {
    const duplex = (client as unknown as { Chat: () => grpc.ClientDuplexStream<Buffer, Buffer> }).Chat();
    const got: string[] = [];
    const next = (): Promise<string> => new Promise((resolve) => duplex.once('data', (m: Buffer) => resolve(m.toString())));
    for (const word of ['one', 'two', 'three']) {
      const answer = next();
      duplex.write(Buffer.from(word));
      got.push(await within(`answer to ${word}`, answer));
    }
    const ended = new Promise<void>((resolve, reject) => {
      duplex.on('end', resolve);
      duplex.on('error', reject);
    });
    duplex.end();
    await within('end', ended);
    assert.deepEqual(got, ['ONE', 'TWO', 'THREE']);
  });

  void it('deadline: grpc-timeout reaches the server, the call ends DEADLINE_EXCEEDED and the server call is cancelled', async () => {
    const before = slow.cancelled;
    const r = await within('deadline', unary('Slow', 'wait', { deadlineMs: 400 }));
    assert.equal(r.error?.code, grpc.status.DEADLINE_EXCEEDED);
    const seen = slow.deadlines.at(-1);
    assert.ok(seen !== undefined && seen > 0 && seen <= 400, `server saw ${String(seen)} ms left`);
    await waitFor('the server call to be cancelled', () => (slow.cancelled > before ? true : undefined));
  });

  void it('many concurrent unary calls share the upstream session', async () => {
    const replies = await within('50 calls', Promise.all(Array.from({ length: 50 }, (_, i) => unary('Echo', `n${i}`))));
    replies.forEach((r, i) => assert.equal(r.value?.toString(), `echo:n${i}:`));
  });
});
