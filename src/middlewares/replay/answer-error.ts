/**
 * What the entry point does with an error a handler throws, for the attempts a replaying middleware
 * starts itself (from a timer or after reading a body), where no caller is left to catch: a
 * ProxyError's status and body, any other error 500; after the head, the response is aborted.
 */
import type { ResponseWriter } from '../../exchange/exchange.js';
import { ProxyError, statusText } from '../../errors/codes.js';

export function answerError(res: ResponseWriter, err: unknown): void {
  if (res.clientGone) return;
  if (res.headersSent) {
    res.abort();
    return;
  }
  if (err instanceof ProxyError) res.sendText(err.status, err.body);
  else res.sendText(500, statusText(500));
}

/** Run `handler` and route a throw or a rejection to answerError on the response it leaves. */
export function runDetached(run: () => void | Promise<void>, response: () => ResponseWriter): void {
  let result: void | Promise<void>;
  try {
    result = run();
  } catch (err) {
    answerError(response(), err);
    return;
  }
  if (result !== undefined) result.catch((err: unknown) => answerError(response(), err));
}
