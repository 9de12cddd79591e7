/**
 * `chain`: a list of other middlewares run in order, as one. Names are resolved when the
 * configuration is compiled (a name without `@provider` is in the chain's own provider); a
 * missing name or a reference loop disables the chain there, with the loop spelled out.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readFields, readStringList } from '../fields.js';

export interface ChainOptions {
  /** Middleware names as written (qualified or not), in order. */
  readonly middlewares: readonly string[];
}

export function readChain(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['middlewares'] });
  if (fields === undefined) return undefined;
  const mf = fields.get('middlewares');
  const middlewares = readStringList(scope, mf) ?? [];
  if (mf !== undefined) {
    middlewares.forEach((name, i) => {
      if (name.trim() === '') {
        scope.error(DYNAMIC_CODES.INVALID_VALUE, Array.isArray(mf.value) ? [...mf.path, i] : mf.path, `expected a middleware name, got an empty string${scope.leftOut}`);
      }
    });
  }
  if (!scope.ok) return undefined;
  return { kind: 'chain', options: { middlewares } };
}
