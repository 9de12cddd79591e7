/**
 * Streams a request body from the client's stream to the upstream socket, with backpressure both
 * ways (pause the body when the socket is full, resume on 'drain'). The head is written together
 * with the first body chunk (corked: one write), and a body without Content-Length is re-framed
 * chunked. One writer per connection, created on its first request with a body; its listeners are
 * bound once and moved from body stream to body stream.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface BodyWriterOwner {
  /** Head and whole body are on the socket. */
  onRequestWritten(): void;
  /** The body stream failed or closed before its end: the client went away. */
  onRequestAborted(): void;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

export class RequestBodyWriter {
  readonly #socket: Socket;
  readonly #owner: BodyWriterOwner;
  #body: Readable | null = null;
  #head = '';
  #chunked = false;
  #paused = false;

  constructor(socket: Socket, owner: BodyWriterOwner) {
    this.#socket = socket;
    this.#owner = owner;
    socket.on('drain', this.#onDrain);
  }

  /** Send `head`, then `body` (chunked or as is). Completion and failure go to the owner. */
  start(head: string, body: Readable, chunked: boolean): void {
    this.#head = head;
    this.#chunked = chunked;
    this.#paused = false;
    if (body.readableEnded) {
      // Already consumed (nothing more will come): send what framing needs to end the message.
      this.#body = null;
      this.#onEnd();
      return;
    }
    this.#body = body;
    body.on('data', this.#onData);
    body.on('end', this.#onEnd);
    body.on('error', this.#onAbort);
    body.on('close', this.#onClose);
  }

  /** Stop forwarding: detach from the body (resumed, so its owner can drain and discard it). */
  stop(): void {
    const body = this.#body;
    if (body === null) return;
    this.#body = null;
    body.off('data', this.#onData);
    body.off('end', this.#onEnd);
    body.off('error', this.#onAbort);
    body.off('close', this.#onClose);
    if (this.#paused) {
      this.#paused = false;
      body.resume();
    }
  }

  #writeHead(): void {
    if (this.#head !== '') {
      this.#socket.write(this.#head, 'latin1');
      this.#head = '';
    }
  }

  readonly #onData = (chunk: Buffer): void => {
    const socket = this.#socket;
    socket.cork();
    this.#writeHead();
    let ok: boolean;
    if (this.#chunked) {
      socket.write(chunk.length.toString(16), 'latin1');
      socket.write(CRLF);
      socket.write(chunk);
      ok = socket.write(CRLF);
    } else {
      ok = socket.write(chunk);
    }
    socket.uncork();
    if (!ok && !this.#paused && this.#body !== null) {
      this.#paused = true;
      this.#body.pause();
    }
  };

  readonly #onEnd = (): void => {
    const socket = this.#socket;
    socket.cork();
    this.#writeHead();
    if (this.#chunked) socket.write(LAST_CHUNK);
    socket.uncork();
    this.stop();
    this.#owner.onRequestWritten();
  };

  readonly #onAbort = (): void => {
    if (this.#body !== null) this.#owner.onRequestAborted();
  };

  /** 'close' after 'end' is normal (we detached at 'end'); before it, the upload was cut. */
  readonly #onClose = (): void => {
    if (this.#body !== null) this.#owner.onRequestAborted();
  };

  readonly #onDrain = (): void => {
    if (this.#paused && this.#body !== null) {
      this.#paused = false;
      this.#body.resume();
    }
  };
}
