/**
 * One HTTP/2 connection to an upstream (a node:http2 client session over a socket we dial, or
 * over an https connection on which the server picked h2), with what the origin needs to choose
 * a session for the next stream: streams open now, the peer's SETTINGS_MAX_CONCURRENT_STREAMS,
 * whether it still takes new streams (not after GOAWAY or close), and since when it is idle.
 *
 * A session that fails before it is up (refused, dial timeout, TLS failure) remembers why, so the
 * streams queued on it fail as dial errors (502/504, nothing was sent: retry may resend them).
 *
 * Health pings (forwardingTimeouts.readIdleTimeout, Go's ReadIdleTimeout): after that long with
 * no traffic on the session a PING is sent; no answer within pingTimeout closes the session (its
 * streams fail: 502, or an abort after the head), so a dead peer is not kept as the origin's session.
 */
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders, Settings } from 'node:http2';
import { http2 } from '../../net/lazy-http2.js';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ResolvedTransport } from '../transport.js';

/** What a session tells its owner (the origin). */
export interface H2SessionOwner {
  /** The session closed: forget it. */
  sessionClosed(s: H2Session): void;
  /** A TLS server dialled for h2 picked another protocol: the origin goes back to HTTP/1.1. */
  notH2(s: H2Session): void;
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS arrived (the next sessions start from it). */
  peerMaxStreams(n: number): void;
}

export class H2Session {
  readonly session: ClientHttp2Session;
  readonly socket: Socket;
  readonly #owner: H2SessionOwner;
  /** Streams open on it now. */
  active = 0;
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (until they arrive: what the owner expects). */
  maxStreams: number;
  /** The connection (and TLS handshake) is up. */
  connected: boolean;
  /** Takes no new stream: GOAWAY received, closing or closed. */
  draining = false;
  /** performance.now() since when no stream is open. */
  idleSince: number;
  /** Why the connection failed before it was up (null: it did not, or the reason is unknown). */
  dialError: Error | null = null;
  dialTimedOut = false;
  /** The TLS server did not pick h2 on this connection. */
  notH2 = false;
  #dialTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  readonly #pingTimeout: number;
  #readIdle = 0;

  /**
   * `authority` is the URL node:http2 is given (`http://host:port` or `https://host:port`); the
   * socket is dialled by the caller (`connected` true when it is already up, e.g. handed over).
   * `maxStreams`: streams assumed allowed until the peer's SETTINGS arrive.
   */
  constructor(owner: H2SessionOwner, authority: string, socket: Socket, connected: boolean, transport: ResolvedTransport, now: number, maxStreams: number) {
    this.#owner = owner;
    this.maxStreams = maxStreams;
    this.#pingTimeout = transport.pingTimeout;
    const dialTimeout = transport.dialTimeout;
    this.socket = socket;
    this.connected = connected;
    this.idleSince = now;
    socket.on('error', this.#onSocketError);
    if (!connected) {
      const tls = 'encrypted' in socket;
      socket.once(tls ? 'secureConnect' : 'connect', tls ? this.#onSecureConnect : this.#onConnect);
      if (dialTimeout > 0) this.#dialTimer = setTimeout(this.#onDialTimeout, dialTimeout);
    } else {
      socket.setKeepAlive(true, 15_000);
    }
    this.session = http2().connect(authority, { createConnection: () => socket, settings: { enablePush: false } });
    this.session.on('remoteSettings', this.#onRemoteSettings);
    this.session.on('goaway', this.#onGoaway);
    this.session.on('error', this.#onSessionError);
    this.session.on('close', this.#onClose);
    this.#readIdle = transport.readIdleTimeout;
    if (this.#readIdle > 0) {
      // node:http2 emits 'timeout' once per quiet period; the timer restarts with traffic (and after each answered PING, below).
      this.session.on('timeout', this.#onReadIdle);
      this.session.setTimeout(this.#readIdle);
    }
  }

  /** Can it take one more stream now? */
  get available(): boolean {
    return !this.draining && this.active < this.maxStreams;
  }

  /** Open a stream (`endStream`: the request has no body). Throws when node:http2 refuses the headers. */
  request(headers: OutgoingHttpHeaders, endStream: boolean): ClientHttp2Stream {
    const stream = this.session.request(headers, { endStream });
    this.active++;
    return stream;
  }

  /** A stream opened by `request` closed. */
  streamClosed(now: number): void {
    if (--this.active === 0) this.idleSince = now;
  }

  /** Finish open streams, then close (GOAWAY). */
  close(): void {
    this.draining = true;
    if (!this.session.closed && !this.session.destroyed) this.session.close();
    if (!this.connected) this.session.destroy();
  }

  readonly #onConnect = (): void => {
    this.#up();
  };

  readonly #onSecureConnect = (): void => {
    if ((this.socket as TLSSocket).alpnProtocol !== 'h2') {
      this.notH2 = true;
      this.draining = true;
      this.#clearDialTimer();
      this.#owner.notH2(this);
      this.socket.destroy();
      return;
    }
    this.#up();
  };

  #up(): void {
    this.connected = true;
    this.#clearDialTimer();
    this.socket.setKeepAlive(true, 15_000);
  }

  readonly #onDialTimeout = (): void => {
    this.#dialTimer = null;
    if (this.connected) return;
    this.dialTimedOut = true;
    this.draining = true;
    this.session.destroy();
    this.socket.destroy();
  };

  readonly #onReadIdle = (): void => {
    if (this.#pingTimer !== null || this.session.destroyed || !this.connected) return;
    let sent: boolean;
    try {
      sent = this.session.ping(this.#onPingAck);
    } catch {
      sent = false;
    }
    if (!sent) return;
    this.#pingTimer = setTimeout(this.#onPingTimeout, this.#pingTimeout > 0 ? this.#pingTimeout : 15_000);
  };

  readonly #onPingAck = (err: Error | null): void => {
    this.#clearPingTimer();
    if (this.session.destroyed) return;
    if (err !== null) this.session.destroy(err);
    else this.session.setTimeout(this.#readIdle);
  };

  readonly #onPingTimeout = (): void => {
    this.#pingTimer = null;
    this.draining = true;
    this.session.destroy(new Error('HTTP/2 health ping not answered within pingTimeout'));
  };

  #clearPingTimer(): void {
    if (this.#pingTimer !== null) {
      clearTimeout(this.#pingTimer);
      this.#pingTimer = null;
    }
  }

  readonly #onRemoteSettings = (s: Settings): void => {
    if (s.maxConcurrentStreams === undefined) return;
    this.maxStreams = s.maxConcurrentStreams;
    this.#owner.peerMaxStreams(s.maxConcurrentStreams);
  };

  readonly #onGoaway = (): void => {
    this.draining = true;
  };

  readonly #onSocketError = (err: Error): void => {
    if (!this.connected) this.dialError ??= err;
  };

  readonly #onSessionError = (err: Error): void => {
    if (!this.connected) this.dialError ??= err;
  };

  readonly #onClose = (): void => {
    this.draining = true;
    this.#clearDialTimer();
    this.#clearPingTimer();
    this.#owner.sessionClosed(this);
  };

  #clearDialTimer(): void {
    if (this.#dialTimer !== null) {
      clearTimeout(this.#dialTimer);
      this.#dialTimer = null;
    }
  }
}
