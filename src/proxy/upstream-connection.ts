/**
 * One keep-alive connection to an upstream server, carrying one exchange at a time.
 *
 * This is the product's core hot path (PERFORMANCE.md: a hand-written keep-alive client is what
 * takes a node:http front end from ~1.0x to ~1.4x Caddy). Rules kept here:
 * - socket listeners are attached once per connection, and the per-exchange state lives in fields,
 *   so a request costs no closure, no promise and no listener churn (request bodies excepted:
 *   their stream is per request, the bound listeners are not);
 * - a bodyless request is one socket write; a request with a body writes its head together with
 *   the first body chunk (corked); a small response goes to the client as `end(lastChunk)`;
 * - bodies stream both ways with backpressure (pause the source when the sink says so).
 *
 * Retry on a stale keep-alive connection (the server closed it while we picked it): when a
 * REUSED connection fails before any response byte arrived, the exchange is replayed once on a
 * fresh connection, but only when replaying cannot repeat a side effect the server may have seen
 * half of: no request body (nothing of a stream was consumed) and an idempotent method (GET, HEAD,
 * OPTIONS, TRACE) or an Idempotency-Key header — Go's net/http rule, which Traefik inherits.
 *
 * Trailers of a chunked response go to `ex.response.end(lastChunk, trailers)`. An https
 * connection that offered h2 by ALPN and got it is handed to the pool's HTTP/2 sessions before
 * anything was written, and the exchange goes through the forwarder again (`redo`).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Exchange } from '../exchange/exchange.js';
import { HeaderList } from '../exchange/headers.js';
import { ProxyError } from '../errors/codes.js';
import { dialError, exchangeError, type ForwardErrorHandler } from './errors.js';
import type { Redo } from './h2/h2-forward.js';
import type { OriginPool } from './origin-pool.js';
import { RequestBodyWriter, type BodyWriterOwner } from './request-body-writer.js';
import { BodyMode } from './request-head.js';
import { ResponseParser, type ResponseSink } from './response-parser.js';
import type { ServerTarget } from './server-target.js';
import { tunnel } from './tunnel.js';

const enum State {
  Dialing,
  Idle,
  Active,
  Upgraded,
  Closed,
}

export class UpstreamConnection implements ResponseSink, BodyWriterOwner {
  readonly pool: OriginPool;
  readonly socket: Socket;
  /** One-off connections (upgrades) never go back to the pool. */
  readonly #pooled: boolean;
  /** ALPN offered h2 too (https): the server may pick it, and then this becomes an HTTP/2 session. */
  readonly #offeredH2: boolean;
  #state = State.Dialing;
  #served = 0;
  /** performance.now() when it went idle (read by the pool's sweeper). */
  idleSince = 0;
  readonly #parser: ResponseParser;
  #socketError: Error | null = null;
  #dialTimer: NodeJS.Timeout | null = null;
  #dialTimedOut = false;
  #headerTimer: NodeJS.Timeout | null = null;
  #headerTimedOut = false;

  // The exchange in flight.
  #ex: Exchange | null = null;
  #onError: ForwardErrorHandler | null = null;
  /** The server and forwarder of the exchange in flight: to send it again elsewhere (h2 handover). */
  #target: ServerTarget | null = null;
  #redo: Redo | null = null;
  #trailers: HeaderList | undefined = undefined;
  #head = '';
  #bodyMode = BodyMode.None;
  #bodyWriter: RequestBodyWriter | null = null;
  #requestDone = false;
  #responseHeadSent = false;
  #responseDone = false;
  #pending: Buffer | null = null;
  #waitingClientDrain = false;

  constructor(pool: OriginPool, socket: Socket, pooled: boolean, offeredH2 = false) {
    this.pool = pool;
    this.socket = socket;
    this.#pooled = pooled;
    this.#offeredH2 = offeredH2;
    this.#parser = new ResponseParser(this);
    socket.on(pool.target.scheme === 'https' ? 'secureConnect' : 'connect', this.#onConnect);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onSocketError);
    socket.on('close', this.#onClose);
    const dialTimeout = pool.transport.dialTimeout;
    if (dialTimeout > 0) this.#dialTimer = setTimeout(this.#onDialTimeout, dialTimeout);
  }

  /** Open, idle and not half-closed: safe to send a request on. */
  get usable(): boolean {
    const s = this.socket;
    return this.#state === State.Idle && !s.destroyed && !s.readableEnded && s.writable;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Send `ex` on this connection. `head` is the serialised request head; `target` and `redo` (the
   * forwarder) serve to send the exchange again if the connection turns into an HTTP/2 one.
   */
  dispatch(ex: Exchange, head: string, bodyMode: BodyMode, onError: ForwardErrorHandler, target: ServerTarget, redo: Redo): void {
    this.#ex = ex;
    this.#onError = onError;
    this.#target = target;
    this.#redo = redo;
    this.#head = head;
    this.#bodyMode = bodyMode;
    this.#requestDone = false;
    this.#responseHeadSent = false;
    this.#responseDone = false;
    this.#pending = null;
    this.#headerTimedOut = false;
    this.#parser.reset(ex.method === 'HEAD');
    const idle = this.#state === State.Idle;
    if (idle) this.#state = State.Active;
    // May run the callback at once (client already gone), which fails the exchange.
    ex.response.onClientGone(this.#onClientGone);
    if (idle && this.#ex === ex) this.#send();
  }

  #send(): void {
    const body = (this.#ex as Exchange).body;
    if (this.#bodyMode === BodyMode.None || body === null) {
      this.socket.write(this.#head, 'latin1');
      this.#requestWritten();
      return;
    }
    this.#bodyWriter ??= new RequestBodyWriter(this.socket, this);
    this.#bodyWriter.start(this.#head, body, this.#bodyMode === BodyMode.Chunked);
  }

  #requestWritten(): void {
    this.#requestDone = true;
    const ms = this.pool.transport.responseHeaderTimeout;
    if (ms > 0 && !this.#responseHeadSent && !this.#responseDone) {
      this.#headerTimer = setTimeout(this.#onHeaderTimeout, ms);
    }
  }

  // --- request body (BodyWriterOwner) ---

  onRequestWritten(): void {
    if (this.#ex !== null) this.#requestWritten();
  }

  onRequestAborted(): void {
    if (this.#ex !== null && !this.#requestDone) this.#clientGone();
  }

  #detachBody(): void {
    this.#bodyWriter?.stop();
  }

  // --- response (ResponseSink) ---

  onResponseHead(status: number, headers: string[]): void {
    this.#clearHeaderTimer();
    this.#responseHeadSent = true;
    (this.#ex as Exchange).response.writeHead(status, new HeaderList(headers));
  }

  onResponseInfo(status: number, headers: string[]): void {
    // The writer relays 102/103 and does not count them as the response head.
    (this.#ex as Exchange).response.writeHead(status, new HeaderList(headers));
  }

  onResponseBody(chunk: Buffer): void {
    const prev = this.#pending;
    this.#pending = chunk;
    if (prev !== null) this.#write(prev);
  }

  onResponseTrailers(trailers: string[]): void {
    this.#trailers = new HeaderList(trailers);
  }

  onResponseComplete(): void {
    this.#responseDone = true;
  }

  onResponseUpgrade(rawHead: Buffer, rest: Buffer): void {
    const ex = this.#ex as Exchange;
    this.#clearHeaderTimer();
    if (ex.upgrade === null) {
      this.#fail(exchangeError(this.pool.target.origin, null, 'unexpected 101 Switching Protocols'));
      return;
    }
    let taken: ReturnType<typeof ex.upgrade.takeSocket>;
    try {
      taken = ex.upgrade.takeSocket();
    } catch (err) {
      this.#fail(new ProxyError('TPK_ERR_CLIENT_GONE', 'client gone before the upgrade', { cause: err }));
      return;
    }
    this.#state = State.Upgraded;
    this.#ex = null;
    this.#detachSocket();
    this.pool.forget(this, true);
    const upstream = this.socket;
    taken.socket.write(rawHead);
    if (rest.length > 0) taken.socket.write(rest);
    if (taken.head.length > 0) upstream.write(taken.head);
    tunnel(taken.socket, upstream);
  }

  #write(chunk: Buffer): void {
    const res = (this.#ex as Exchange).response;
    if (!res.write(chunk) && !this.#waitingClientDrain) {
      this.#waitingClientDrain = true;
      this.socket.pause();
      res.onDrain(this.#onClientDrain);
    }
  }

  readonly #onClientDrain = (): void => {
    this.#waitingClientDrain = false;
    if (this.#state === State.Active || this.#state === State.Idle) this.socket.resume();
  };

  readonly #onData = (buf: Buffer): void => {
    if (this.#state !== State.Active) {
      // Bytes on an idle connection: the server is confused; never reuse it.
      this.socket.destroy();
      return;
    }
    const parser = this.#parser;
    try {
      if (!parser.execute(buf)) {
        this.#fail(exchangeError(this.pool.target.origin, null, `invalid response: ${parser.error}`));
        return;
      }
      if (this.#responseDone) this.#finish();
      else if (this.#pending !== null && this.#state === State.Active) {
        const chunk = this.#pending;
        this.#pending = null;
        this.#write(chunk);
      }
    } catch (err) {
      this.#fail(new ProxyError('TPK_ERR_INTERNAL', 'writing the response failed', { cause: err }));
    }
  };

  /** The response is complete: hand the connection back (or close it), then end the client response. */
  #finish(): void {
    const ex = this.#ex as Exchange;
    const pending = this.#pending;
    const trailers = this.#trailers;
    const reusable =
      this.#pooled && this.#requestDone && this.#parser.keepAlive && !this.#parser.trailingData && this.#state === State.Active;
    this.#reset();
    this.#served++;
    if (reusable) {
      this.#state = State.Idle;
      if (this.#waitingClientDrain) {
        this.#waitingClientDrain = false;
        this.socket.resume();
      }
      this.pool.release(this, performance.now());
    } else {
      this.#closeActive();
    }
    if (trailers !== undefined) ex.response.end(pending ?? undefined, trailers);
    else if (pending === null) ex.response.end();
    else ex.response.end(pending);
  }

  readonly #onEnd = (): void => {
    // The server finished sending: completes a close-delimited body. Anything else is handled on 'close'.
    if (this.#state === State.Active && this.#parser.readsUntilClose) {
      this.#parser.finish();
      if (this.#responseDone) this.#finish();
    }
  };

  readonly #onSocketError = (err: Error): void => {
    this.#socketError ??= err;
  };

  readonly #onClose = (): void => {
    this.#clearDialTimer();
    this.#clearHeaderTimer();
    const state = this.#state;
    if (state === State.Closed || state === State.Upgraded) return;
    this.#state = State.Closed;
    if (state === State.Idle) {
      this.pool.forget(this, false);
      return;
    }
    this.pool.forget(this, true);
    const ex = this.#ex;
    if (ex === null) return;
    const origin = this.pool.target.origin;
    const err = this.#socketError;
    if (state === State.Dialing) {
      this.#report(dialError(origin, err, this.#dialTimedOut));
      return;
    }
    if (this.#headerTimedOut) {
      this.#report(new ProxyError('TPK_ERR_UPSTREAM_TIMEOUT', `${origin}: timeout awaiting response headers`));
      return;
    }
    if (!this.#parser.started && this.#served > 0 && this.#replayable(ex)) {
      this.#retry(ex);
      return;
    }
    this.#report(exchangeError(origin, err, this.#responseHeadSent ? 'connection lost mid-body' : 'connection closed before a response'));
  };

  #replayable(ex: Exchange): boolean {
    if (ex.body !== null || ex.upgrade !== null) return false;
    const m = ex.method;
    return m === 'GET' || m === 'HEAD' || m === 'OPTIONS' || m === 'TRACE' || ex.headers.has('idempotency-key') || ex.headers.has('x-idempotency-key');
  }

  #retry(ex: Exchange): void {
    const head = this.#head;
    const mode = this.#bodyMode;
    const onError = this.#onError as ForwardErrorHandler;
    const target = this.#target as ServerTarget;
    const redo = this.#redo as Redo;
    this.#reset();
    this.pool.connect(performance.now(), this.#pooled).dispatch(ex, head, mode, onError, target, redo);
  }

  readonly #onConnect = (): void => {
    this.#clearDialTimer();
    this.socket.setKeepAlive(true, 15_000);
    if (this.#state !== State.Dialing) return;
    if (this.#ex === null) {
      // Nothing to send (cannot happen: connect() is always followed by dispatch()).
      this.#closeActive();
      return;
    }
    if (this.#offeredH2 && (this.socket as TLSSocket).alpnProtocol === 'h2') {
      this.#handOverToH2();
      return;
    }
    this.#state = State.Active;
    this.#send();
  };

  /**
   * The server picked h2: the socket becomes the origin's HTTP/2 session and the exchange (nothing
   * of it was sent yet) goes through the forwarder again, which now takes the HTTP/2 path.
   */
  #handOverToH2(): void {
    const ex = this.#ex as Exchange;
    const target = this.#target as ServerTarget;
    const redo = this.#redo as Redo;
    this.#state = State.Upgraded;
    this.#detachSocket();
    this.pool.forget(this, true);
    this.#reset();
    this.pool.adoptH2(this.socket as TLSSocket, performance.now());
    redo(ex, target);
  }

  readonly #onDialTimeout = (): void => {
    this.#dialTimer = null;
    this.#dialTimedOut = true;
    this.socket.destroy();
  };

  readonly #onHeaderTimeout = (): void => {
    this.#headerTimer = null;
    if (this.#state !== State.Active || this.#responseHeadSent) return;
    this.#headerTimedOut = true;
    this.socket.destroy();
  };

  readonly #onClientGone = (): void => {
    if (this.#ex !== null && (this.#state === State.Active || this.#state === State.Dialing)) this.#clientGone();
  };

  #clientGone(): void {
    this.#fail(new ProxyError('TPK_ERR_CLIENT_GONE', 'client closed the connection'));
  }

  /** Give up on the exchange in flight: close the connection and report `err`. */
  #fail(err: ProxyError): void {
    if (this.#ex === null) return;
    this.#closeActive();
    this.#report(err);
  }

  #report(err: ProxyError): void {
    const ex = this.#ex;
    const onError = this.#onError;
    this.#reset();
    if (ex !== null && onError !== null) onError(ex, err);
  }

  /** Close this connection while it is (or was) serving an exchange. */
  #closeActive(): void {
    if (this.#state === State.Active || this.#state === State.Dialing) this.pool.forget(this, true);
    this.#state = State.Closed;
    this.#parser.stop();
    this.#clearDialTimer();
    this.#clearHeaderTimer();
    this.#detachBody();
    this.socket.destroy();
  }

  #reset(): void {
    this.#clearHeaderTimer();
    this.#detachBody();
    this.#ex = null;
    this.#onError = null;
    this.#target = null;
    this.#redo = null;
    this.#trailers = undefined;
    this.#head = '';
    this.#pending = null;
  }

  #detachSocket(): void {
    const s = this.socket;
    s.off('data', this.#onData);
    s.off('end', this.#onEnd);
    s.off('error', this.#onSocketError);
    s.off('close', this.#onClose);
  }

  #clearDialTimer(): void {
    if (this.#dialTimer !== null) {
      clearTimeout(this.#dialTimer);
      this.#dialTimer = null;
    }
  }

  #clearHeaderTimer(): void {
    if (this.#headerTimer !== null) {
      clearTimeout(this.#headerTimer);
      this.#headerTimer = null;
    }
  }
}
