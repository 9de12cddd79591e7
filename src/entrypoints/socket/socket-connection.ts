/**
 * One client connection of the raw-socket front end: reads request heads and bodies off the
 * socket, turns each request into an Exchange, and runs one exchange at a time (pipelined
 * requests wait in the buffer, in order). Timeouts are deadlines checked by the front end's
 * sweep, so nothing is armed or allocated per request for them.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { PeerInfo, TlsInfo } from '../../exchange/exchange.js';
import { HeaderList, equalsLower } from '../../exchange/headers.js';
import type { ExchangeSink, FrontEndOptions } from '../front-end.js';
import { RawResponseWriter, SocketUpgrade } from '../raw-response-writer.js';
import { rawErrorResponse } from '../response-headers.js';
import { prepareTarget } from '../routing-path.js';
import { peerOf } from '../node-http-exchange.js';
import { Feed, RequestBodyReader, type BodyOwner } from './request-body-reader.js';
import { HEAD_BARE_LF, HEAD_INCOMPLETE, parseHead, resumePoint, scanHead, type ParsedHead } from './request-parser.js';
import { SocketExchange } from './socket-exchange.js';
import { SocketResponseWriter, type WriterOwner } from './socket-response-writer.js';

/** What a connection needs from its front end. */
export interface ConnectionHost {
  readonly opts: FrontEndOptions;
  readonly sink: ExchangeSink;
  /** Effective request-head timeout (ms, 0 = none). */
  readonly headersTimeout: number;
  /** Keep-alive idle bound between requests (ms, 0 = none). */
  readonly idleTimeout: number;
  connectionClosed(conn: SocketConnection): void;
}

const enum Phase {
  /** Between requests (or before the first byte). */
  Idle,
  /** Reading a request head. */
  Head,
  /** Head dispatched, reading its body. */
  Body,
  /** Request fully read, its response in progress. */
  Waiting,
  /** Handed over to an upgrade. */
  Upgraded,
  Closed,
}

export const enum Deadline {
  None,
  /** Idle keep-alive connection: closed silently. */
  Idle,
  /** Request head not complete: 408. */
  Head,
  /** Request body not complete (readTimeout): the connection is closed. */
  Read,
}

/** Pipelined bytes buffered while a response is in progress before the socket stops being read. */
const PIPELINE_LIMIT = 64 * 1024;
const EMPTY = Buffer.alloc(0);

function ignoreError(): void {}

function hostCount(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (equalsLower(raw[i] as string, 'host')) count++;
  return count;
}

/**
 * Go's http.Server.Shutdown leaves a new connection that has not sent a byte yet alone for this
 * long (its first request may be on the way; Go issue 22682) before it counts as idle.
 */
const NEW_CONNECTION_GRACE_MS = 5_000;

export class SocketConnection implements WriterOwner, BodyOwner {
  readonly socket: Socket;
  readonly #host: ConnectionHost;
  readonly #peer: PeerInfo;
  /** The connection's TLS facts (a TLS socket), else null; shared by its exchanges. */
  readonly #tls: TlsInfo | null;
  #phase = Phase.Idle;
  /** performance.now() at accept until the first byte arrives, then 0. */
  #newSince = performance.now();
  /** Bytes read and not consumed yet. */
  #buf: Buffer | null = null;
  /** Where the head scan resumes in `#buf`. */
  #scanFrom = 0;
  #headStart = 0;
  #writer: SocketResponseWriter | null = null;
  /** The body being read (phase Body), else null. */
  #body: RequestBodyReader | null = null;
  /** Socket paused: too many pipelined bytes wait. */
  #pipelinePaused = false;
  /** Deadline (performance.now() ms) of the read side, and what it bounds. */
  deadline = 0;
  deadlineKind = Deadline.None;
  /** Deadline of the current response (writeTimeout), 0 = none. */
  writeDeadline = 0;
  readonly #onData = (chunk: Buffer): void => this.#data(chunk);
  readonly #onEnd = (): void => this.#end();
  readonly #resume = (): void => {
    if (this.#phase === Phase.Idle && this.#buf !== null) this.#process();
  };

  constructor(socket: Socket, host: ConnectionHost, firstTimeout: number, tls: TlsInfo | null = null) {
    this.socket = socket;
    this.#host = host;
    this.#tls = tls;
    this.#peer = peerOf(socket.remoteAddress, socket.remotePort);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', ignoreError);
    socket.once('close', () => this.#closed());
    if (firstTimeout > 0) {
      this.deadline = performance.now() + firstTimeout;
      this.deadlineKind = Deadline.Idle;
    }
  }

  get draining(): boolean {
    return this.#host.sink.draining;
  }

  get bodyPending(): boolean {
    return this.#phase === Phase.Body;
  }

  get readPaused(): boolean {
    return this.#pipelinePaused;
  }

  get canContinue(): boolean {
    const w = this.#writer;
    return w !== null && !w.headersSent && this.socket.writable;
  }

  /** No request in progress and nothing buffered: safe to close. */
  get idle(): boolean {
    return this.#phase === Phase.Idle && this.#buf === null;
  }

  /** Called by the sweep when `deadline` or `writeDeadline` passed. */
  expire(now: number): void {
    if (this.writeDeadline > 0 && now >= this.writeDeadline) {
      const w = this.#writer;
      if (w !== null) {
        w.timedOut = true;
        this.socket.destroy();
        return;
      }
      if (this.socket.writableLength > 0) {
        this.socket.destroy();
        return;
      }
      this.writeDeadline = 0;
    }
    if (this.deadline > 0 && now >= this.deadline) {
      const kind = this.deadlineKind;
      this.deadline = 0;
      this.deadlineKind = Deadline.None;
      if (kind === Deadline.Head && this.#phase === Phase.Head) this.#reject(408);
      else if (kind !== Deadline.None) this.socket.destroy();
    }
  }

  /** Bytes the listener already read off the socket (while sniffing the protocol): read them first. */
  feed(head: Buffer): void {
    this.#data(head);
  }

  #data(chunk: Buffer): void {
    const phase = this.#phase;
    if (phase === Phase.Closed || phase === Phase.Upgraded) return;
    this.#newSince = 0;
    this.#buf = this.#buf === null ? chunk : Buffer.concat([this.#buf, chunk]);
    this.#process();
  }

  #process(): void {
    for (;;) {
      const buf = this.#buf;
      if (buf === null) return;
      const phase = this.#phase;
      if (phase === Phase.Body) {
        if (!this.#readBody(buf)) return;
      } else if (phase === Phase.Waiting) {
        if (buf.length > PIPELINE_LIMIT && !this.#pipelinePaused) {
          this.#pipelinePaused = true;
          this.socket.pause();
        }
        return;
      } else if (phase === Phase.Idle || phase === Phase.Head) {
        if (!this.#readHead(buf)) return;
      } else {
        return;
      }
    }
  }

  /** Returns true when a request was dispatched and reading may go on. */
  #readHead(input: Buffer): boolean {
    let buf = input;
    const opts = this.#host.opts;
    if (this.#phase === Phase.Idle) {
      // Empty lines before a request line are ignored (RFC 9112 §2.2).
      let s = 0;
      while (s + 1 < buf.length && buf[s] === 13 && buf[s + 1] === 10) s += 2;
      if (s === buf.length) {
        this.#buf = null;
        return false;
      }
      if (s > 0) buf = this.#buf = buf.subarray(s);
      this.#phase = Phase.Head;
      this.#headStart = performance.now();
      this.#scanFrom = 0;
      const ht = this.#host.headersTimeout;
      this.deadline = ht > 0 ? this.#headStart + ht : 0;
      this.deadlineKind = ht > 0 ? Deadline.Head : Deadline.None;
    }
    const end = scanHead(buf, 0, this.#scanFrom, buf.length);
    if (end === HEAD_BARE_LF) {
      this.#reject(400);
      return false;
    }
    if (end === HEAD_INCOMPLETE) {
      if (buf.length > opts.maxHeaderBytes) this.#reject(431);
      else this.#scanFrom = resumePoint(buf, this.#scanFrom, buf.length);
      return false;
    }
    if (end > opts.maxHeaderBytes) {
      this.#reject(431);
      return false;
    }
    const text = buf.toString('latin1', 0, end);
    this.#buf = end < buf.length ? buf.subarray(end) : null;
    this.#scanFrom = 0;
    const parsed = parseHead(text, opts.maxHeadersCount);
    if (typeof parsed === 'number') {
      this.#reject(parsed);
      return false;
    }
    this.#request(parsed);
    const after = this.#phase as Phase; // changed by #request (and maybe by a synchronous response)
    return after === Phase.Body || after === Phase.Waiting || after === Phase.Idle;
  }

  #request(p: ParsedHead): void {
    const host = this.#host;
    const opts = host.opts;
    if (p.method === 'CONNECT') return this.#reject(400);
    if (p.hasTransferEncoding && !p.chunked) return this.#reject(501);
    const headers = new HeaderList(p.raw);
    const target = prepareTarget(p.target, headers.get('host'), hostCount(p.raw), p.minor === 1, opts);
    if (typeof target === 'number') return this.#reject(target);
    if (p.unknownExpectation) return this.#reject(417);
    const startedAt = this.#headStart;
    if (p.upgrade) return this.#upgrade(p, headers, target, startedAt);
    const writer = new SocketResponseWriter(this, p.method === 'HEAD', p.minor === 0, p.keepAlive);
    let body: RequestBodyReader | null = null;
    if (p.chunked || p.contentLength > 0) {
      body = new RequestBodyReader(this, p.contentLength, p.chunked, opts.maxHeaderBytes, p.expectContinue);
      this.#phase = Phase.Body;
    } else {
      this.#phase = Phase.Waiting;
    }
    this.#body = body;
    const now = performance.now();
    if (body !== null && opts.readTimeout > 0) {
      this.deadline = startedAt + opts.readTimeout;
      this.deadlineKind = Deadline.Read;
    } else {
      this.deadline = 0;
      this.deadlineKind = Deadline.None;
    }
    this.writeDeadline = opts.writeTimeout > 0 ? now + opts.writeTimeout : 0;
    const ex = new SocketExchange(p.method, p.minor, headers, target, body === null ? null : body.stream, this.#peer, opts.entryPoint, writer, null, startedAt, this.#tls);
    if (body !== null) body.exchange = ex;
    writer.attach(ex);
    this.#writer = writer;
    host.sink.dispatch(ex);
  }

  #upgrade(p: ParsedHead, headers: HeaderList, target: Exclude<ReturnType<typeof prepareTarget>, number>, startedAt: number): void {
    const socket = this.socket;
    this.#phase = Phase.Upgraded;
    this.deadline = 0;
    this.deadlineKind = Deadline.None;
    this.writeDeadline = 0;
    socket.removeListener('data', this.#onData);
    socket.removeListener('end', this.#onEnd);
    // Neither flowing nor paused (as node:http leaves it): the new owner's 'data' listener or
    // pipe() starts the flow, and bytes wait in the stream until then.
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    const rest = this.#buf ?? EMPTY;
    this.#buf = null;
    const sink = this.#host.sink;
    const writer = new RawResponseWriter(socket, sink, p.method === 'HEAD');
    const upgrade = new SocketUpgrade(headers.get('upgrade') ?? '', writer, rest);
    const ex = new SocketExchange(p.method, p.minor, headers, target, null, this.#peer, this.#host.opts.entryPoint, writer, upgrade, startedAt, this.#tls);
    writer.attach(ex);
    sink.dispatch(ex);
  }

  /** Consume body bytes from `buf`; true when the body is complete and reading may go on. */
  #readBody(buf: Buffer): boolean {
    const body = this.#body as RequestBodyReader;
    const r = body.feed(buf);
    if (r === Feed.Malformed) {
      // The body errors out for its consumer and the connection is dropped.
      this.#buf = null;
      this.#destroyBody();
      this.socket.destroy();
      return false;
    }
    if (r === Feed.More) {
      this.#buf = null;
      return false;
    }
    this.#buf = body.rest;
    this.#body = null;
    this.#phase = Phase.Waiting;
    if (this.deadlineKind === Deadline.Read) {
      this.deadline = 0;
      this.deadlineKind = Deadline.None;
    }
    return true;
  }

  #destroyBody(): void {
    const body = this.#body;
    this.#body = null;
    if (body !== null) body.destroy();
  }

  /** From the writer: the response is complete. */
  responseEnded(keepAlive: boolean): void {
    const w = this.#writer;
    this.#writer = null;
    if (w === null) return;
    const ex = w.exchange;
    const sink = this.#host.sink;
    if (!keepAlive || this.#phase !== Phase.Waiting) {
      this.#phase = Phase.Closed;
      this.#buf = null;
      this.#destroyBody();
      this.deadline = 0;
      this.deadlineKind = Deadline.None;
      this.socket.destroySoon();
      if (ex !== null) sink.finished(ex, w.status);
      return;
    }
    this.#phase = Phase.Idle;
    const idle = this.#host.idleTimeout;
    this.deadline = idle > 0 ? performance.now() + idle : 0;
    this.deadlineKind = idle > 0 ? Deadline.Idle : Deadline.None;
    if (ex !== null) sink.finished(ex, w.status);
    if (this.#pipelinePaused) {
      this.#pipelinePaused = false;
      this.socket.resume();
    }
    if (this.#buf !== null && this.#phase === Phase.Idle) queueMicrotask(this.#resume);
  }

  /** Refuse the request being read: a plain answer with `Connection: close`, then close. */
  #reject(status: number): void {
    this.#phase = Phase.Closed;
    this.#buf = null;
    this.deadline = 0;
    this.deadlineKind = Deadline.None;
    const socket = this.socket;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // Closed once the answer is flushed: a client that never closes its side cannot hold it open.
    socket.end(rawErrorResponse(status), () => socket.destroy());
  }

  /** The client closed its side: nothing more can arrive, so the connection is over. */
  #end(): void {
    const phase = this.#phase;
    if (phase === Phase.Closed) return;
    // Between requests: what is still being flushed goes out first. Otherwise the client left
    // mid-request (Go cancels the request then too).
    if (phase === Phase.Idle) this.socket.destroySoon();
    else this.socket.destroy();
  }

  #closed(): void {
    const phase = this.#phase;
    this.#phase = Phase.Closed;
    this.#buf = null;
    this.deadline = 0;
    this.writeDeadline = 0;
    this.#host.connectionClosed(this);
    if (phase === Phase.Upgraded) return;
    this.#destroyBody();
    const w = this.#writer;
    this.#writer = null;
    if (w !== null && !w.ended) {
      const status = w.handleGone();
      const ex = w.exchange;
      if (ex !== null) this.#host.sink.finished(ex, status);
    }
  }

  /** A new connection that has not sent anything yet, within NEW_CONNECTION_GRACE_MS of its accept. */
  awaitingFirstRequest(now: number): boolean {
    return this.#newSince !== 0 && this.#phase === Phase.Idle && now - this.#newSince < NEW_CONNECTION_GRACE_MS;
  }

  /** Close now if no request is in progress (a new connection still awaiting its first request is kept). */
  closeIfIdle(): void {
    if (!this.idle || this.awaitingFirstRequest(performance.now())) return;
    this.#phase = Phase.Closed;
    this.deadline = 0;
    // A response may still be flushing to the kernel: let it go out before closing.
    if (this.socket.writableLength > 0) this.socket.destroySoon();
    else this.socket.destroy();
  }
}
