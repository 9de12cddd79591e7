/**
 * The gRPC health check (`healthCheck.mode: grpc`): one unary call of
 * `grpc.health.v1.Health/Check` over HTTP/2 (cleartext h2c for http servers, TLS with the
 * transport's settings for https ones); healthy when the call succeeds (grpc-status 0) and the
 * answer's status is SERVING. The two tiny protobuf messages are encoded by hand:
 *
 *     message HealthCheckRequest  { string service = 1; }   // sent empty: the server's overall health
 *     message HealthCheckResponse { ServingStatus status = 1; }   // UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3
 *
 * Each probe opens its own HTTP/2 session and closes it after the call (never the data path's).
 * `headers` go out as request metadata, `hostname` as :authority.
 */
import type { ClientSessionOptions, IncomingHttpHeaders, SecureClientSessionOptions } from 'node:http2';
import { http2 } from '../../net/lazy-http2.js';
import { isIP } from 'node:net';
import type { HealthCheckConfig } from '../../config/dynamic/types.js';
import type { ServerTarget } from '../../proxy/server-target.js';
import type { ResolvedTransport } from '../../proxy/transport.js';

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
export const SERVING = 1;

/** A gRPC message frame: compressed flag 0, big-endian length, the message. */
export function grpcFrame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** HealthCheckRequest{service}: field 1, wire type 2 (omitted when empty, as proto3 does). */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0);
  const bytes = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(bytes.length), bytes]);
}

/** HealthCheckResponse{status}: field 1, wire type 0. */
export function encodeHealthCheckResponse(status: number): Buffer {
  return status === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x08]), varint(status)]);
}

/** The `status` of a HealthCheckResponse (0 = UNKNOWN when absent); throws on malformed input. */
export function decodeHealthCheckResponse(msg: Uint8Array): number {
  let status = 0;
  let i = 0;
  const read = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (i >= msg.length) throw new Error('truncated varint');
      const b = msg[i++] as number;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  };
  while (i < msg.length) {
    const tag = read();
    const wire = tag % 8;
    const field = Math.floor(tag / 8);
    if (wire === 0) {
      const v = read();
      if (field === 1) status = v;
    } else if (wire === 1) i += 8;
    else if (wire === 2) {
      const len = read(); // read() moves i: add after it returns
      i += len;
    }
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (i > msg.length) throw new Error('truncated field');
  }
  return status;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** One gRPC health probe of `target`: true when the server answers SERVING. */
export function probeGrpc(cfg: HealthCheckConfig, transport: ResolvedTransport, target: ServerTarget, signal: AbortSignal): Promise<boolean> {
  const tls = (cfg.scheme ?? target.scheme) === 'https';
  const port = cfg.port ?? target.port;
  const hostPart = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  const authority = `${tls ? 'https' : 'http'}://${hostPart}:${port}`;
  const options: ClientSessionOptions | SecureClientSessionOptions = tls
    ? {
        servername: transport.serverName ?? (isIP(target.host) === 0 ? target.host : ''),
        rejectUnauthorized: !transport.insecureSkipVerify,
        // Trusted CAs, client certificates (mTLS), versions and ciphers of the transport.
        secureContext: transport.secureContext,
      }
    : {};
  return new Promise<boolean>((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const session = http2().connect(authority, options);
    const finish = (err: Error | null, up: boolean): void => {
      signal.removeEventListener('abort', onAbort);
      session.destroy();
      if (err !== null) reject(err);
      else resolve(up);
    };
    const onAbort = (): void => finish(new Error('health check aborted or timed out'), false);
    signal.addEventListener('abort', onAbort, { once: true });
    session.on('error', (err: Error) => finish(err, false));

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(cfg.headers)) {
      const lower = name.toLowerCase();
      if (lower !== 'host' && !lower.startsWith(':')) headers[lower] = value;
    }
    const stream = session.request({
      ...headers,
      ':method': 'POST',
      ':path': HEALTH_CHECK_PATH,
      ':authority': cfg.hostname ?? `${hostPart}:${port}`,
      ':scheme': tls ? 'https' : 'http',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    stream.on('response', (h) => (head = h));
    stream.on('trailers', (t: IncomingHttpHeaders) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (err: Error) => finish(err, false));
    stream.on('end', () => {
      const grpcStatus = trailers['grpc-status'] ?? head['grpc-status'];
      if (Number(head[':status']) !== 200 || grpcStatus !== '0') {
        finish(null, false);
        return;
      }
      const body = Buffer.concat(chunks);
      if (body.length < 5 || body[0] !== 0) {
        finish(null, false);
        return;
      }
      const len = body.readUInt32BE(1);
      if (body.length < 5 + len) {
        finish(null, false);
        return;
      }
      let status: number;
      try {
        status = decodeHealthCheckResponse(body.subarray(5, 5 + len));
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)), false);
        return;
      }
      finish(null, status === SERVING);
    });
    stream.end(grpcFrame(encodeHealthCheckRequest('')));
  });
}
