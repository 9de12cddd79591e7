/**
 * The functions of Traefik's buffering `retryExpression`, over one finished attempt:
 *
 * | function | type | value |
 * |---|---|---|
 * | `Attempts()` | integer | tries so far, this one included (the first is 1) |
 * | `ResponseCode()` | integer | status of this try's response |
 * | `IsNetworkError()` | condition | the status is 502 or 504 (what the proxy answers when the server cannot be reached or is too slow) |
 * | `RequestMethod()` | string | the request method, e.g. `RequestMethod() == "GET"` |
 */
import { compileExpression, type Eval, type FunctionTable } from '../expression/compile.js';

export interface AttemptResult {
  readonly attempts: number;
  readonly responseCode: number;
  readonly method: string;
}

export const BUFFER_RETRY_FUNCTIONS: FunctionTable<AttemptResult> = {
  Attempts: { params: [], returns: 'int', what: 'a number of tries (an integer)', make: () => (a) => a.attempts },
  ResponseCode: { params: [], returns: 'int', what: 'a status code (an integer)', make: () => (a) => a.responseCode },
  IsNetworkError: { params: [], returns: 'bool', make: () => (a) => a.responseCode === 502 || a.responseCode === 504 },
  RequestMethod: { params: [], returns: 'string', what: 'a method name (a string)', make: () => (a) => a.method },
};

/** The retry condition of `expression`; throws ExpressionError (with a column) when invalid. */
export function compileBufferRetry(expression: string): Eval<AttemptResult, boolean> {
  return compileExpression(expression, BUFFER_RETRY_FUNCTIONS);
}
