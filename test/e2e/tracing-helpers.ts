/**
 * Local OTLP trace receivers for the tracing tests: OTLP/HTTP (node:http, JSON bodies as the
 * JavaScript exporter sends them, gzip or not) and OTLP/gRPC (@grpc/grpc-js, the protobuf request
 * read by a small wire-format decoder). Both collect spans in one flat shape and let a test wait,
 * with a bound, until the spans it expects have arrived.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Server as GrpcServer, ServerCredentials, type Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { waitFor } from '../helpers/wait.js';

export type AttrValue = string | number | boolean | AttrValue[];

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Record<string, AttrValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Record<string, AttrValue>;
}

export const KIND = { internal: 1, server: 2, client: 3 } as const;

abstract class Receiver {
  readonly spans: ReceivedSpan[] = [];
  /** Request metadata of each export (HTTP headers / gRPC metadata), lower-case names. */
  readonly exports: Record<string, string>[] = [];

  /** Spans of `traceId` once `done(spans)` holds (bounded). */
  waitForTrace(traceId: string, done: (spans: ReceivedSpan[]) => boolean, ms = 10_000): Promise<ReceivedSpan[]> {
    return waitFor(
      `spans of trace ${traceId} (have ${JSON.stringify(this.spans.filter((s) => s.traceId === traceId).map((s) => s.name))})`,
      () => {
        const spans = this.spans.filter((s) => s.traceId === traceId);
        return done(spans) ? spans : undefined;
      },
      ms,
    );
  }

  abstract close(): Promise<void>;
}

// --- OTLP/HTTP JSON ------------------------------------------------------------------------------

interface JsonAnyValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: JsonAnyValue[] };
}
interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: JsonKeyValue[];
  status?: { code?: number };
}
interface JsonRequest {
  resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}

function jsonValue(v: JsonAnyValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(jsonValue);
  return '';
}

function jsonAttrs(list: JsonKeyValue[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list ?? []) out[kv.key] = jsonValue(kv.value);
  return out;
}

function flatHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export class HttpReceiver extends Receiver {
  port = 0;
  readonly #server: Server;
  /** Bodies that could not be read (content type, JSON): a test asserts there are none. */
  readonly problems: string[] = [];

  private constructor() {
    super();
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
          this.problems.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
          res.writeHead(400).end();
          return;
        }
        try {
          this.#take(JSON.parse(body.toString()) as JsonRequest);
          this.exports.push(flatHeaders(req.headers));
        } catch (err) {
          this.problems.push(String(err));
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  static async start(): Promise<HttpReceiver> {
    const r = new HttpReceiver();
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve));
    r.port = (r.#server.address() as AddressInfo).port;
    return r;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  #take(req: JsonRequest): void {
    for (const rs of req.resourceSpans ?? []) {
      const resource = jsonAttrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            name: s.name,
            kind: s.kind,
            attributes: jsonAttrs(s.attributes),
            statusCode: s.status?.code ?? 0,
            resource,
          });
        }
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}

// --- OTLP/gRPC protobuf --------------------------------------------------------------------------

/** Protobuf wire format: the fields of one message, by number, as raw values. */
function fields(buf: Buffer): Map<number, (Buffer | bigint)[]> {
  const out = new Map<number, (Buffer | bigint)[]>();
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++] ?? 0;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    let value: Buffer | bigint;
    switch (tag & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = buf.subarray(i, i + 8);
        i += 8;
        break;
      case 2: {
        const len = Number(varint());
        value = buf.subarray(i, i + len);
        i += len;
        break;
      }
      case 5:
        value = buf.subarray(i, i + 4);
        i += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

function bytes(m: Map<number, (Buffer | bigint)[]>, n: number): Buffer[] {
  return (m.get(n) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v));
}

function anyValue(buf: Buffer): AttrValue {
  const m = fields(buf);
  const s = bytes(m, 1)[0];
  if (s !== undefined) return s.toString();
  const b = m.get(2)?.[0];
  if (typeof b === 'bigint') return b !== 0n;
  const n = m.get(3)?.[0];
  if (typeof n === 'bigint') return Number(n);
  const d = bytes(m, 4)[0];
  if (d !== undefined) return d.readDoubleLE(0);
  const arr = bytes(m, 5)[0];
  if (arr !== undefined) return bytes(fields(arr), 1).map(anyValue);
  return '';
}

function pbAttrs(list: Buffer[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list) {
    const m = fields(kv);
    const key = bytes(m, 1)[0]?.toString() ?? '';
    const value = bytes(m, 2)[0];
    out[key] = value === undefined ? '' : anyValue(value);
  }
  return out;
}

export class GrpcReceiver extends Receiver {
  port = 0;
  readonly #server = new GrpcServer();

  static async start(): Promise<GrpcReceiver> {
    const r = new GrpcReceiver();
    r.#server.addService(
      {
        Export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: () => Buffer.alloc(0),
          responseDeserialize: (b: Buffer) => b,
        },
      },
      {
        Export: (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
          r.#take(call.request, call.metadata);
          cb(null, Buffer.alloc(0));
        },
      },
    );
    r.port = await new Promise<number>((resolve, reject) =>
      r.#server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return r;
  }

  #take(req: Buffer, metadata: Metadata): void {
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata.getMap())) md[k] = String(v);
    this.exports.push(md);
    for (const rs of bytes(fields(req), 1)) {
      const rsf = fields(rs);
      const resourceBuf = bytes(rsf, 1)[0];
      const resource = resourceBuf ? pbAttrs(bytes(fields(resourceBuf), 1)) : {};
      for (const ss of bytes(rsf, 2)) {
        for (const spanBuf of bytes(fields(ss), 2)) {
          const s = fields(spanBuf);
          const status = bytes(s, 15)[0];
          const code = status ? fields(status).get(3)?.[0] : undefined;
          this.spans.push({
            traceId: bytes(s, 1)[0]?.toString('hex') ?? '',
            spanId: bytes(s, 2)[0]?.toString('hex') ?? '',
            parentSpanId: bytes(s, 4)[0]?.toString('hex') ?? '',
            name: bytes(s, 5)[0]?.toString() ?? '',
            kind: Number(s.get(6)?.[0] ?? 0n),
            attributes: pbAttrs(bytes(s, 9)),
            statusCode: typeof code === 'bigint' ? Number(code) : 0,
            resource,
          });
        }
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.tryShutdown(() => resolve()));
  }
}
