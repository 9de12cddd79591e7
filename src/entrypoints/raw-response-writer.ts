/**
 * The response side of an `Upgrade` request. Once the front end saw an upgrade request it has
 * let go of the socket's HTTP parser, so any answer is written here as raw HTTP/1.1:
 * - a 101 is the forwarder's: it calls `upgrade.takeSocket()` and owns the bytes from then on
 *   (it may also write the 101 head through `writeHead(101, ...)` first, which keeps every header);
 * - any other answer (no route, upstream refused the upgrade, an error) is written as a
 *   close-delimited response with `Connection: close`, and the connection is closed after it.
 */
import type { Duplex } from 'node:stream';
import { runHeadHooks, type Exchange, type HeadHook, type ResponseWriter, type UpgradeInfo } from '../exchange/exchange.js';
import { HeaderList } from '../exchange/headers.js';
import { ProxyError } from '../errors/codes.js';
import type { ExchangeSink } from './front-end.js';
import { reasonPhrase, textResponseHeaders, withoutHopByHop } from './response-headers.js';


/** Keeps a socket 'error' (reset by the peer) from becoming an uncaught exception. */
function ignoreSocketError(): void {}

/** token characters (RFC 9110 §5.6.2) for header names. */
const TCHAR = new Uint8Array(128);
for (const ch of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[ch.charCodeAt(0)] = 1;
}

function validName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

/** No CR, LF or NUL (or other controls but HTAB) in a value: they would split the response. */
function validValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}

/** Serialise a response head; throws TPK_ERR_INTERNAL on a header that would corrupt the stream. */
export function serializeHead(status: number, raw: readonly string[], statusMessage: string): string {
  if (!validValue(statusMessage)) throw new ProxyError('TPK_ERR_INTERNAL', 'invalid status message');
  let head = `HTTP/1.1 ${status} ${statusMessage}\r\n`;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (!validName(name) || !validValue(value)) {
      throw new ProxyError('TPK_ERR_INTERNAL', `invalid response header ${JSON.stringify(name)}`);
    }
    head += `${name}: ${value}\r\n`;
  }
  return head + '\r\n';
}

/** ResponseWriter writing raw HTTP/1.1 to the socket of an upgrade request. */
export class RawResponseWriter implements ResponseWriter {
  readonly #socket: Duplex;
  readonly #sink: ExchangeSink;
  readonly #noBody: boolean;
  #exchange: Exchange | null = null;
  #hooks: HeadHook[] | null = null;
  #goneCallbacks: (() => void)[] | null = null;
  #headSent = false;
  #ended = false;
  #gone = false;
  #taken = false;
  #aborted = false;
  #status = 0;
  readonly #onClose = (): void => this.#handleClose();

  /** `isHead`: the request was HEAD, so no body follows the head. */
  constructor(socket: Duplex, sink: ExchangeSink, isHead: boolean) {
    this.#socket = socket;
    this.#sink = sink;
    this.#noBody = isHead;
    socket.once('close', this.#onClose);
    socket.on('error', ignoreSocketError);
  }

  attach(ex: Exchange): void {
    this.#exchange = ex;
  }

  get headersSent(): boolean {
    return this.#headSent;
  }

  get clientGone(): boolean {
    return this.#gone;
  }

  onHead(hook: HeadHook): void {
    if (this.#hooks === null) this.#hooks = [hook];
    else this.#hooks.push(hook);
  }

  writeHead(status: number, headers: HeaderList, statusMessage?: string): void {
    if (this.#gone || this.#taken) return;
    if (this.#headSent) throw new ProxyError('TPK_ERR_INTERNAL', 'response head already sent');
    if (status >= 100 && status < 200 && status !== 101) return; // interim answers are not relayed here
    const hooks = this.#hooks;
    if (hooks !== null) {
      this.#hooks = null;
      runHeadHooks(hooks, status, headers);
    }
    let raw: string[];
    if (status === 101) {
      raw = headers.raw;
    } else {
      raw = withoutHopByHop(headers.raw).slice();
      raw.push('Connection', 'close');
    }
    if (!headers.has('date')) raw.push('Date', new Date().toUTCString());
    const head = serializeHead(status, raw, statusMessage ?? reasonPhrase(status));
    this.#headSent = true;
    this.#status = status;
    this.#socket.write(head, 'latin1');
  }

  write(chunk: Buffer): boolean {
    if (this.#gone || this.#taken || this.#ended) return true;
    if (!this.#headSent) this.writeHead(200, new HeaderList());
    if (this.#noBody) return true;
    return this.#socket.write(chunk);
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

  end(chunk?: Buffer): void {
    if (this.#gone || this.#taken || this.#ended) return;
    if (!this.#headSent) this.writeHead(200, new HeaderList());
    this.#ended = true;
    if (chunk !== undefined && !this.#noBody) this.#socket.end(chunk);
    else this.#socket.end();
    this.#finish(this.#status);
  }

  abort(): void {
    if (this.#taken || this.#aborted) return;
    this.#aborted = true;
    this.#socket.destroy();
  }

  sendText(status: number, text: string, headers?: HeaderList): void {
    if (this.#gone || this.#taken) return;
    const answer = textResponseHeaders(text, headers);
    this.writeHead(status, answer.headers);
    this.end(answer.body);
  }

  /** Hand the socket over (see UpgradeInfo.takeSocket); the exchange is over for the front end. */
  handOver(): Duplex {
    if (this.#taken) throw new ProxyError('TPK_ERR_INTERNAL', 'upgrade socket already taken');
    if (this.#gone) throw new ProxyError('TPK_ERR_CLIENT_GONE', 'client closed the connection before the upgrade');
    if (this.#ended) throw new ProxyError('TPK_ERR_INTERNAL', 'response already ended');
    this.#taken = true;
    this.#headSent = true;
    this.#socket.removeListener('close', this.#onClose);
    this.#finish(101);
    return this.#socket;
  }

  #handleClose(): void {
    if (!this.#ended && !this.#taken) {
      this.#gone = true;
      const cbs = this.#goneCallbacks;
      this.#goneCallbacks = null;
      if (cbs !== null && !this.#aborted) for (const cb of cbs) cb();
    }
    this.#finish(this.#headSent ? this.#status : 499);
  }

  #finish(status: number): void {
    const ex = this.#exchange;
    if (ex !== null) {
      this.#exchange = null;
      this.#sink.finished(ex, status);
    }
  }
}

/** UpgradeInfo of one upgrade request: hands over the socket and the bytes read past the head. */
export class SocketUpgrade implements UpgradeInfo {
  readonly protocol: string;
  readonly #writer: RawResponseWriter;
  readonly #head: Buffer;

  constructor(protocol: string, writer: RawResponseWriter, head: Buffer) {
    this.protocol = protocol;
    this.#writer = writer;
    this.#head = head;
  }

  takeSocket(): { socket: Duplex; head: Buffer } {
    return { socket: this.#writer.handOver(), head: this.#head };
  }
}
