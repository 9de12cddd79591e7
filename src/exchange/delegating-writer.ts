/**
 * A ResponseWriter that passes every call to another one: the base of the wrappers middlewares put
 * in `ex.response` to see or change a response (override what you need, call super for the rest).
 * Hooks registered with onHead run inside the inner writer, so they see the head as it finally goes out.
 */
import type { HeadHook, ResponseWriter } from './exchange.js';
import { textResponseHeaders } from '../entrypoints/response-headers.js';
import type { HeaderList } from './headers.js';

export class DelegatingResponseWriter implements ResponseWriter {
  constructor(protected readonly inner: ResponseWriter) {}

  get headersSent(): boolean {
    return this.inner.headersSent;
  }

  get clientGone(): boolean {
    return this.inner.clientGone;
  }

  onHead(hook: HeadHook): void {
    this.inner.onHead(hook);
  }

  writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    this.inner.writeHead(status, headers, statusMessage);
  }

  write(chunk: Buffer): boolean {
    return this.inner.write(chunk);
  }

  onDrain(cb: () => void): void {
    this.inner.onDrain(cb);
  }

  onClientGone(cb: () => void): void {
    this.inner.onClientGone(cb);
  }

  end(chunk?: Buffer, trailers?: HeaderList): void {
    this.inner.end(chunk, trailers);
  }

  abort(): void {
    this.inner.abort();
  }

  /** Goes through this writer's own writeHead and end, so a subclass sees these answers too. */
  sendText(status: number, text: string, headers?: HeaderList): void {
    if (this.clientGone) return;
    const answer = textResponseHeaders(text, headers);
    this.writeHead(status, answer.headers);
    this.end(answer.body);
  }
}
