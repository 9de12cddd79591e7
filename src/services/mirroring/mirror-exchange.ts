/**
 * The request a mirror receives: a copy of the original as the mirroring service received it
 * (method, target, Host, headers, connection facts), with its own copy of the body (or none), and
 * a response writer that discards the answer.
 */
import type { Readable } from 'node:stream';
import type { Exchange, PeerInfo, ResponseWriter, TlsInfo, UpgradeInfo } from '../../exchange/exchange.js';
import { HeaderList } from '../../exchange/headers.js';

/** Headers that frame a body: dropped from a mirror sent without one. */
const BODY_FRAMING = ['content-length', 'transfer-encoding'];

/** What the mirroring service saw on entry (later stages may edit the original in place). */
export class RequestCopy {
  readonly method: string;
  readonly path: string;
  readonly query: string | null;
  readonly routingPath: string;
  readonly host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: readonly string[];
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly entryPoint: string;
  readonly routerName: string | undefined;

  constructor(ex: Exchange) {
    this.method = ex.method;
    this.path = ex.path;
    this.query = ex.query;
    this.routingPath = ex.routingPath;
    this.host = ex.host;
    this.httpVersion = ex.httpVersion;
    this.headers = ex.headers.raw.slice();
    this.peer = ex.peer;
    this.tls = ex.tls;
    this.entryPoint = ex.entryPoint;
    this.routerName = ex.routerName;
  }
}

export class MirrorExchange implements Exchange {
  method: string;
  path: string;
  query: string | null;
  readonly routingPath: string;
  host: string;
  readonly httpVersion: '1.0' | '1.1' | '2.0';
  readonly headers: HeaderList;
  body: Readable | null;
  readonly peer: PeerInfo;
  readonly tls: TlsInfo | null;
  readonly entryPoint: string;
  readonly upgrade: UpgradeInfo | null = null;
  response: ResponseWriter;
  routerName: string | undefined;
  /** Mirrored requests are not observed (their answers are discarded). */
  readonly record = null;
  readonly startedAt: number;

  /** `body` null with `hadBody` true: the original had a body the mirror does not get (mirrorBody false). */
  constructor(copy: RequestCopy, body: Readable | null, hadBody: boolean, response: ResponseWriter) {
    this.method = copy.method;
    this.path = copy.path;
    this.query = copy.query;
    this.routingPath = copy.routingPath;
    this.host = copy.host;
    this.httpVersion = copy.httpVersion;
    this.headers = new HeaderList(copy.headers.slice());
    if (body === null && hadBody) for (const h of BODY_FRAMING) this.headers.delete(h);
    this.body = body;
    this.peer = copy.peer;
    this.tls = copy.tls;
    this.entryPoint = copy.entryPoint;
    this.response = response;
    this.routerName = copy.routerName;
    this.startedAt = performance.now();
  }
}
