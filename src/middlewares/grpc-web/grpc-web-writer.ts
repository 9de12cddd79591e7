/**
 * Turns the gRPC response written by the next handler into a gRPC-Web response, as
 * improbable-eng/grpc-web (Traefik's grpcWeb) does:
 * - head: the CORS headers first, then the backend's headers (a backend header replaces a CORS
 *   header of the same name), without `Trailer` and `Content-Length` (the body grows by the
 *   trailer frame); `application/grpc` in Content-Type becomes `application/grpc-web` (or
 *   `application/grpc-web-text`); `Access-Control-Expose-Headers` lists every header name of the
 *   head (Go canonical case) plus `grpc-status, grpc-message`, so browsers can read them;
 * - body: gRPC messages as they come (base64, each write padded, for -text);
 * - end: the trailers become a last frame: flag 0x80, 4-byte big-endian length, then
 *   `name: value\r\n` lines, names lower-cased and sorted (Go http.Header.Write), CR/LF in values
 *   turned into spaces. The frame is written even when there are no trailers, as Traefik does
 *   (a trailers-only gRPC answer carries grpc-status in the head and ends with an empty frame).
 * An end() without a head is answered as a trailers-only response: 200 with the trailers as headers.
 */
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList, equalsLower } from '../../exchange/headers.js';

const GRPC = 'application/grpc';
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go textproto.CanonicalMIMEHeaderKey (names with invalid characters are left as they are). */
export function goCanonicalKey(name: string): string {
  if (!TOKEN.test(name)) return name;
  let out = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/** Go http.Header.Write of the trailers, names lower-cased (gRPC-Web wants lower case). */
export function trailerBlock(trailers: HeaderList | undefined): Buffer {
  if (trailers === undefined || trailers.size === 0) return Buffer.alloc(0);
  const byName = new Map<string, string[]>();
  trailers.forEach((name, value) => {
    const key = name.toLowerCase();
    let list = byName.get(key);
    if (list === undefined) byName.set(key, (list = []));
    list.push(value.replace(/[\r\n]/g, ' ').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''));
  });
  let text = '';
  for (const key of [...byName.keys()].sort()) {
    for (const v of byName.get(key) as string[]) text += `${key}: ${v}\r\n`;
  }
  return Buffer.from(text, 'latin1');
}

/** A gRPC-Web frame: 1 flag byte, 4 length bytes, payload. */
export function frame(flag: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = flag;
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, 5);
  return out;
}

export class GrpcWebResponseWriter extends DelegatingResponseWriter {
  private headWritten = false;

  constructor(
    inner: ResponseWriter,
    private readonly text: boolean,
    /** [name, value, ...] from GrpcWebCors.actualHeaders. */
    private readonly corsHeaders: string[],
  ) {
    super(inner);
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    // 1xx informational heads pass as they are.
    if (status < 200) {
      super.writeHead(status, headers, statusMessage);
      return;
    }
    this.headWritten = true;
    const out = new HeaderList(this.corsHeaders);
    const replaced: string[] = [];
    const webType = this.text ? 'application/grpc-web-text' : 'application/grpc-web';
    headers.forEach((name, value) => {
      if (equalsLower(name, 'trailer') || equalsLower(name, 'content-length')) return;
      const lower = name.toLowerCase();
      if (!replaced.includes(lower)) {
        replaced.push(lower);
        out.delete(lower);
      }
      out.add(name, lower === 'content-type' ? value.replace(GRPC, webType) : value);
    });
    const names: string[] = [];
    out.forEach((name) => {
      const canonical = goCanonicalKey(name);
      if (!names.includes(canonical)) names.push(canonical);
    });
    names.push('grpc-status', 'grpc-message');
    out.set('Access-Control-Expose-Headers', names.join(', '));
    super.writeHead(status, out, statusMessage);
  }

  override write(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    return super.write(this.text ? Buffer.from(chunk.toString('base64'), 'latin1') : chunk);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    if (!this.headWritten) {
      // Nothing was written: a trailers-only answer, its trailers go in the head.
      this.writeHead(200, trailers ?? new HeaderList());
      if (chunk === undefined || chunk.length === 0) {
        super.end();
        return;
      }
      trailers = undefined;
    }
    if (chunk !== undefined && chunk.length > 0) this.write(chunk);
    const last = frame(0x80, trailerBlock(trailers));
    super.end(this.text ? Buffer.from(last.toString('base64'), 'latin1') : last);
  }
}
