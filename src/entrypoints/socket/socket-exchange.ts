/**
 * The Exchange of the raw-socket front end (same fields, same meaning as the node:http one) and
 * its request body stream: a Readable the connection pushes decoded body bytes into; when the
 * consumer is slow the connection stops reading the socket until `_read` asks for more.
 */
import { Readable } from 'node:stream';
import type { Exchange, PeerInfo, ResponseWriter, TlsInfo, UpgradeInfo } from '../../exchange/exchange.js';
import type { HeaderList } from '../../exchange/headers.js';
import type { RequestRecord } from '../../observability/request-record.js';
import type { PreparedTarget } from '../routing-path.js';

/** What the body stream asks of its connection. */
export interface BodySource {
  /** The consumer wants more bytes: resume reading (and send 100 Continue if it is owed). */
  bodyWanted(): void;
}

export class RequestBody extends Readable {
  readonly #source: BodySource;

  constructor(source: BodySource) {
    super();
    this.#source = source;
  }

  override _read(): void {
    this.#source.bodyWanted();
  }
}

export class SocketExchange implements Exchange {
  method: string;
  path: string;
  query: string | null;
  readonly routingPath: string;
  host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: HeaderList;
  readonly body: Readable | null;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly entryPoint: string;
  readonly upgrade: UpgradeInfo | null;
  response: ResponseWriter;
  routerName: string | undefined;
  record: RequestRecord | null;
  readonly startedAt: number;

  constructor(
    method: string,
    minor: number,
    headers: HeaderList,
    target: PreparedTarget,
    body: Readable | null,
    peer: PeerInfo,
    entryPoint: string,
    response: ResponseWriter,
    upgrade: UpgradeInfo | null,
    startedAt: number,
    tls: TlsInfo | null = null,
  ) {
    this.method = method;
    this.path = target.path;
    this.query = target.query;
    this.routingPath = target.routingPath;
    this.host = target.host;
    this.httpVersion = minor === 0 ? '1.0' : '1.1';
    this.headers = headers;
    this.body = body;
    this.peer = peer;
    this.tls = tls;
    this.entryPoint = entryPoint;
    this.upgrade = upgrade;
    this.response = response;
    this.routerName = undefined;
    this.record = null;
    this.startedAt = startedAt;
  }
}
