/**
 * The response writer a mirror answers into: it accepts everything and keeps nothing (Traefik's
 * blackHoleResponseWriter). A mirror's client never goes away and never pushes back.
 */
import type { HeadHook, ResponseWriter } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';

export class DiscardingWriter implements ResponseWriter {
  #headersSent = false;
  #done: (() => void) | undefined;

  /** `done` runs once when the mirror's answer ended (or was aborted). */
  constructor(done?: () => void) {
    this.#done = done;
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get clientGone(): boolean {
    return false;
  }

  onHead(_hook: HeadHook): void {}

  writeHead(_status: number, _headers: HeaderList, _statusMessage?: string): void {
    this.#headersSent = true;
  }

  write(_chunk: Buffer): boolean {
    return true;
  }

  onDrain(cb: () => void): void {
    queueMicrotask(cb);
  }

  onClientGone(_cb: () => void): void {}

  end(_chunk?: Buffer, _trailers?: HeaderList): void {
    this.#headersSent = true;
    this.#finish();
  }

  abort(): void {
    this.#finish();
  }

  sendText(_status: number, _text: string, _headers?: HeaderList): void {
    this.#headersSent = true;
    this.#finish();
  }

  #finish(): void {
    const done = this.#done;
    this.#done = undefined;
    done?.();
  }
}
