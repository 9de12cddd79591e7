/**
 * An in-memory Exchange for the parent services' unit tests (weighted, mirroring, failover): the
 * children are plain functions recording who answered, so no HTTP is involved at this level (the
 * e2e tests run the same services against real upstream servers).
 */
import { runHeadHooks, type Exchange, type HeadHook, type Handler } from '../../../../src/exchange/exchange.js';
import { HeaderList } from '../../../../src/exchange/headers.js';
import { ParentHealth } from '../../../../src/services/weighted/parent-health.js';
import { plainService, type BuiltService } from '../../../../src/services/service.js';

export interface Answer {
  status: number;
  body: string;
  headers: HeaderList;
}

/** What fakeExchange's request is, besides its extra headers (GET / to example.test by default). */
export interface FakeRequest {
  readonly host?: string;
  readonly path?: string;
  readonly method?: string;
  /** Over TLS 1.3. */
  readonly tls?: boolean;
}

/** A request with the given headers; `answer` is filled when a child answers with sendText. */
export function fakeExchange(headers: string[] = [], init: FakeRequest = {}): { ex: Exchange; answer: Answer } {
  const answer: Answer = { status: 0, body: '', headers: new HeaderList() };
  const hooks: HeadHook[] = [];
  const host = init.host ?? 'example.test';
  const path = init.path ?? '/';
  const ex: Exchange = {
    method: init.method ?? 'GET',
    path,
    query: null,
    routingPath: path,
    host,
    httpVersion: '1.1',
    headers: new HeaderList(['Host', host, ...headers]),
    body: null,
    peer: { address: '127.0.0.1', port: 1 },
    tls: init.tls === true ? { servername: undefined, protocol: 'TLSv1.3', cipher: '', alpn: undefined } : null,
    entryPoint: 'web',
    upgrade: null,
    routerName: undefined,
    record: null,
    startedAt: 0,
    response: {
      headersSent: false,
      clientGone: false,
      onHead: (h: HeadHook) => hooks.push(h),
      writeHead() {},
      write: () => true,
      onDrain() {},
      onClientGone() {},
      end() {},
      abort() {},
      sendText(status: number, text: string, h?: HeaderList) {
        const list = h ?? new HeaderList();
        runHeadHooks(hooks, status, list);
        answer.status = status;
        answer.body = text;
        answer.headers = list;
      },
    },
  };
  return { ex, answer };
}

/** A child that answers its name, with an optional health the test flips. */
export function namedChild(name: string, opts: { health?: boolean } = {}): { service: BuiltService; health: ParentHealth | undefined } {
  const handler: Handler = (ex) => ex.response.sendText(200, name);
  if (opts.health === undefined) return { service: plainService(handler), health: undefined };
  const health = new ParentHealth(opts.health);
  return { service: { handler, health, dispose() {} }, health };
}

/** Sends `n` requests and counts the answers by body. */
export function tally(handler: Handler, n: number, headers: string[] = []): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const { ex, answer } = fakeExchange(headers);
    void handler(ex);
    counts.set(answer.body, (counts.get(answer.body) ?? 0) + 1);
  }
  return counts;
}
