/**
 * The response side of compress: decides from the response head (and, for a body of unknown
 * length, its first bytes) whether to compress, then streams the body through a node:zlib
 * stream with backpressure both ways. Memory per response stays bounded: at most
 * `minResponseBodyBytes` while deciding, then the zlib stream's own buffers.
 *
 * Not compressed (sent as is, with Vary still added): 1xx/204/304, a response that already has a
 * Content-Encoding or a Content-Range, an excluded (or not included) or unparsable Content-Type,
 * a Content-Length below the minimum, and a body of unknown length that ends below the minimum.
 * A body of unknown length that is still below the minimum after FLUSH_DELAY_MS is compressed from
 * then on, and every chunk of such a body is flushed through zlib at once: a slow stream (SSE)
 * is never held back (Traefik: chunked responses ignore the minimum and are flushed as they come).
 */
import { constants as Z, createBrotliCompress, createGzip, type BrotliCompress, type BrotliOptions, type Gzip } from 'node:zlib';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { parseMediaType } from '../../config/dynamic/schema/middlewares/media-type.js';

/** Encodings node:zlib can produce on Node.js 20. */
export const AVAILABLE_ENCODINGS = ['gzip', 'br'] as const;

/** How long a body of unknown length may wait below the minimum before compression starts anyway. */
export const FLUSH_DELAY_MS = 100;

/** Brotli quality Traefik's encoder uses by default (Node's own default, 11, is far slower). */
const BROTLI_QUALITY = 6;

/** Per-middleware settings shared by every response it handles. */
export interface CompressSettings {
  readonly minBytes: number;
  /** Lower-case media types never compressed (application/grpc always among them). */
  readonly excluded: readonly string[];
  /** When not empty, the only media types compressed. */
  readonly included: readonly string[];
}

const enum Mode {
  /** No response head yet. */
  Head,
  /** Sending as is. */
  Pass,
  /** Unknown length, below the minimum so far: holding the head and the first bytes. */
  Buffering,
  /** Compressing into `#zlib`. */
  Compressing,
  /** Ended or aborted. */
  Done,
}

function hasVaryAcceptEncoding(headers: HeaderList): boolean {
  for (const v of headers.getAll('vary')) {
    const lower = v.toLowerCase();
    if (lower.includes('accept-encoding') || lower.trim() === '*') return true;
  }
  return false;
}

function onFlushTimer(w: CompressWriter): void {
  w.flushTimeout();
}

export class CompressWriter extends DelegatingResponseWriter {
  readonly #settings: CompressSettings;
  readonly #coding: string;
  #mode = Mode.Head;
  #status = 0;
  #headers: HeaderList | null = null;
  #statusMessage: string | undefined = undefined;
  #buffered: Buffer[] | null = null;
  #bufferedBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #zlib: Gzip | BrotliCompress | null = null;
  /** Unknown length: flush zlib after every chunk. */
  #streaming = false;
  #zlibBlocked = false;
  #innerBlocked = false;
  #drainCb: (() => void) | null = null;

  constructor(inner: ResponseWriter, settings: CompressSettings, coding: string) {
    super(inner);
    this.#settings = settings;
    this.#coding = coding;
  }

  override get headersSent(): boolean {
    return this.#mode !== Mode.Head || this.inner.headersSent;
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (status >= 100 && status < 200) {
      this.inner.writeHead(status, headers, statusMessage);
      return;
    }
    if (this.#mode !== Mode.Head) return;
    if (!hasVaryAcceptEncoding(headers)) headers.add('Vary', 'Accept-Encoding');
    if (!this.#compressible(status, headers)) {
      this.#mode = Mode.Pass;
      this.inner.writeHead(status, headers, statusMessage);
      return;
    }
    const cl = headers.get('content-length');
    if (cl !== undefined) {
      const n = Number(cl.trim());
      if (!(n >= this.#settings.minBytes)) {
        this.#mode = Mode.Pass;
        this.inner.writeHead(status, headers, statusMessage);
        return;
      }
      this.#status = status;
      this.#headers = headers;
      this.#statusMessage = statusMessage;
      this.#start(false, n);
      return;
    }
    this.#status = status;
    this.#headers = headers;
    this.#statusMessage = statusMessage;
    this.#mode = Mode.Buffering;
  }

  override write(chunk: Buffer): boolean {
    switch (this.#mode) {
      case Mode.Head:
        this.writeHead(200, new HeaderList());
        return this.write(chunk);
      case Mode.Pass:
        return this.inner.write(chunk);
      case Mode.Buffering:
        this.#hold(chunk);
        if (this.#bufferedBytes >= this.#settings.minBytes) {
          this.#start(true, -1);
          return this.#writable();
        }
        if (this.#timer === null && this.#bufferedBytes > 0) this.#timer = setTimeout(onFlushTimer, FLUSH_DELAY_MS, this);
        return true;
      case Mode.Compressing:
        this.#feed(chunk);
        return this.#writable();
      case Mode.Done:
        return true;
    }
  }

  override onDrain(cb: () => void): void {
    if (this.#mode === Mode.Pass) {
      this.inner.onDrain(cb);
      return;
    }
    if (this.#mode !== Mode.Compressing || this.#writable()) {
      setImmediate(cb);
      return;
    }
    this.#drainCb = cb;
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    switch (this.#mode) {
      case Mode.Head:
        this.writeHead(200, new HeaderList());
        this.end(chunk, trailers);
        return;
      case Mode.Pass:
        this.#mode = Mode.Done;
        this.inner.end(chunk, trailers);
        return;
      case Mode.Buffering:
        if (chunk !== undefined) this.#hold(chunk);
        if (this.#bufferedBytes >= this.#settings.minBytes) {
          this.#start(false, -1);
          this.#finish();
        } else {
          this.#sendHeld();
        }
        return;
      case Mode.Compressing:
        if (chunk !== undefined && chunk.length > 0) (this.#zlib as Gzip | BrotliCompress).write(chunk);
        this.#finish();
        return;
      case Mode.Done:
        return;
    }
  }

  override abort(): void {
    this.#stop();
    this.inner.abort();
  }

  /** FLUSH_DELAY_MS passed with a body of unknown length still below the minimum. */
  flushTimeout(): void {
    this.#timer = null;
    if (this.#mode === Mode.Buffering) this.#start(true, -1);
  }

  #compressible(status: number, headers: HeaderList): boolean {
    if (status === 204 || status === 304) return false;
    const ce = headers.get('content-encoding');
    if (ce !== undefined && ce.trim() !== '') return false;
    if (headers.has('content-range')) return false;
    const ct = headers.get('content-type');
    if (ct === undefined || ct.trim() === '') return this.#settings.included.length === 0;
    const type = parseMediaType(ct);
    if (type === null) return false;
    if (this.#settings.included.length > 0 && !this.#settings.included.includes(type)) return false;
    if (this.#settings.excluded.includes(type)) return false;
    // gRPC over any sub-format (application/grpc+proto, ...) carries its own compression.
    return !type.startsWith('application/grpc+');
  }

  #hold(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#buffered === null) this.#buffered = [chunk];
    else this.#buffered.push(chunk);
    this.#bufferedBytes += chunk.length;
  }

  /** The body ended below the minimum: the held head and bytes go out as they are, with their length. */
  #sendHeld(): void {
    this.#clearTimer();
    this.#mode = Mode.Done;
    const headers = this.#headers as HeaderList;
    const held = this.#buffered;
    this.#buffered = null;
    headers.set('Content-Length', String(this.#bufferedBytes));
    this.inner.writeHead(this.#status, headers, this.#statusMessage);
    if (held === null) this.inner.end();
    else this.inner.end(held.length === 1 ? held[0] : Buffer.concat(held, this.#bufferedBytes));
  }

  /** Send the head with Content-Encoding and start the zlib stream (fed with what was held). */
  #start(streaming: boolean, sizeHint: number): void {
    this.#clearTimer();
    this.#mode = Mode.Compressing;
    this.#streaming = streaming;
    const headers = this.#headers as HeaderList;
    headers.delete('content-length');
    headers.delete('accept-ranges');
    headers.set('Content-Encoding', this.#coding);
    this.inner.writeHead(this.#status, headers, this.#statusMessage);
    this.#headers = null;
    const zlib = this.#coding === 'br' ? createBrotliCompress(brotliOptions(sizeHint)) : createGzip();
    this.#zlib = zlib;
    zlib.on('data', (out: Buffer) => {
      if (!this.inner.write(out) && !this.#innerBlocked) {
        this.#innerBlocked = true;
        zlib.pause();
        this.inner.onDrain(() => {
          this.#innerBlocked = false;
          zlib.resume();
          this.#maybeDrained();
        });
      }
    });
    zlib.on('drain', () => {
      this.#zlibBlocked = false;
      this.#maybeDrained();
    });
    zlib.once('end', () => {
      if (this.#zlib === zlib) this.inner.end();
    });
    zlib.on('error', () => {
      if (this.#zlib !== zlib) return;
      this.#stop();
      this.inner.abort();
    });
    this.inner.onClientGone(() => this.#stop());
    const held = this.#buffered;
    this.#buffered = null;
    if (held !== null) for (const chunk of held) this.#feed(chunk);
  }

  #feed(chunk: Buffer): void {
    const zlib = this.#zlib as Gzip | BrotliCompress;
    if (!zlib.write(chunk)) this.#zlibBlocked = true;
    if (this.#streaming) zlib.flush(this.#coding === 'br' ? Z.BROTLI_OPERATION_FLUSH : Z.Z_SYNC_FLUSH);
  }

  #finish(): void {
    this.#mode = Mode.Done;
    (this.#zlib as Gzip | BrotliCompress).end();
  }

  #writable(): boolean {
    return !this.#zlibBlocked && !this.#innerBlocked;
  }

  #maybeDrained(): void {
    const cb = this.#drainCb;
    if (cb !== null && this.#writable()) {
      this.#drainCb = null;
      cb();
    }
  }

  /** Release the zlib stream and timer (client gone, abort, zlib failure). */
  #stop(): void {
    this.#clearTimer();
    this.#mode = Mode.Done;
    this.#buffered = null;
    const zlib = this.#zlib;
    this.#zlib = null;
    if (zlib !== null) zlib.destroy();
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}

const BROTLI_DEFAULT: BrotliOptions = { params: { [Z.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } };

function brotliOptions(sizeHint: number): BrotliOptions {
  if (sizeHint <= 0) return BROTLI_DEFAULT;
  return { params: { [Z.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [Z.BROTLI_PARAM_SIZE_HINT]: Math.min(sizeHint, 0x7fffffff) } };
}
