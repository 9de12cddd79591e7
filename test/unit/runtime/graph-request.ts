/**
 * One in-memory request through a compiled graph's entry-point handler, for the compiler's unit
 * tests (no sockets: the services are plain functions answering with sendText).
 */
import assert from 'node:assert/strict';
import { runHeadHooks, type Exchange, type Handler } from '../../../src/exchange/exchange.js';
import { HeaderList } from '../../../src/exchange/headers.js';

export interface Answer {
  status: number;
  body: string;
  headers: HeaderList;
}

/** Sends `init` (GET / to example.test by default) to `handler`; `answer` holds what it sent with sendText. */
export function request(handler: Handler | undefined, init: { host?: string; path?: string; method?: string; tls?: boolean }): Answer {
  assert.ok(handler, 'entry point has a handler');
  const answer: Answer = { status: 0, body: '', headers: new HeaderList() };
  const hooks: ((s: number, h: HeaderList) => void)[] = [];
  const ex = {
    method: init.method ?? 'GET',
    path: init.path ?? '/',
    query: null,
    routingPath: init.path ?? '/',
    host: init.host ?? 'example.test',
    httpVersion: '1.1',
    headers: new HeaderList(['Host', init.host ?? 'example.test']),
    body: null,
    peer: { address: '127.0.0.1', port: 1 },
    tls: init.tls ? { servername: undefined, protocol: 'TLSv1.3', cipher: '', alpn: undefined } : null,
    entryPoint: 'web',
    upgrade: null,
    routerName: undefined,
    record: null,
    startedAt: 0,
    response: {
      headersSent: false,
      clientGone: false,
      onHead: (h: (s: number, hl: HeaderList) => void) => hooks.push(h),
      writeHead() {},
      write: () => true,
      onDrain() {},
      onClientGone() {},
      end() {},
      abort() {},
      sendText(status: number, text: string, headers?: HeaderList) {
        const h = headers ?? new HeaderList();
        runHeadHooks(hooks, status, h);
        answer.status = status;
        answer.body = text;
        answer.headers = h;
      },
    },
  } satisfies Exchange;
  void handler(ex);
  return answer;
}

