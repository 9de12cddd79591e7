/**
 * contentType: Traefik v3 sends a response without Content-Type as it is; this middleware turns
 * Go's detection back on. When the response head has no Content-Type and no Content-Encoding and
 * its status allows a body, the head is held until the first body bytes and gets the type Go's
 * http.DetectContentType finds in them (up to 512 bytes of the first chunk written). A response
 * with no body gets no Content-Type. `autoDetect: false` (deprecated) makes it do nothing.
 */
import type { ContentTypeOptions } from '../../config/dynamic/schema/middlewares/content-type.js';
import { DelegatingResponseWriter } from '../../exchange/delegating-writer.js';
import type { Exchange, Handler, Middleware, ResponseWriter } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { MiddlewareFactory } from '../registry.js';
import { detectContentType } from '../shared/sniff.js';

function bodyAllowed(status: number): boolean {
  return status >= 200 && status !== 204 && status !== 304;
}

/** Holds a head without Content-Type until the first body bytes say what the body is. */
class SniffingWriter extends DelegatingResponseWriter {
  private pendingStatus = 0;
  private pendingHeaders: HeaderList | null = null;
  private pendingMessage: string | undefined = undefined;

  constructor(inner: ResponseWriter) {
    super(inner);
  }

  override get headersSent(): boolean {
    return this.pendingHeaders !== null || this.inner.headersSent;
  }

  override writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (bodyAllowed(status) && !headers.has('content-type') && (headers.get('content-encoding') ?? '') === '') {
      this.pendingStatus = status;
      this.pendingHeaders = headers;
      this.pendingMessage = statusMessage;
      return;
    }
    this.inner.writeHead(status, headers, statusMessage);
  }

  override write(chunk: Buffer): boolean {
    if (this.pendingHeaders !== null) {
      if (chunk.length === 0) return true;
      this.flushHead(chunk);
    }
    return this.inner.write(chunk);
  }

  override end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.pendingHeaders !== null) this.flushHead(chunk !== undefined && chunk.length > 0 ? chunk : undefined);
    this.inner.end(chunk, trailers);
  }

  override abort(): void {
    this.pendingHeaders = null;
    this.inner.abort();
  }

  private flushHead(firstBytes: Buffer | undefined): void {
    const headers = this.pendingHeaders;
    if (headers === null) return;
    this.pendingHeaders = null;
    if (firstBytes !== undefined) headers.set('Content-Type', detectContentType(firstBytes));
    if (this.pendingMessage === undefined) this.inner.writeHead(this.pendingStatus, headers);
    else this.inner.writeHead(this.pendingStatus, headers, this.pendingMessage);
  }
}

export const contentType: MiddlewareFactory<'contentType'> = {
  kind: 'contentType',
  create(options: ContentTypeOptions): Middleware {
    if (!options.autoDetect) return (next: Handler): Handler => next;
    return (next: Handler): Handler =>
      function contentTypeHandler(ex: Exchange) {
        ex.response = new SniffingWriter(ex.response);
        return next(ex);
      };
  },
};
