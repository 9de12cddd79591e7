/**
 * `http.middlewares.<name>.buffering`: maxRequestBodyBytes 0 (no limit), memRequestBodyBytes 1 MiB,
 * maxResponseBodyBytes 0, memResponseBodyBytes 1 MiB, retryExpression "" (none; checked here with
 * the column of any mistake), and Traefik 3.x's disableRequestBuffer / disableResponseBuffer.
 * Negative sizes are errors (Traefik: "max bytes should be >= 0"); a mem size of 0 is the default.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readFields, readInt, readString } from '../fields.js';
import { ExpressionError } from '../../../../middlewares/expression/parse.js';
import { formatExpressionError } from '../../../../middlewares/expression/compile.js';
import { compileBufferRetry } from '../../../../middlewares/buffering/retry-expression.js';

export interface BufferingOptions {
  /** Largest request body accepted (413 beyond); 0 = no limit. */
  readonly maxRequestBodyBytes: number;
  /** Request body bytes kept in memory; the rest goes to a temporary file. */
  readonly memRequestBodyBytes: number;
  /** Largest response body accepted (500 beyond); 0 = no limit. */
  readonly maxResponseBodyBytes: number;
  /** Response body bytes kept in memory; the rest goes to a temporary file. */
  readonly memResponseBodyBytes: number;
  /** When to send the request again, e.g. `IsNetworkError() && Attempts() < 2`; '' = never. */
  readonly retryExpression: string;
  /** Stream the request body (maxRequestBodyBytes then checks Content-Length only). */
  readonly disableRequestBuffer: boolean;
  /** Stream the response (maxResponseBodyBytes is then not enforced, and nothing is retried). */
  readonly disableResponseBuffer: boolean;
}

/** oxy's DefaultMemBodyBytes. */
export const BUFFERING_DEFAULT_MEM = 1024 * 1024;

const MAX_SIZE = BigInt(Number.MAX_SAFE_INTEGER);

export function readBuffering(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, {
    supported: [
      'maxRequestBodyBytes',
      'memRequestBodyBytes',
      'maxResponseBodyBytes',
      'memResponseBodyBytes',
      'retryExpression',
      'disableRequestBuffer',
      'disableResponseBuffer',
    ],
  });
  if (fields === undefined) return undefined;
  const size = (name: string, fallback: number): number => {
    const n = readInt(scope, fields.get(name), { min: 0n, max: MAX_SIZE });
    return n === undefined || n === 0 ? fallback : n;
  };
  const maxRequestBodyBytes = size('maxRequestBodyBytes', 0);
  const memRequestBodyBytes = size('memRequestBodyBytes', BUFFERING_DEFAULT_MEM);
  const maxResponseBodyBytes = size('maxResponseBodyBytes', 0);
  const memResponseBodyBytes = size('memResponseBodyBytes', BUFFERING_DEFAULT_MEM);
  const exprField = fields.get('retryExpression');
  const retryExpression = readString(scope, exprField) ?? '';
  if (retryExpression.trim() !== '' && exprField !== undefined) {
    try {
      compileBufferRetry(retryExpression);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      scope.error(DYNAMIC_CODES.INVALID_VALUE, exprField.path, `invalid retry expression: ${formatExpressionError(retryExpression, err)}${scope.leftOut}`);
    }
  }
  const disableRequestBuffer = readBool(scope, fields.get('disableRequestBuffer')) ?? false;
  const disableResponseBuffer = readBool(scope, fields.get('disableResponseBuffer')) ?? false;
  if (!scope.ok) return undefined;
  return {
    kind: 'buffering',
    options: {
      maxRequestBodyBytes,
      memRequestBodyBytes,
      maxResponseBodyBytes,
      memResponseBodyBytes,
      retryExpression: retryExpression.trim() === '' ? '' : retryExpression,
      disableRequestBuffer,
      disableResponseBuffer,
    },
  };
}
