/**
 * ResponseWriter of the raw-socket front end. The head is built when `writeHead` runs (hooks,
 * header checks) but sent with the first body bytes, so a small response leaves in one socket
 * write. Framing: the handler's Content-Length when it set one; else `end(chunk)` before any
 * write gets a Content-Length of its own; else chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
 * Trailers given to `end` go after the last chunk of a chunked body (an `end(chunk, trailers)` with
 * no length fixed yet picks chunked for them); a Content-Length or HTTP/1.0 response drops them.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { runHeadHooks, type Exchange, type HeadHook, type ResponseWriter } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';
import { ProxyError } from '../../errors/codes.js';
import { serializeHead } from '../raw-response-writer.js';
import { validTrailer } from '../trailers.js';
import { textResponseHeaders, withoutHopByHop } from '../response-headers.js';

/** What the writer needs from its connection. */
export interface WriterOwner {
  readonly socket: Socket;
  /** The entry point is draining: this response closes the connection. */
  readonly draining: boolean;
  /** The request body is still being received (the connection cannot be reused). */
  readonly bodyPending: boolean;
  /** The response is over (all bytes handed to the socket); `keepAlive` false closes the connection. */
  responseEnded(keepAlive: boolean): void;
}

const LAST_CHUNK = '0\r\n\r\n';
const CRLF = '\r\n';

/**
 * The last chunk of a chunked body, with the trailer fields (RFC 9112 §7.1.2) when given. Fields
 * that are not valid HTTP or may not be trailers (framing, routing, Host...) are left out: the
 * response is under way, so a bad trailer is dropped rather than failing it.
 */
function lastChunk(trailers: HeaderList | undefined): string {
  if (trailers === undefined) return LAST_CHUNK;
  let out = '0\r\n';
  const raw = trailers.raw;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (!validTrailer(name, value)) continue;
    out += name + ': ' + value + CRLF;
  }
  return out + CRLF;
}

/** Outcome recorded when the write timeout cut a response before its head went out. */
export const WRITE_TIMEOUT_STATUS = 504;
/** Outcome recorded when the client went away before the response head. */
export const CLIENT_GONE_STATUS = 499;

let dateValue = '';
let dateAt = 0;
/** The Date header value, recomputed at most once a second. */
function httpDate(): string {
  const now = Date.now();
  if (now - dateAt >= 1000) {
    dateAt = now - (now % 1000);
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}

/** Bodies up to this size leave in one buffer with the head (one plain write, no writev). */
const JOIN_LIMIT = 16 * 1024;

/** `head` (latin1) and `body` in one new buffer. */
function joined(head: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  return out;
}

const enum Framing {
  /** Not decided yet (no Content-Length from the handler). */
  Pending,
  Length,
  Chunked,
  /** HTTP/1.0 without a length: the body ends with the connection. */
  Close,
  /** HEAD, 204, 304: no body bytes at all. */
  None,
}

export class SocketResponseWriter implements ResponseWriter {
  readonly #owner: WriterOwner;
  readonly #socket: Socket;
  readonly #isHead: boolean;
  readonly #http10: boolean;
  #keepAlive: boolean;
  #exchange: Exchange | null = null;
  #hooks: HeadHook[] | null = null;
  #goneCallbacks: (() => void)[] | null = null;
  /** Status line and header lines, without framing, Connection and the final CRLF. */
  #head: string | null = null;
  #headSent = false;
  #framing = Framing.Pending;
  #ended = false;
  #gone = false;
  #aborted = false;
  timedOut = false;
  #status = 0;

  constructor(owner: WriterOwner, isHead: boolean, http10: boolean, keepAlive: boolean) {
    this.#owner = owner;
    this.#socket = owner.socket;
    this.#isHead = isHead;
    this.#http10 = http10;
    this.#keepAlive = keepAlive;
  }

  attach(ex: Exchange): void {
    this.#exchange = ex;
  }

  get exchange(): Exchange | null {
    return this.#exchange;
  }

  get status(): number {
    return this.#status;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get headersSent(): boolean {
    return this.#head !== null;
  }

  get clientGone(): boolean {
    return this.#gone;
  }

  onHead(hook: HeadHook): void {
    if (this.#hooks === null) this.#hooks = [hook];
    else this.#hooks.push(hook);
  }

  writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (this.#gone || this.#ended) return;
    if (this.#head !== null) throw new ProxyError('TPK_ERR_INTERNAL', 'response head already sent');
    if (status >= 100 && status < 200) {
      this.#informational(status, headers);
      return;
    }
    const hooks = this.#hooks;
    if (hooks !== null) {
      this.#hooks = null;
      runHeadHooks(hooks, status, headers);
    }
    const raw = withoutHopByHop(headers.raw);
    let head = serializeHead(status, raw, statusMessage ?? STATUS_CODES[status] ?? 'Unknown');
    head = head.slice(0, head.length - 2);
    if (!headers.has('date')) head += `Date: ${httpDate()}\r\n`;
    if (this.#isHead || status === 204 || status === 304) {
      this.#framing = Framing.None;
    } else if (headers.has('content-length')) {
      this.#framing = Framing.Length;
    }
    this.#head = head;
    this.#status = status;
  }

  /** 103 (its Link fields) and 102 are relayed on HTTP/1.1; 100 was sent by the front end; others dropped. */
  #informational(status: number, headers: HeaderList): void {
    if (this.#http10) return;
    if (status === 103) {
      const links = headers.getAll('link');
      if (links.length === 0) return;
      const raw: string[] = [];
      for (const l of links) raw.push('Link', l);
      this.#socket.write(serializeHead(103, raw, 'Early Hints'), 'latin1');
    } else if (status === 102) {
      this.#socket.write('HTTP/1.1 102 Processing\r\n\r\n', 'latin1');
    }
  }

  /** The final head text: framing and connection fields decided now. */
  #finalHead(endLength: number): string {
    let head = this.#head as string;
    if (this.#framing === Framing.Pending) {
      if (endLength >= 0) {
        this.#framing = Framing.Length;
        head += `Content-Length: ${endLength}\r\n`;
      } else if (this.#http10) {
        this.#framing = Framing.Close;
        this.#keepAlive = false;
      } else {
        this.#framing = Framing.Chunked;
        head += 'Transfer-Encoding: chunked\r\n';
      }
    }
    const owner = this.#owner;
    if (owner.draining || owner.bodyPending) this.#keepAlive = false;
    if (!this.#keepAlive) head += 'Connection: close\r\n';
    else if (this.#http10) head += 'Connection: keep-alive\r\n';
    this.#headSent = true;
    return head + CRLF;
  }

  write(chunk: Buffer): boolean {
    if (this.#gone || this.#ended) return true;
    if (this.#head === null) this.writeHead(200, new HeaderList());
    const socket = this.#socket;
    if (!this.#headSent) {
      const head = this.#finalHead(-1);
      if (this.#framing === Framing.None || chunk.length === 0) return socket.write(head, 'latin1');
      if (this.#framing !== Framing.Chunked && chunk.length <= JOIN_LIMIT) return socket.write(joined(head, chunk));
      socket.cork();
      socket.write(head, 'latin1');
      const ok = this.#body(chunk);
      socket.uncork();
      return ok;
    }
    if (this.#framing === Framing.None || chunk.length === 0) return true;
    if (this.#framing !== Framing.Chunked) return socket.write(chunk);
    socket.cork();
    const ok = this.#body(chunk);
    socket.uncork();
    return ok;
  }

  #body(chunk: Buffer): boolean {
    const socket = this.#socket;
    if (this.#framing !== Framing.Chunked) return socket.write(chunk);
    socket.write(chunk.length.toString(16) + CRLF, 'latin1');
    socket.write(chunk);
    return socket.write(CRLF, 'latin1');
  }

  onDrain(cb: () => void): void {
    this.#socket.once('drain', cb);
  }

  onClientGone(cb: () => void): void {
    if (this.#gone) {
      cb();
      return;
    }
    if (this.#goneCallbacks === null) this.#goneCallbacks = [cb];
    else this.#goneCallbacks.push(cb);
  }

  end(chunk?: Buffer, trailers?: HeaderList): void {
    if (this.#gone || this.#ended) return;
    if (this.#head === null) this.writeHead(200, new HeaderList());
    const socket = this.#socket;
    // Trailers need chunked framing: a response whose length is not fixed yet goes chunked for them.
    const withTrailers = trailers !== undefined && trailers.raw.length > 0 && !this.#http10;
    if (!this.#headSent) {
      let len = -1;
      if (this.#framing === Framing.Pending && !withTrailers) len = chunk === undefined ? 0 : chunk.length;
      const head = this.#finalHead(len);
      const last = this.#framing === Framing.Chunked ? lastChunk(withTrailers ? trailers : undefined) : '';
      if (chunk === undefined || chunk.length === 0 || this.#framing === Framing.None) {
        socket.write(head + last, 'latin1');
        return this.#markEnded();
      }
      if (this.#framing !== Framing.Chunked && chunk.length <= JOIN_LIMIT) {
        socket.write(joined(head, chunk));
        return this.#markEnded();
      }
      socket.cork();
      socket.write(head, 'latin1');
    } else {
      socket.cork();
    }
    if (chunk !== undefined && chunk.length > 0 && this.#framing !== Framing.None) this.#body(chunk);
    if (this.#framing === Framing.Chunked) socket.write(lastChunk(withTrailers ? trailers : undefined), 'latin1');
    socket.uncork();
    this.#markEnded();
  }

  #markEnded(): void {
    this.#ended = true;
    this.#owner.responseEnded(this.#keepAlive);
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#socket.destroy();
  }

  sendText(status: number, text: string, headers?: HeaderList): void {
    if (this.#gone || this.#ended) return;
    const answer = textResponseHeaders(text, headers);
    this.writeHead(status, answer.headers);
    this.end(answer.body);
  }

  /** The connection closed before `end()`: the client is gone. Returns the outcome status. */
  handleGone(): number {
    this.#gone = true;
    const cbs = this.#goneCallbacks;
    this.#goneCallbacks = null;
    if (cbs !== null && !this.#aborted) for (const cb of cbs) cb();
    if (this.#head === null) return this.timedOut ? WRITE_TIMEOUT_STATUS : CLIENT_GONE_STATUS;
    return this.#status;
  }
}
