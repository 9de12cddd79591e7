/**
 * One in-memory request through a compiled graph's entry-point handler, for the compiler's unit
 * tests (no sockets: the services are plain functions answering with sendText).
 */
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/exchange/exchange.js';
import { fakeExchange, type Answer, type FakeRequest } from '../services/weighted/fake-exchange.js';

export type { Answer } from '../services/weighted/fake-exchange.js';

/** Sends `init` (GET / to example.test by default) to `handler`; the answer holds what it sent with sendText. */
export function request(handler: Handler | undefined, init: FakeRequest): Answer {
  assert.ok(handler, 'entry point has a handler');
  const { ex, answer } = fakeExchange([], init);
  void handler(ex);
  return answer;
}
