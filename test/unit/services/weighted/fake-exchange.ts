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

/** A request with the given headers; `answer` is filled when a child answers with sendText. */
export function fakeExchange(headers: string[] = []): { ex: Exchange; answer: Answer } {
  const answer: Answer = { status: 0, body: '', headers: new HeaderList() };
  const hooks: HeadHook[] = [];
  const ex: Exchange = {
    method: 'GET',
    path: '/',
    query: null,
    routingPath: '/',
    host: 'example.test',
    httpVersion: '1.1',
    headers: new HeaderList(['Host', 'example.test', ...headers]),
    body: null,
    peer: { address: '127.0.0.1', port: 1 },
    tls: null,
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
