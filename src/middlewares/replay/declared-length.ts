/** The request's Content-Length as a number, or undefined when absent or not a plain count. */
import type { Exchange } from '../../exchange/exchange.js';

export function declaredLength(ex: Exchange): number | undefined {
  const v = ex.headers.get('content-length');
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
